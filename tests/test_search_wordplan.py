"""Tests for searchsvc.search.wordplan: names as fields, optional words, synonyms and word forms, the ranking
query and the notices (over the tiny index and small planted ones; figures are in bench/knownitem)."""

from datetime import date

import pytest
from support import base_settings, hit_ids, search_page, tiny_conferences

from searchsvc.models import KIND_QA, Conference, SearchRequest, Turn
from searchsvc.search.querying import parse_query
from searchsvc.search.wordplan import (
    COMMON_BOOST,
    EXPANSION_BOOST,
    FILLER_BOOST,
    FORM_BOOST,
    Slot,
    WordPlan,
    filler_kind,
    plan_words,
    ranking_query,
)

MFA, WH = (c.id for c in tiny_conferences())


def test_shipped_synonyms_expand_multiword_queries(tiny_service):
    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q="DPRK nuclear talks"), gen.schema, gen.reader, tiny_service.settings.search)
    plan = plan_words(parsed, None, gen.reader, gen.tables.size)
    dprk = next(s for s in plan.slots if s.surface == "DPRK")
    assert "north korea" in dprk.expansions and plan.changed



def test_word_forms_rank_below_the_typed_word_and_synonyms(tiny_service):
    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q="Chinese tariffs"), gen.schema, gen.reader, tiny_service.settings.search)
    plan = plan_words(parsed, None, gen.reader, gen.tables.size)
    chinese = next(s for s in plan.slots if s.surface == "Chinese")
    assert chinese.expansions == ("china",) and chinese.forms and not chinese.alternatives and plan.changed
    shown = ranking_query(plan)
    assert [p.boost for p in shown.subqueries] == [1.0, FORM_BOOST, 1.0]
    assert FORM_BOOST < EXPANSION_BOOST < 1.0


def test_a_listed_synonym_keeps_its_other_forms(tiny_service):
    """`denies` is in both lists: its synonyms (reject, dispute) rank at EXPANSION_BOOST, `denial` at FORM_BOOST."""
    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q="denies tariffs"), gen.schema, gen.reader, tiny_service.settings.search)
    denies = plan_words(parsed, None, gen.reader, gen.tables.size).slots[0]
    assert denies.alternatives and denies.forms and "denial" in denies.expansions and "dispute" in denies.expansions


def test_one_word_counts_exactly_its_turns(tiny_service):
    """No synonyms for a query of one word: its total is the turns holding it (timelines, exports)."""
    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q="covid"), gen.schema, gen.reader, tiny_service.settings.search)
    assert not plan_words(parsed, None, gen.reader, gen.tables.size).changed


@pytest.mark.parametrize("q, expected", [
    ("Zhao tariffs", f"{MFA}-3"),                  # the speaker's name is not in the text
    ("Psaki tariffs", f"{WH}-1"),
    ("MS. PSAKI tariffs", f"{WH}-1"),
    ("Reuters tariffs", f"{MFA}-3"),               # the outlet of the question
    ("Bloomberg asked about the sanctions", f"{MFA}-4"),
    ("what did Zhao say about tariffs", f"{MFA}-3"),   # words without a topic are optional
    ("Sullivan Hong Kong", f"{WH}-2"),
])
def test_names_match_their_fields(tiny_service, q, expected):
    page = search_page(tiny_service, q)
    assert hit_ids(page)[0] == expected
    assert any("also matched the" in n for n in page.notices)


@pytest.mark.parametrize("surface, term, share, big, kind", [
    ("what", "what", 0.0, True, True),            # the shipped list: no topic
    ("asked", "ask", 0.0, False, True),
    ("president", "presid", 0.2, True, False),    # in a large share of a large index: common, optional
    ("president", "presid", 0.2, False, None),    # ... shares of a small index mean nothing
    ("tariffs", "tariff", 0.01, True, None),      # informative
])
def test_filler_kinds(surface, term, share, big, kind):
    assert filler_kind(surface, term, lambda t: share, big) is kind


def test_common_words_rank_as_typed_and_listed_fillers_below(tiny_service):
    """Optional words from the shipped list rank at FILLER_BOOST; words optional for being common at
    COMMON_BOOST (their idf already makes them weigh little)."""
    gen = tiny_service._current()
    parsed = parse_query(SearchRequest(q="asked tariffs"), gen.schema, gen.reader, tiny_service.settings.search)
    plan = plan_words(parsed, None, gen.reader, gen.tables.size)
    assert [f.surface for f in plan.fillers] == ["asked"] and plan.fillers[0].listed
    common = Slot("tariffs", plan.slots[0].typed, listed=False)
    shown = ranking_query(WordPlan([], [plan.fillers[0], common], [], True))
    assert [p.boost for p in shown.subqueries] == [FILLER_BOOST, COMMON_BOOST]


def test_only_words_without_topic_are_required_then(tiny_service):
    assert set(hit_ids(search_page(tiny_service, "response"))) == {f"{MFA}-4"}


def test_exact_quotes_are_not_names(tiny_service):
    page = search_page(tiny_service, '"Zhao" tariffs')
    assert page.total == 0 or not page.suggested_filters


FORMS = "2021-03-01-press-briefing-dddd4444"


@pytest.fixture(scope="module")
def forms_service(tmp_path_factory):
    """Turns that say in other words what the queries below ask: a place's people for the place, a word of the
    same family, a synonym of the news; and turns that say it as typed."""
    from searchsvc.index.build import rebuild_from_conferences
    from searchsvc.search import SearchService

    texts = [("What about the Iranian proposal on shipping?", "We will study it."),
             ("What about the Iran proposal on shipping?", "We will study it."),
             ("Will the minister go abroad?", "The minister will visit Paraguay next week."),
             ("Who spoke against the bill?", "Those who oppose the harbour bill spoke today.")]
    texts += [(f"Question number {i}?", f"Answer {i} about weather.") for i in range(4, 24)]
    turns = [Turn(i, KIND_QA, "", q, ("Karine Jean-Pierre",), a, i + 1) for i, (q, a) in enumerate(texts)]
    conf = Conference(id=FORMS, title="Press Briefing", date=date(2021, 3, 1), source_url="https://example.org/wh/3",
                      source_file="whitehouse/d.md", source_format="whitehouse",
                      officials=("Karine Jean-Pierre",), turns=turns)
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("forms-index"))
    rebuild_from_conferences(settings, [conf])
    service = SearchService(settings)
    yield service
    service.close()


@pytest.mark.parametrize("q, expected, shown", [
    ("Iranian proposal shipping", [f"{FORMS}-0", f"{FORMS}-1"], "iran"),   # the typed form first, the other after
    ("Iran proposal shipping", [f"{FORMS}-1", f"{FORMS}-0"], "iranian"),
    ("minister trip Paraguay", [f"{FORMS}-2"], "visit"),                   # a synonym of the shipped list
    ("opponents harbour bill", [f"{FORMS}-3"], "oppose"),                  # a word of the same family
])
def test_other_words_and_forms_find_the_turn_and_say_so(forms_service, q, expected, shown):
    page = search_page(forms_service, q)
    assert hit_ids(page)[:len(expected)] == expected and not page.optional_terms   # every slot met: no relaxing
    assert any("also searched as" in n and shown in n for n in page.notices)
