"""Tests for searchsvc.search / querying: query syntax, limits, malformed input, relaxing, suggestions, records."""

import dataclasses
from datetime import date

import pytest
from support import base_settings, tiny_conferences

from searchsvc.errors import IndexMissingError, NotFoundError, QueryError
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

MFA, WH = (c.id for c in tiny_conferences())


def ids(page):
    return [h.id for h in page.hits]


def search(service, q="", **kw):
    return service.search(SearchRequest(q=q, **kw))


# ---- query syntax -------------------------------------------------------------------

@pytest.mark.parametrize("q, expected", [
    ("tariffs", {f"{MFA}-3", f"{WH}-1"}),                    # plain word, question or answer
    ("hong security", {f"{MFA}-1", f"{MFA}-4", f"{WH}-2"}),
    ("investigating", {f"{MFA}-2", f"{WH}-1"}),               # stemmed: investigating ~ investigated
    ("investigation", {f"{MFA}-2", f"{WH}-1"}),
    ('"rule of law"', {f"{WH}-1"}),                            # phrase (stop word inside)
    ('"law rule"', set()),                                     # phrase word order matters
    ("tariffs -china", {f"{MFA}-3"}),                          # exclusion
    ("tariffs NOT china", {f"{MFA}-3"}),
    ("zebra OR café", {f"{MFA}-3"}),
    ("retaliate OR scientists", {f"{MFA}-1", f"{MFA}-2"}),
    ("speaker:psaki tariffs", {f"{WH}-1"}),                    # field filters
    ("speaker:sullivan", {f"{WH}-2"}),
    ('speaker:"jen psaki" hong', {f"{WH}-2"}),
    ("outlet:reuters", {f"{MFA}-1", f"{MFA}-3"}),
    ("outlet:afp virus", {f"{MFA}-2"}),
    ("investig*", {f"{MFA}-2", f"{WH}-1"}),                    # prefix
    ("Investigat*", {f"{MFA}-2", f"{WH}-1"}),
    ("13.8%", {f"{MFA}-0"}),                                   # numbers
    ("2.042", {f"{MFA}-0"}),
    ("U.S.", {f"{WH}-2"}),
    ("cafe", {f"{MFA}-3"}),                                    # folding
    ("ZÜRICH", {f"{MFA}-3"}),
    ("(hong kong) -afp", {f"{MFA}-1", f"{MFA}-4", f"{WH}-2"}),
    ("(hong kong) -retaliatory", {f"{WH}-2"}),             # grouping
])
def test_query_syntax(tiny_service, q, expected):
    page = search(tiny_service, q, per_page=50)
    assert set(ids(page)) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("scope, expected", [
    ("both", {f"{MFA}-3", f"{WH}-1"}),
    ("question", {f"{MFA}-3", f"{WH}-1"}),
    ("answer", {f"{WH}-1"}),
])
def test_scope(tiny_service, scope, expected):
    assert set(ids(search(tiny_service, "tariffs", scope=scope))) == expected


def test_scope_answer_vs_question_for_security(tiny_service):
    assert set(ids(search(tiny_service, "security", scope="question"))) == {f"{MFA}-1"}
    assert set(ids(search(tiny_service, "security", scope="answer"))) == {f"{MFA}-1", f"{MFA}-4", f"{WH}-2"}


@pytest.mark.parametrize("q", [
    '"unterminated phrase', "(((", ")))", "hong (kong", "AND", "OR OR", "NOT", "a:b:c", "speaker:", ":", "*", "**",
    "*ing", "?", "-", "--tariffs", "\\", "\x00", "'single", "tariffs^", "tariffs^x", "[a TO", "{}", "~", "\"\"",
    "café\u202e", "year:abc", "seq:zzz", "date:[x TO y]", "speaker:(", "outlet:\"", "😀 tariffs",
])
def test_malformed_queries_never_raise(tiny_service, q):
    page = search(tiny_service, q)
    assert page.total >= 0
    assert isinstance(page.notices, tuple)


