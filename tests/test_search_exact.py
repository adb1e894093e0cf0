"""Tests for searchsvc.search.exact: quoted text matches the words as written (no stemming, stop words kept),
bare words keep stemming, highlights mark exactly the quoted words; counts equal brute force over the sample."""

from __future__ import annotations

import re
from datetime import date

import pytest
from research_support import read_turns
from support import base_settings

from searchsvc.index import schema as S
from searchsvc.index.build import rebuild_from_conferences
from searchsvc.models import KIND_QA, Conference, SearchRequest, Turn
from searchsvc.search import SearchService
from searchsvc.search.highlight import find_all_matches, find_phrase_matches, highlight
from searchsvc.search.querying import build_parser, highlight_terms, parse_query

ANSWERS = [
    "Our summer campaigns start in June.",                          # 0
    "The summer campaign starts in June.",                          # 1
    "People to people exchanges matter; people-to-people ties.",     # 2
    "People want people of goodwill.",                              # 3: "people ... people", no "to"
    "We uphold the one-China principle. One China, always.",         # 4
    "China is one country.",                                        # 5
    "Campaigning and campaigned, but no plural.",                   # 6
    "CAMPAIGNS, China\u2019s results and Caf\u00e9 culture.",       # 7: case, typographic apostrophe, accent
]


def conference() -> Conference:
    return Conference(
        id="2022-03-01-briefing-exact0001", title="Briefing", date=date(2022, 3, 1),
        source_url="https://example.org/b", source_file="wh/exact.md", source_format="whitehouse",
        officials=("Jen Psaki",),
        turns=[Turn(i, KIND_QA, "Reuters", f"Question {i}?", ("Jen Psaki",), text, i + 1)
               for i, text in enumerate(ANSWERS)],
    )


@pytest.fixture(scope="module")
def exact_service(tmp_path_factory):
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("exact-index"))
    rebuild_from_conferences(settings, [conference()])
    service = SearchService(settings)
    yield service
    service.close()


def seqs(service: SearchService, q: str, **kw) -> set[int]:
    page = service.search(SearchRequest(q=q, per_page=50, **kw))
    assert page.total == len(page.hits)
    return {h.seq for h in page.hits}


@pytest.mark.parametrize("q, expected", [
    ('"summer campaigns"', {0}),
    ('"summer campaign"', {1}),
    ('"people to people"', {2}),                  # the stop word counts (hyphens are word breaks)
    ('"one China"', {4}),
    ('"China one"', set()),                       # order counts
    ('"campaigns"', {0, 7}),                      # one quoted word is exact too; case aside
    ("'campaigns'", {0, 7}),                      # single quotes as well
    ("campaigns", {0, 1, 6, 7}),
    ('"China\'s results"', {7}),                  # ’ and ' are the same apostrophe
    ('"China results"', set()),
    ('"cafe culture"', {7}),                      # accents folded
    ('"summer campaigns" OR "one China"', {0, 4}),
    ('june -"summer campaign"', {0}),
    ('"to people"', {2}),                         # stop words inside quotes count
    ('"of goodwill"', {3}),
])
def test_quoted_text_matches_the_words_as_written(exact_service, q, expected):
    assert seqs(exact_service, q) == expected


@pytest.mark.parametrize("q, included", [("summer campaigns", {0, 1}), ("people to people", {2, 3})])
def test_bare_words_keep_stemming(exact_service, q, included):
    assert included <= seqs(exact_service, q)


def test_quoted_stop_words_alone_have_nothing_to_search(exact_service):
    page = exact_service.search(SearchRequest(q='"to be or not"'))
    assert page.total == 0 and any("no words" in n for n in page.notices)


def test_scope_applies_to_quoted_text(exact_service):
    assert seqs(exact_service, '"summer campaigns"', scope="question") == set()
    assert seqs(exact_service, '"question 3"', scope="question") == {3}
    assert seqs(exact_service, '"question 3"', scope="answer") == set()


