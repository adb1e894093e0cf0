"""Tests for searchsvc.insights.concordance: every occurrence of the query's words or quoted phrases in the
matching turns (brute force over the stored turns: the sample; the whole corpus in a corpus-marked test)."""

from __future__ import annotations

import re

import pytest
from research_support import matching, occurrences, phrase_pattern, read_turns

from searchsvc.analysis import term_for_token
from searchsvc.errors import QueryError
from searchsvc.insights import concordance as conc
from searchsvc.models import SearchRequest


@pytest.fixture(scope="module")
def sample_turns(sample_service):
    return read_turns(sample_service)


def check_against_brute_force(service, settings, turns, q, width=conc.DEFAULT_WIDTH):
    found = conc.concordance(service, SearchRequest(q=q), settings.search, width=width, per_page=100_000)
    hits = matching(turns, q)
    assert found.total_turns == service.search(SearchRequest(q=q)).total == len(hits)
    assert not found.truncated
    assert found.total_lines == len(found.lines) == sum(occurrences(t, q) for t in hits)
    pattern = phrase_pattern(q.strip('"')) if q.startswith('"') else None
    for line in found.lines:
        if pattern:
            assert pattern.fullmatch(line.match)
        else:
            assert term_for_token(line.match) == term_for_token(q)
        assert len(line.left.split()) <= width and len(line.right.split()) <= width
    return found


@pytest.mark.parametrize("q", ["vaccine", "sanctions", '"one China"', '"people to people"', '"the United States"'])
def test_lines_equal_brute_force(sample_service, sample_settings, sample_turns, q):
    check_against_brute_force(sample_service, sample_settings, sample_turns, q)


def test_context_is_the_words_around_the_match(sample_service, sample_settings, sample_turns):
    found = check_against_brute_force(sample_service, sample_settings, sample_turns, '"one China"', width=3)
    by_id = {t.id: t for t in sample_turns}
    for line in found.lines:
        text = by_id[line.turn_id].answer if line.side == "answer" else by_id[line.turn_id].question
        assert re.search(re.escape(line.left) + r"\s+" + re.escape(line.match), text) or not line.left
        assert line.match + (" " + line.right.split()[0] if line.right else "") in " ".join(text.split())


def test_scope_and_who(sample_service, sample_settings, sample_turns):
    found = conc.concordance(sample_service, SearchRequest(q="trade", scope="question"), sample_settings.search,
                             per_page=1000)
    assert found.lines and {ln.side for ln in found.lines} == {"question"}
    outlets = {t.id: t.outlet for t in sample_turns}
    assert all(ln.who == outlets[ln.turn_id] for ln in found.lines)
    answers = conc.concordance(sample_service, SearchRequest(q="trade", scope="answer"), sample_settings.search,
                               per_page=1000)
    speakers = {t.id: ", ".join(t.speakers) for t in sample_turns}
    assert {ln.side for ln in answers.lines} == {"answer"}
    assert all(ln.who == speakers[ln.turn_id] for ln in answers.lines)


def first_word(text: str, last: bool = False) -> str:
    words = re.findall(r"\w+", text.casefold())
    return (words[-1] if last else words[0]) if words else "\uffff"


@pytest.mark.parametrize("sort", conc.SORTS)
def test_sorting_and_paging(sample_service, sample_settings, sort):
    request = SearchRequest(q="china")
    everything = conc.concordance(sample_service, request, sample_settings.search, sort=sort, per_page=100_000).lines
    if sort == "date":
        assert [ln.date for ln in everything] == sorted(ln.date for ln in everything)
    elif sort == "left":
        keys = [first_word(ln.left, last=True) for ln in everything]
        assert keys == sorted(keys)
    else:
        keys = [first_word(ln.right) for ln in everything]
        assert keys == sorted(keys)
    pages = [conc.concordance(sample_service, request, sample_settings.search, sort=sort, page=p, per_page=37).lines
             for p in range(1, len(everything) // 37 + 2)]
    assert [ln for page in pages for ln in page] == list(everything)


@pytest.mark.parametrize("kwargs, message", [
    ({"q": ""}, "give a query"), ({"q": "china", "sort": "middle"}, "sort"), ({"q": "china", "width": 0}, "width"),
])
def test_bad_requests_are_query_errors(sample_service, sample_settings, kwargs, message):
    q = kwargs.pop("q")
    with pytest.raises(QueryError, match=message):
        conc.concordance(sample_service, SearchRequest(q=q), sample_settings.search, **kwargs)


def test_csv_rows(sample_service, sample_settings):
    lines, total, read = conc.all_lines(sample_service, SearchRequest(q='"one China"'), sample_settings.search)
    rows = conc.csv_rows(lines)
    assert rows[0] == ["turn_id", "date", "who", "side", "left", "match", "right"] and len(rows) == len(lines) + 1


@pytest.mark.corpus
@pytest.mark.slow          # builds the whole shared corpus: `pytest -m corpus` or the dedicated run
@pytest.mark.parametrize("q", ["tariffs", '"one China"', '"people to people"', '"summer campaigns"'])
def test_whole_corpus_lines_equal_brute_force(corpus_service, sample_settings, corpus_turns, q):
    check_against_brute_force(corpus_service, sample_settings, corpus_turns, q)


@pytest.fixture(scope="module")
def corpus_turns(corpus_service):
    return read_turns(corpus_service)
