"""Tests for searchsvc.search.querying: plain words built directly equal what Whoosh's query parser makes of them."""

from __future__ import annotations

import random

import pytest
from whoosh import query as Q

from searchsvc.analysis import TOKEN_RE
from searchsvc.index import schema as S
from searchsvc.search.querying import SCOPE_FIELDS, build_parser, plain_words_query

SCHEMA = S.build_schema()


def parsed(text: str, scope: str):
    return build_parser(SCHEMA, scope).parse(text).normalize()


def spans(q):
    return [(leaf.fieldname, leaf.text, leaf.startchar, leaf.endchar) for leaf in q.leaves()] if q else []


def same_as_parser(text: str, scope: str = "both") -> None:
    fast = plain_words_query(text, scope)
    if fast is None:
        return
    slow = parsed(text, scope)
    fast = fast.normalize()
    assert fast == slow, text
    assert repr(fast) == repr(slow), text
    if slow is not Q.NullQuery:
        assert spans(fast) == spans(slow), text


@pytest.mark.parametrize("scope", list(SCOPE_FIELDS))
@pytest.mark.parametrize("text", [
    "china", "china trade", "the china", "the", "the of and", "China's trade", "U.S. policy", "1,000 troops",
    "13.8 percent", "covid19 5G", "  spaced   out  words ", "Investigations INVESTIGATE investigating",
    "Café Zürich", "don't we'll", "president biden", "x", "e.g. i.e.",
])
def test_plain_words_equal_the_parser(text, scope):
    assert plain_words_query(text, scope) is not None
    same_as_parser(text, scope)


@pytest.mark.parametrize("text", [
    '"white house"', "china AND trade", "china OR taiwan", "NOT china", "speaker:psaki", "trade -china",
    "investig*", "(china trade)", "hello,world", "covid-19", "china~", "'single quoted'", "a+b", "china^2",
])
def test_syntax_goes_to_the_parser(text):
    assert plain_words_query(text, "both") is None


def test_word_runs_from_the_sample_equal_the_parser(sample_service):
    """2-5 word runs (seeded) from real questions and answers of the sample."""
    op = sample_service.current()
    rng = random.Random(11)
    checked = 0
    for docnum in rng.sample(range(op.tables.size), 300):
        stored = op.searcher.stored_fields(docnum)
        words = (stored.get("question", "") + " " + stored.get("answer", "")).split()
        if len(words) < 6:
            continue
        n = rng.randint(1, 5)
        start = rng.randrange(len(words) - n)
        text = " ".join(words[start:start + n])
        same_as_parser(text, rng.choice(list(SCOPE_FIELDS)))
        checked += plain_words_query(text, "both") is not None
    assert checked >= 100
    assert TOKEN_RE.fullmatch("China's")


@pytest.mark.parametrize("text, surfaces", [
    ("Jean-Pierre migrants", ["Jean-Pierre", "migrants"]),
    ("Karine Jean-Pierre on covid-19", ["Karine", "Jean-Pierre", "covid-19"]),
    ('"jean-pierre" anti-terror drill', ["anti-terror", "drill"]),     # a quoted one stays a phrase
])
def test_hyphenated_words_are_plain_words_with_spans(tiny_service, text, surfaces):
    """The parser leaves hyphenated words without character spans; parse_query gives each word its own, so
    names (`Jean-Pierre`) and synonyms are found where they stand and relaxing may leave them out."""
    from searchsvc.models import SearchRequest
    from searchsvc.search.querying import parse_query

    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q=text), gen.schema, gen.reader, tiny_service.settings.search)
    assert [s for s, _ in parsed.plain] == surfaces
    for surface, q in parsed.plain:
        for leaf in q.leaves():
            assert text[leaf.startchar:leaf.endchar].lower() in surface.lower()
