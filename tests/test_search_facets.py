"""Tests for facets, filters, sorting and paging of SearchService against brute force over the parsed sample."""

from collections import Counter
from datetime import date

import pytest
from support import SAMPLE

from searchsvc.analysis import analyze_terms
from searchsvc.index.schema import clean_name
from searchsvc.ingest import parse_paths
from searchsvc.models import SearchRequest, turn_id


@pytest.fixture(scope="session")
def sample_turns():
    """(turn id, conference, turn, index terms of question+answer) for every parsed sample turn."""
    result = parse_paths([SAMPLE])
    out = []
    for conf in result.conferences:
        for turn in conf.turns:
            terms = set(analyze_terms(turn.question)) | set(analyze_terms(turn.answer))
            out.append((turn_id(conf.id, turn.seq), conf, turn, terms))
    return out


def _values(conf, turn, facet):
    if facet == "speaker":
        return {clean_name(s) for s in turn.speakers if clean_name(s)}
    if facet == "outlet":
        return {clean_name(turn.outlet)} - {""}
    if facet == "conference":
        return {conf.id}
    return {str(conf.date.year)}


def brute(sample_turns, words=(), speakers=(), outlets=(), years=(), conferences=(), date_from=None, date_to=None,
          ignore=None):
    """Turn ids matching all words and filters (OR within a facet, AND across); `ignore` drops one facet."""
    wanted = {"speaker": set(speakers), "outlet": set(outlets), "year": {str(y) for y in years},
              "conference": set(conferences)}
    stems = [analyze_terms(w)[0] for w in words]
    hits = []
    for tid, conf, turn, terms in sample_turns:
        if not all(s in terms for s in stems):
            continue
        if date_from and conf.date < date_from or date_to and conf.date > date_to:
            continue
        if any(sel and facet != ignore and not (sel & _values(conf, turn, facet)) for facet, sel in wanted.items()):
            continue
        hits.append((tid, conf, turn))
    return hits


def brute_counts(hits, facet):
    counts = Counter()
    for _, conf, turn in hits:
        counts.update(_values(conf, turn, facet))
    return counts


def page_counts(page, facet):
    return {v.value: v.count for v in page.facets[facet] if v.count}


@pytest.mark.parametrize("q", ["", "china", "security", "president", "taiwan"])
def test_totals_and_facet_counts_equal_brute_force(sample_service, sample_turns, q):
    page = sample_service.search(SearchRequest(q=q))
    hits = brute(sample_turns, q.split())
    assert page.total == len(hits)
    for facet in ("speaker", "outlet", "conference", "year"):
        assert page_counts(page, facet) == dict(brute_counts(hits, facet)), facet


def test_facet_values_over_the_whole_index(sample_service, sample_turns):
    everything = brute(sample_turns)
    values = sample_service.facet_values()
    for facet in ("speaker", "outlet", "conference", "year"):
        assert {v.value: v.count for v in values[facet]} == dict(brute_counts(everything, facet))
    titles = {conf.id: conf.title for _, conf, _, _ in sample_turns}
    assert all(v.label == titles[v.value] for v in values["conference"])


def test_filters_or_within_and_across_facets_with_disjunctive_counts(sample_service, sample_turns):
    speakers = [v.value for v in sample_service.facet_values()["speaker"][:2]]
    years = sorted({int(v.value) for v in sample_service.facet_values()["year"]})[-3:]
    request = SearchRequest(q="", speakers=tuple(speakers), years=tuple(years))
    page = sample_service.search(request)
    hits = brute(sample_turns, speakers=speakers, years=years)
    assert page.total == len(hits) > 0
    # a facet's counts ignore its own selection, but apply the other facets' selections
    for facet in ("speaker", "year", "outlet", "conference"):
        expected = brute_counts(brute(sample_turns, speakers=speakers, years=years, ignore=facet), facet)
        assert page_counts(page, facet) == dict(expected), facet
    selected = {v.value for v in page.facets["speaker"] if v.selected}
    assert selected == set(speakers)


def test_selected_value_without_results_is_still_listed(sample_service):
    page = sample_service.search(SearchRequest(q="china", outlets=("No Such Outlet",)))
    assert page.total == 0
    assert [(v.value, v.count, v.selected) for v in page.facets["outlet"] if v.selected] == \
        [("No Such Outlet", 0, True)]


def test_conference_filter_and_date_range(sample_service, sample_turns):
    conf = sample_turns[0][1]
    page = sample_service.search(SearchRequest(conferences=(conf.id,), per_page=100))
    assert page.total == len(conf.turns)
    assert {h.conference_id for h in page.hits} == {conf.id}
    lo, hi = date(2021, 1, 1), date(2022, 12, 31)
    page = sample_service.search(SearchRequest(q="security", date_from=lo, date_to=hi, per_page=100))
    assert page.total == len(brute(sample_turns, ["security"], date_from=lo, date_to=hi))
    assert all(lo <= h.date <= hi for h in page.hits)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts(sample_service, sort):
    page = sample_service.search(SearchRequest(q="security", sort=sort, per_page=100))
    keys = [(h.date, h.conference_id, h.seq) for h in page.hits]
    assert keys == sorted(keys, reverse=(sort == "newest"))
    assert len(keys) == min(100, page.total)


def test_relevance_sort_orders_by_score(sample_service):
    page = sample_service.search(SearchRequest(q="china taiwan", per_page=50))
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_paging_covers_every_result_once(sample_service, sort):
    total = sample_service.search(SearchRequest(q="president", sort=sort)).total
    seen = []
    for number in range(1, -(-total // 7) + 1):
        page = sample_service.search(SearchRequest(q="president", sort=sort, page=number, per_page=7))
        assert page.pages == -(-total // 7)
        seen.extend(h.id for h in page.hits)
    assert len(seen) == len(set(seen)) == total
    beyond = sample_service.search(SearchRequest(q="president", sort=sort, page=200, per_page=7))
    assert beyond.hits == () and beyond.total == total


@pytest.mark.parametrize("share", [0.0, 0.01, 0.3, 1.0])
def test_counts_of_multi_valued_facets_equal_counting_every_column(sample_service, share):
    import numpy as np

    from searchsvc.search.facets import count_docs
    tables = sample_service.current().tables
    rng = np.random.default_rng(17)
    docs = np.flatnonzero(rng.random(tables.size) < share) if share < 1 else np.arange(tables.size)
    several = [f for f, c in tables.codes.items() if c.ndim == 2 and (c[:, 1:] >= 0).any()]
    assert "speaker" in several           # the sample has turns with several speakers
    for facet, codes in tables.codes.items():
        picked = codes[docs]
        expected = np.bincount(picked[picked >= 0].ravel(), minlength=len(tables.values[facet]))
        assert count_docs(tables, facet, docs).tolist() == expected.tolist()


@pytest.mark.parametrize("picked", [1, 2, 3, 12])
def test_filter_masks_equal_matching_every_column(sample_service, picked):
    """values_mask (first column, then the few rows with more values) equals np.isin over every column."""
    import numpy as np

    from searchsvc.search.facets import values_mask
    tables = sample_service.current().tables
    rng = np.random.default_rng(picked)
    for facet, codes in tables.codes.items():
        values = tables.values[facet]
        for _ in range(5):
            selected = [values[i] for i in rng.choice(len(values), min(picked, len(values)), replace=False)]
            expected = np.isin(codes, [tables.index[facet][v] for v in selected])
            expected = (expected.any(axis=1) if expected.ndim == 2 else expected) & tables.live
            assert values_mask(tables, facet, selected).tolist() == expected.tolist(), (facet, selected)
