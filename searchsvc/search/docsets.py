"""Search stage: query -> boolean document mask, and BM25F scores, computed with numpy over cached postings.

Whoosh's matchers walk postings one id at a time in Python (is_active/id/next per posting, then a
score call per document), so counting, facetting and ranking a frequent word cost 150-250 ms on the
shared corpus. Here each term's postings (docnums and term frequencies) are read once, block by block,
and cached per searcher; And/Or/Not become mask operations and scoring is one vectorised BM25F
expression per term (same formula and parameters as whoosh.scoring.BM25F). Queries other than
Term/And/Or/Not and exact phrases (phrases.py) fall back to Whoosh's own matching for the mask.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from math import log
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh import query as Q
from whoosh.reading import TermNotFound

from ..errors import QueryBudgetError
from ..index import whoosh_private as W
from .facets import IndexTables
from .phrases import PositionDecoder, phrase_docs

CACHE_BYTES = 24 << 20     # memory for the postings and positions caches of a searcher (config: search.cache_mb)
POSITIONS_SHARE = 1 / 3    # of it for decoded word positions (phrases, proximity), the rest for postings
ENTRY_OVERHEAD = 320       # bytes a cached posting list costs beyond its arrays (two ndarray headers, key, links)
MASK_CACHE = 64            # masks of phrase (and other non-boolean) queries kept per searcher, a bit per document
B, K1 = 0.75, 1.2          # whoosh.scoring.BM25F defaults
SPARSE_SCORING = 4         # score only the matched documents when a term's postings are this many times more


class DocSets:
    """Masks and scores over one searcher (not thread-safe: the SearchService lock guards it)."""

    def __init__(self, searcher: Any, tables: IndexTables, cache_bytes: int = CACHE_BYTES) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.tables = tables
        self.deletions = self.reader.has_deletions()
        self._postings: LRUCache[tuple[str, str], tuple[np.ndarray, np.ndarray]] = LRUCache(
            max(1, int(cache_bytes * (1 - POSITIONS_SHARE))), getsizeof=posting_bytes)
        self._masks: LRUCache[str, np.ndarray] = LRUCache(MASK_CACHE)      # packed bits (np.packbits)
        self.decoder = PositionDecoder(int(cache_bytes * POSITIONS_SHARE))   # shared by phrase and proximity reads
        self.deadline: float | None = None   # time.perf_counter() value; set per search by the service

    def over_budget(self) -> bool:
        """True once the current search has used up its time budget (optional extras are then skipped)."""
        return self.deadline is not None and time.perf_counter() > self.deadline

    def check_time(self) -> None:
        """QueryBudgetError once the current search has used up its time budget (checked before costly steps)."""
        if self.over_budget():
            raise QueryBudgetError("query is too expensive (time budget exceeded); use fewer or more specific words")

    # ---- postings -------------------------------------------------------------------

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums int32, term frequencies float32) of a term; cached."""
        key = (field, text)
        found = self._postings.get(key)
        if found is not None:
            return found
        self.check_time()
        found = self._read(field, text)
        if posting_bytes(found) <= self._postings.maxsize:
            self._postings[key] = found
        return found

    def _read(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for sub, base in self.reader.leaf_readers():
            try:
                matcher = sub.postings(field, text)
            except TermNotFound:
                continue
            found = W.posting_arrays(matcher)   # W3 codec: whole blocks at a time; deleted docs masked with live
            if found is None:
                segment_ids: list[int] = []
                segment_weights: list[float] = []
                while matcher.is_active():
                    segment_ids.append(matcher.id())
                    segment_weights.append(matcher.weight())
                    matcher.next()
                found = (np.asarray(segment_ids, dtype=np.int64), np.asarray(segment_weights, dtype=np.float32))
            ids.append(found[0] + base)
            weights.append(found[1])
        if not ids:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids).astype(np.int32), np.concatenate(weights).astype(np.float32)

    # ---- masks ----------------------------------------------------------------------

    def term_mask(self, field: str, text: str) -> np.ndarray:
        mask = np.zeros(self.tables.size, dtype=bool)
        mask[self.postings(field, text)[0]] = True
        return mask & self.tables.live if self.deletions else mask

    def mask(self, q: Q.Query | None) -> np.ndarray:
        """Documents matching a query (deleted documents excluded)."""
        live = self.tables.live
        if q is None or q is Q.NullQuery:
            return np.zeros(self.tables.size, dtype=bool)
        if isinstance(q, Q.Term):
            return self.term_mask(q.fieldname, q.text)
        if isinstance(q, Q.Every):
            return live.copy()
        if isinstance(q, Q.AndNot):
            without: np.ndarray = self.mask(q.a) & ~self.mask(q.b)
            return without
        if isinstance(q, Q.AndMaybe):
            return self.mask(q.a)
        if isinstance(q, Q.Not):
            others: np.ndarray = live & ~self.mask(q.query)
            return others
        if isinstance(q, Q.And):
            positive = [c for c in q.subqueries if not isinstance(c, Q.Not)]
            if not positive:
                return np.zeros(self.tables.size, dtype=bool)
            out = self.mask(positive[0]).copy()
            for c in positive[1:]:
                out &= self.mask(c)
            for c in q.subqueries:
                if isinstance(c, Q.Not):
                    out &= ~self.mask(c.query)
            return out
        if isinstance(q, Q.Or):
            out = np.zeros(self.tables.size, dtype=bool)
            for c in q.subqueries:
                out |= self.mask(c)
            return out
        child = getattr(q, "child", None)
        if isinstance(child, Q.Query):   # wrappers (ConstantScoreQuery ...)
            return self.mask(child)
        return self._matched_mask(q)

    def _matched_mask(self, q: Q.Query) -> np.ndarray:
        """Mask of a phrase (or another query Whoosh matches), cached: paging and facet clicks repeat it."""
        key = repr(q)
        packed = self._masks.get(key)
        if packed is not None:
            return np.unpackbits(packed, count=self.tables.size).view(bool)
        self.check_time()
        out = np.zeros(self.tables.size, dtype=bool)
        if isinstance(q, Q.Phrase) and q.slop == 1 and q.words:
            docs = self._phrase_docs(q.fieldname, list(q.words), getattr(q, "offsets", None))
            verify = getattr(q, "verify", None)      # a quoted phrase with stop words (exact.ExactPhrase)
            out[verify(self.searcher, docs, self.check_time) if verify is not None and len(docs) else docs] = True
        else:
            out[np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)] = True
        out &= self.tables.live
        self._masks[key] = np.packbits(out)    # a bit per document: 7 KB a mask at x1, not 58
        return out

    def _phrase_docs(self, field: str, words: list[str], offsets: list[int] | None = None) -> np.ndarray:
        """Docnums with `words` at consecutive positions (or at `offsets`): candidates from the postings,
        positions checked."""
        candidates = np.flatnonzero(np.logical_and.reduce([self.term_mask(field, w) for w in words]))
        if len(words) == 1 or not len(candidates):
            return candidates
        return phrase_docs(self.reader, field, words, candidates, lambda w: self.postings(field, w)[0],
                           self.decoder, self.check_time, offsets)

    # ---- scores ---------------------------------------------------------------------

    def scores(self, terms: Iterable[tuple[str, str, float]], within: np.ndarray | None = None) -> np.ndarray:
        """BM25F score of every document for (field, text, boost) terms (zeros where nothing matches). With
        `within` (a mask) only its documents' scores count: a term whose postings far outnumber them is scored
        on them alone (the same figures for them; the others may be left out), which spares the arithmetic over
        a frequent word's whole posting list when a phrase or a rare word keeps a few turns."""
        total = np.zeros(self.tables.size, dtype=np.float32)
        doc_count = self.reader.doc_count_all()
        wanted = int(np.count_nonzero(within)) if within is not None else 0
        for field, text, boost in terms:
            ids, tf = self.postings(field, text)
            if not len(ids):
                continue
            idf = log(doc_count / (len(ids) + 1)) + 1      # of the whole list, filtered or not
            if within is not None and wanted * SPARSE_SCORING < len(ids):
                keep = within[ids]
                ids, tf = ids[keep], tf[keep]
            norm = (1 - B) + B * self.tables.lengths[field][ids] / self.tables.avg_length[field]
            total[ids] += boost * idf * (tf * (K1 + 1)) / (tf + K1 * norm)
        return total


def posting_bytes(entry: tuple[np.ndarray, np.ndarray]) -> int:
    """Memory one cached posting list holds: its two arrays and their objects."""
    return entry[0].nbytes + entry[1].nbytes + ENTRY_OVERHEAD