def test_quoted_hits_are_ranked_with_scores(exact_service):
    page = exact_service.search(SearchRequest(q='"summer campaigns"'))
    assert page.hits and page.hits[0].score > 0


@pytest.mark.parametrize("q, seq, marked", [
    ('"summer campaigns"', 0, ["summer campaigns"]),
    ('"people to people"', 2, ["People to people", "people-to-people"]),
    ('"one China"', 4, ["one-China", "One China"]),
    ("'campaigns'", 7, ["CAMPAIGNS"]),
    ('"china\'s"', 7, ["China\u2019s"]),
    ('"one China" principle', 4, ["one-China", "principle", "One China"]),
])
def test_highlights_mark_exactly_the_quoted_words(exact_service, q, seq, marked):
    page = exact_service.search(SearchRequest(q=q, per_page=50))
    hit = next(h for h in page.hits if h.seq == seq)
    assert re.findall(r"<mark>(.*?)</mark>", hit.answer_html) == marked


def test_highlight_terms_keep_phrases_as_tuples(exact_service, sample_settings):
    op = exact_service._current()
    parsed = parse_query(SearchRequest(q='"people to people" summer'), op.searcher.schema, op.searcher.reader(),
                         sample_settings.search)
    terms = highlight_terms(parsed.query)
    assert ("people", "to", "people") in terms[S.ANSWER] and "summer" in terms[S.ANSWER]


def test_phrase_matches_find_overlaps_and_case():
    text = "People to people to PEOPLE, people."
    found = find_phrase_matches(text, [("people", "to", "people")])
    assert [text[s:e] for s, e, _ in found] == ["People to people", "people to PEOPLE"]
    merged = find_all_matches(text, {("people", "to", "people")})
    assert [text[s:e] for s, e, _ in merged] == ["People to people to PEOPLE"]
    assert highlight(text, {("people", "to", "people")}) == "<mark>People to people to PEOPLE</mark>, people."


def test_an_index_without_exact_fields_matches_quotes_on_stems():
    schema = S.build_schema()
    for name in S.EXACT_FIELDS.values():
        schema.remove(name)
    q = build_parser(schema, "both").parse('"summer campaigns"')
    assert {leaf.fieldname for leaf in q.leaves()} == {S.QUESTION, S.ANSWER}
    assert "campaign" in repr(q)


# ---- the bundled sample: every hit of a quoted search holds the words as written; counts equal brute force ----

def _pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w'\u2019])" + r"[^\w'\u2019]+".join(words) + r"(?!\w|['\u2019]\w)", re.IGNORECASE)


@pytest.fixture(scope="module")
def sample_texts(sample_service):
    return [(t.question, t.answer) for t in read_turns(sample_service)]


@pytest.mark.parametrize("phrase", ["summer campaigns", "summer campaign", "people to people", "one China",
                                    "the United States", "campaigns", "sanctions", "the rule of law", "to people"])
def test_sample_quoted_totals_equal_brute_force(sample_service, sample_texts, phrase):
    pattern = _pattern(phrase)
    expected = sum(1 for q, a in sample_texts if pattern.search(q) or pattern.search(a))
    page = sample_service.search(SearchRequest(q=f'"{phrase}"', per_page=50))
    assert page.total == expected
    for hit in page.hits:
        marks = re.findall(r"<mark>(.*?)</mark>", hit.question_html + hit.answer_html)
        assert marks and all(pattern.fullmatch(m.replace("&#x27;", "'")) for m in marks)


@pytest.mark.parametrize("plural, singular", [("campaigns", "campaign"), ("sanctions", "sanction"),
                                              ("elections", "election")])
def test_sample_quoted_and_bare_forms_differ_where_stems_do(sample_service, plural, singular):
    def total(q):
        return sample_service.search(SearchRequest(q=q)).total
    assert total(f'"{plural}"') != total(f'"{singular}"')
    assert total(plural) == total(singular)
