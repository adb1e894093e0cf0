"""Tests for search/generation.py: an open generation's term statistics (the doc-frequency memo)."""

from __future__ import annotations

import pytest
from whoosh.reading import ReaderClosed

from searchsvc.index import schema as S
from searchsvc.index.store import current_generation, open_generation_index
from searchsvc.search.generation import open_current, remember_doc_frequencies


def _fresh_reader(settings):
    """A reader of the same generation opened on its own (no memo)."""
    return open_generation_index(settings, current_generation(settings)).searcher().reader()


def test_doc_frequencies_are_the_readers_own(tiny_settings):
    gen = open_current(tiny_settings, None)
    reader = gen.reader
    fresh = _fresh_reader(tiny_settings)
    asked = [(field, term) for field in S.TEXT_FIELDS for term in fresh.lexicon(field)]
    asked += [(S.ANSWER, "zzznotaword"), (S.QUESTION, "")]
    assert len(asked) > 50
    for _ in range(2):                      # asked twice: the second answers come from the memo
        assert [reader.doc_frequency(f, t) for f, t in asked] == [fresh.doc_frequency(f, t) for f, t in asked]
    assert any(fresh.doc_frequency(f, t) > 1 for f, t in asked)
    gen.close()


def test_a_doc_frequency_once_asked_is_not_read_again(tiny_settings):
    gen = open_current(tiny_settings, None)
    term = next(iter(gen.reader.lexicon(S.ANSWER)))
    known = gen.reader.doc_frequency(S.ANSWER, term)
    gen.close()        # its files are closed: only a remembered answer can still be given
    assert gen.reader.doc_frequency(S.ANSWER, term) == known
    with pytest.raises(ReaderClosed):
        gen.reader.doc_frequency(S.QUESTION, term)


def test_the_doc_frequency_memo_stays_within_its_bound(tiny_settings):
    reader = _fresh_reader(tiny_settings)
    remember_doc_frequencies(reader, most=3)
    terms = list(reader.lexicon(S.ANSWER))[:5]
    assert len(terms) == 5
    for term in terms + terms[-3:]:
        reader.doc_frequency(S.ANSWER, term)
    info = reader.doc_frequency.cache_info()
    assert (info.currsize, info.maxsize, info.hits, info.misses) == (3, 3, 3, 5)


@pytest.mark.parametrize("index_mb, floor, ceiling, expected", [
    (135, 24, 128, 24),      # x1 of the shared corpus: 8% is 10.8 MB, the floor holds
    (1266, 24, 128, 101),    # x10: 8% of the index
    (4000, 24, 128, 128),    # beyond: the ceiling
    (1266, 200, 128, 200),   # a floor above the ceiling wins (cache_mb is "at least")
])
def test_cache_budget_grows_with_the_index_within_its_bounds(index_mb, floor, ceiling, expected):
    """cache_budget_mb: CACHE_INDEX_SHARE of the index's bytes, never below cache_mb nor above cache_max_mb."""
    from searchsvc.config import SearchSettings
    from searchsvc.search.generation import cache_budget_mb
    limits = SearchSettings(cache_mb=floor, cache_max_mb=ceiling)
    assert cache_budget_mb(limits, index_mb << 20) == expected