def test_only_stop_words_gives_a_notice(tiny_service):
    page = search(tiny_service, "the and of")
    assert page.total == 0 and page.notices


def test_leading_wildcard_does_not_scan_everything(tiny_service):
    page = search(tiny_service, "*ating")
    assert page.total == 0


def test_prefix_expansion_is_bounded(tiny_settings):
    settings = dataclasses.replace(tiny_settings, search=dataclasses.replace(tiny_settings.search,
                                                                              max_prefix_expansion=1,
                                                                              min_prefix_chars=1))
    service = SearchService(settings)
    page = service.search(SearchRequest(q="s*"))  # many words start with s
    assert any("most frequent" in n for n in page.notices)
    assert page.total >= 1
    service.close()


def test_empty_query_lists_everything_newest_first(tiny_service):
    page = search(tiny_service, "", per_page=50)
    assert page.total == 8
    assert [h.date for h in page.hits] == sorted((h.date for h in page.hits), reverse=True)


# ---- relaxed matching ---------------------------------------------------------------------

def test_few_full_matches_are_followed_by_partial_ones(tiny_service):
    page = search(tiny_service, "Hong Kong security law retaliation")
    assert ids(page)[0] == f"{MFA}-1"          # has every word (retaliate ~ retaliation by stem)
    # "national security legislation", "retaliatory measures": hong kong security retali(atory), 4 of 5 words
    assert ids(page)[1] == f"{MFA}-4"
    assert "<mark>retaliatory</mark>" in page.hits[1].answer_html
    assert f"{WH}-2" in ids(page)               # hong kong security: 3 of 5 words
    assert page.optional_terms == ("Hong", "Kong", "security", "law", "retaliation")
    assert page.notices


def test_enough_full_matches_are_not_relaxed(tiny_service):
    page = search(tiny_service, "hong kong")
    assert page.optional_terms == ()
    assert set(ids(page)) == {f"{MFA}-1", f"{MFA}-4", f"{WH}-2"}


def test_relaxed_turns_keep_exclusions(tiny_service):
    page = search(tiny_service, "Hong Kong security law retaliation -Sullivan -concern")
    assert f"{WH}-2" not in ids(page)


# ---- limits -----------------------------------------------------------------------------

@pytest.mark.parametrize("kw, message", [
    (dict(q="x" * 501), "longer than 500 characters"),
    (dict(q=" ".join(f"w{i}" for i in range(33))), "too many words"),
    (dict(q="a", per_page=0), "per_page"),
    (dict(q="a", per_page=101), "per_page"),
    (dict(q="a", page=0), "page"),
    (dict(q="a", speakers=tuple(f"s{i}" for i in range(21))), "speaker"),
    (dict(q="a", years=tuple(range(1990, 2015))), "year"),
    (dict(q="a", sort="random"), "sort"),
    (dict(q="a", scope="title"), "scope"),
])
def test_limits_raise_query_error(tiny_service, kw, message):
    with pytest.raises(QueryError, match=message):
        tiny_service.search(SearchRequest(**kw))


@pytest.mark.parametrize("kw, notice", [
    (dict(q="china", page=201, per_page=10), "the most that can be paged"),
    (dict(q="china", date_from=date(2021, 1, 2), date_to=date(2021, 1, 1)), "the first day is after the last"),
])
def test_requests_that_can_show_nothing_answer_empty_with_a_notice(tiny_service, kw, notice):
    page = tiny_service.search(SearchRequest(**kw))
    assert not page.hits and any(notice in n for n in page.notices), page.notices


# ---- did you mean -----------------------------------------------------------------------

def test_did_you_mean_for_unknown_words(tiny_service):
    page = search(tiny_service, "tarifs")
    assert page.total == 0
    assert page.suggestion == "tariffs"
    assert search(tiny_service, "hong kong securty").suggestion == "hong kong security"
    assert search(tiny_service, "investigaton").suggestion == "investigation"   # written form, not the stem
    assert search(tiny_service, "Scientsts").suggestion == "scientists"


