"""Tests for searchsvc.search.docsets: its BM25F scores are whoosh.scoring.BM25F's (same formula, statistics and
rounded field lengths), term by term and for boosted sums, on a real index with and without deletions."""

from __future__ import annotations

import numpy as np
import pytest
from support import WEB_DATA, base_settings, tiny_conferences
from whoosh import query as Q
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from searchsvc.index.build import add_to_index, rebuild_from_conferences

TERMS = [("answer", "presid"), ("answer", "trade"), ("question", "china"), ("answer", "econom"), ("question", "secur")]


def whoosh_scores(gen, query) -> dict[int, float]:
    with Searcher(gen.reader, weighting=BM25F(), closereader=False) as searcher:
        return {hit.docnum: hit.score for hit in searcher.search(query, limit=None, scored=True)}


def ours(gen, terms) -> dict[int, float]:
    scores = gen.docsets.scores(terms)
    return {int(d): float(scores[d]) for d in np.flatnonzero(scores) if gen.tables.live[d]}


def assert_same(mine: dict[int, float], theirs: dict[int, float]) -> None:
    assert mine.keys() == theirs.keys()
    for docnum, score in theirs.items():
        assert mine[docnum] == pytest.approx(score, rel=1e-5), docnum


@pytest.mark.parametrize("field, text", TERMS)
def test_term_scores_equal_whoosh_bm25f(sample_service, field, text):
    gen = sample_service.current()
    theirs = whoosh_scores(gen, Q.Term(field, text))
    assert theirs, (field, text)
    assert_same(ours(gen, [(field, text, 1.0)]), theirs)


def test_boosted_sums_equal_whoosh_bm25f(sample_service):
    gen = sample_service.current()
    parts = [("question", "trade", 1.2), ("answer", "trade", 1.0), ("answer", "presid", 0.5)]
    query = Q.Or([Q.Term(f, t, boost=b) for f, t, b in parts])
    assert_same(ours(gen, parts), whoosh_scores(gen, query))


@pytest.mark.parametrize("keep_every", [1, 3, 50])
def test_scores_within_a_mask_equal_the_full_scores_there_and_zero_elsewhere(sample_service, keep_every):
    """scores(terms, within): the documents of the mask get exactly the full computation's scores (bit for
    bit: the page's order and shown scores must not move), whether a term's postings are filtered (a sparse
    mask: then the documents outside it are not scored at all) or not (a dense one)."""
    gen = sample_service.current()
    parts = [("question", "trade", 1.2), ("answer", "trade", 1.0), ("answer", "presid", 0.5)]
    full = gen.docsets.scores(parts)
    within = np.zeros(gen.tables.size, dtype=bool)
    within[np.flatnonzero(full)[::keep_every]] = True
    got = gen.docsets.scores(parts, within)
    assert np.array_equal(got[within], full[within])
    assert within.sum() > 1
    if keep_every == 50:
        assert np.count_nonzero(got) < np.count_nonzero(full)    # the long lists were filtered


def test_average_lengths_are_whoosh_bm25f_ones(sample_service):
    gen = sample_service.current()
    with Searcher(gen.reader, closereader=False) as searcher:
        for field, avg in gen.tables.avg_length.items():
            assert avg == pytest.approx(searcher.avg_field_length(field), rel=1e-12), field


def test_scores_with_deleted_turns_equal_whoosh_bm25f(tmp_path):
    from searchsvc.search import SearchService
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, tiny_conferences())
    add_to_index(settings, [WEB_DATA])
    service = SearchService(settings)
    gen = service.current()
    for field, text in [("answer", "hong"), ("answer", "secur"), ("question", "tariff")]:
        theirs = whoosh_scores(gen, Q.Term(field, text))
        assert theirs
        assert_same(ours(gen, [(field, text, 1.0)]), theirs)
    service.close()



def test_postings_cache_stays_within_its_byte_budget(sample_service):
    """A DocSets given a small memory budget never holds more posting bytes than its share, and answers as before."""
    from searchsvc.search.docsets import POSITIONS_SHARE, DocSets, posting_bytes
    gen = sample_service.current()
    budget = 64 << 10
    small = DocSets(gen.searcher, gen.tables, budget)
    words = [t for t in gen.reader.lexicon("answer")][:400]
    held = 0
    for word in words:
        text = word.decode() if isinstance(word, bytes) else word
        ids, tf = small.postings("answer", text)
        ref_ids, ref_tf = gen.docsets.postings("answer", text)
        assert np.array_equal(ids, ref_ids) and np.array_equal(tf, ref_tf), text
        held = sum(posting_bytes(v) for v in small._postings.values())
        assert held <= budget * (1 - POSITIONS_SHARE), (text, held)
    assert held > budget / 4   # the cache was used, not left empty


def test_cache_mb_setting_bounds_each_generation(tmp_path):
    """search.cache_mb of the settings is the budget a generation's caches get."""
    import dataclasses

    from searchsvc.search import SearchService
    from searchsvc.search.docsets import POSITIONS_SHARE
    settings = base_settings().with_index_dir(tmp_path / "index")
    settings = dataclasses.replace(settings, search=dataclasses.replace(settings.search, cache_mb=3))
    rebuild_from_conferences(settings, tiny_conferences())
    service = SearchService(settings)
    assert service.current().docsets._postings.maxsize == int((3 << 20) * (1 - POSITIONS_SHARE))
    service.close()



def test_phrase_masks_are_kept_as_bits_and_come_back_the_same(sample_service):
    """A phrase's mask is remembered a bit per document (an eighth of a bool array) and a repeated phrase gets
    the same documents back, as a mask of its own (changing it leaves the remembered one as it was)."""
    from searchsvc.search.docsets import DocSets
    gen = sample_service.current()
    docsets = DocSets(gen.searcher, gen.tables)
    phrase = Q.Phrase("answer", ["unit", "state"])
    reference = np.zeros(gen.tables.size, dtype=bool)
    reference[np.fromiter(gen.searcher.docs_for_query(phrase), dtype=np.int64)] = True
    assert reference.any()
    first = docsets.mask(phrase)
    assert first.dtype == bool and first.shape == (gen.tables.size,)
    assert np.array_equal(first, reference & gen.tables.live)
    (kept,) = docsets._masks.values()
    assert kept.nbytes == (gen.tables.size + 7) // 8
    again = docsets.mask(phrase)
    assert np.array_equal(again, first)
    again[:] = True
    assert np.array_equal(docsets.mask(phrase), first)