def test_no_suggestion_for_known_words(tiny_service):
    assert search(tiny_service, "tariffs").suggestion is None


# ---- records ----------------------------------------------------------------------------

def test_get_turn_and_conference(tiny_service):
    turn = tiny_service.get_turn(f"{WH}-2")
    assert turn.speakers == ("Jen Psaki", "Jake Sullivan")
    assert turn.question == "And Hong Kong?" and turn.date == date(2021, 1, 21)
    assert turn.source_format == "whitehouse" and turn.source == "whitehouse/b.md"
    conf = tiny_service.get_conference(MFA)
    assert [t.seq for t in conf.turns] == [0, 1, 2, 3, 4]
    assert conf.officials == ("Zhao Lijian",) and conf.title.startswith("Regular Press Conference")
    with pytest.raises(NotFoundError):
        tiny_service.get_turn("nope-1")
    with pytest.raises(NotFoundError):
        tiny_service.get_conference("nope")


def test_hits_carry_the_turn_facts(tiny_service):
    hit = search(tiny_service, "zurich").hits[0]
    assert (hit.conference_id, hit.seq, hit.outlet, hit.kind) == (MFA, 3, "Reuters", "question-answer")
    assert hit.source_url == "https://example.org/mfa/1" and hit.score > 0
    assert hit.conference_title.startswith("Regular")


def test_missing_index_raises_on_first_use(tmp_path):
    service = SearchService(base_settings().with_index_dir(tmp_path / "none"))  # constructing is fine
    with pytest.raises(IndexMissingError):
        service.search(SearchRequest(q="x"))
    with pytest.raises(IndexMissingError):
        service.stats()


def test_stats_and_generation(tiny_service, tiny_settings):
    stats = tiny_service.stats()
    assert stats.turns == 8 and stats.generation == tiny_service.generation


def test_time_budget_stops_expensive_work(tiny_settings):
    from searchsvc.index.store import open_index
    from searchsvc.search.docsets import DocSets
    from searchsvc.search.facets import load_tables

    with open_index(tiny_settings).searcher() as searcher:
        docsets = DocSets(searcher, load_tables(searcher.reader()))
        assert docsets.term_mask("answer", "tariff").sum() == 1
        docsets.deadline = 0.0           # already past: the next uncached read must stop
        with pytest.raises(QueryError, match="too expensive"):
            docsets.postings("answer", "secur")
        assert docsets.term_mask("answer", "tariff").sum() == 1   # cached work still answers


def test_repeated_phrase_uses_the_mask_cache(tiny_settings, monkeypatch):
    from searchsvc.search.docsets import DocSets

    computed = []
    original = DocSets._phrase_docs

    def counted(self, field, words, offsets=None):
        computed.append(tuple(words))
        return original(self, field, words, offsets)
    monkeypatch.setattr(DocSets, "_phrase_docs", counted)
    service = SearchService(tiny_settings)
    first = search(service, '"rule of law"', per_page=9)
    assert sorted(computed) == [("rule", "law")] * 2          # once per field: question and answer
    again = search(service, '"rule of law"', per_page=8, sort="oldest")   # another page: not the page cache
    assert (first.cached, again.cached) == (False, False)
    assert ids(first) == ids(again) == [f"{WH}-1"]
    assert len(computed) == 2          # the second search took both fields' turns from the mask cache
    service.close()


def test_repeated_query_is_served_from_the_generation_cache(sample_service):
    request = SearchRequest(q="trade", per_page=11)   # a request no other test makes
    first = sample_service.search(request)
    second = sample_service.search(request)
    assert [h.id for h in second.hits] == [h.id for h in first.hits]
    assert second.total == first.total and second.facets == first.facets
    assert second.hits is first.hits          # the same page, not searched again
    assert (first.cached, second.cached) == (False, True)
