"""Search stage: what ranking adds to BM25F for a word plan (names, proximity, verbatim) and its suggested filters.

A name of the query scores like a word of the speaker/outlet field (NAME_BOOST times the idf of its turns); each pair
of the query's consecutive words side by side in one of the best turns adds PROXIMITY_BOOST; the turns holding a
pasted query as written (verbatim.py) rank first.
"""

from __future__ import annotations

from collections.abc import Callable
from math import log

import numpy as np

from ..index import schema as S
from ..models import SuggestedFilter
from .docsets import DocSets
from .facets import IndexTables, values_mask
from .phrases import pair_docs
from .querying import ParsedQuery
from .relaxing import names_mask
from .verbatim import VERBATIM_BONUS
from .wordplan import WordPlan, word_terms

NAME_BOOST = 1.5          # a speaker/outlet named in the query scores like a text word of this boost (times its idf)
PROXIMITY_BOOST = 4.0     # per pair of consecutive query words side by side in a turn
PROXIMITY_CANDIDATES = 30
PROXIMITY_MIN_WORDS = 3   # shorter queries rank well on BM25F alone; proximity costs position reads
PROXIMITY_PAIRS = 10
SUGGESTED_PER_NAME = 3    # values of one name offered as filters
SUGGESTED_FILTERS = 4


def name_bonus(plan: WordPlan, tables: IndexTables) -> np.ndarray | None:
    """Per turn: what the names of the query add (BM25F-like: boost times the idf of the name's turns)."""
    named = [s for s in plan.slots if s.names]
    if not named:
        return None
    out = np.zeros(tables.size, dtype=np.float32)
    for slot in named:
        mask = names_mask(tables, slot.names, plan.masks)
        out[mask] += NAME_BOOST * (log(tables.size / (int(mask.sum()) + 1)) + 1)
    return out


class Boosts:
    """What ranking adds to BM25F (and coverage) for a query: its names' scores and the proximity of its words:
    each pair of the query's consecutive words found side by side in a turn (stop words aside) adds
    PROXIMITY_BOOST, looked at in the PROXIMITY_CANDIDATES best turns (positions read for those only); the turns
    holding a pasted query as written (verbatim.py) rank first."""

    def __init__(self, names: np.ndarray | None, pairs: frozenset[tuple[str, str]], docsets: DocSets,
                 verbatim: np.ndarray | None = None):
        self.names, self.pairs, self.docsets, self.verbatim = names, pairs, docsets, verbatim

    def apply(self, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """scores (of docs) with the boosts added; the candidates depend on the scores only (stable paging)."""
        if self.names is not None:
            scores = scores + self.names[docs]
        if self.verbatim is not None:
            scores = scores + np.float32(VERBATIM_BONUS) * self.verbatim[docs]
        if not self.pairs or not len(docs):
            return scores
        best = np.argsort(-scores, kind="stable")[:PROXIMITY_CANDIDATES]
        found = self.pairs_found(np.sort(docs[best]))
        boosted: np.ndarray = scores + PROXIMITY_BOOST * found[docs].astype(np.float32)
        return boosted

    def pairs_found(self, candidates: np.ndarray) -> np.ndarray:
        """Per docnum: how many of the pairs stand side by side in one of its text fields (candidates only)."""
        ds = self.docsets
        seen = {pair: np.zeros(ds.tables.size, dtype=bool) for pair in self.pairs}
        for name in S.TEXT_FIELDS:
            held = {w: ds.term_mask(name, w)[candidates] for pair in self.pairs for w in pair}
            have = {pair: candidates[held[pair[0]] & held[pair[1]]] for pair in self.pairs}
            found = pair_docs(ds.reader, name, {p: d for p, d in have.items() if len(d)}, _postings_of(ds, name),
                              ds.decoder, ds.check_time)
            for pair, docs in found.items():
                seen[pair][docs] = True
        count = np.zeros(ds.tables.size, dtype=np.int16)
        for pair in self.pairs:
            count += seen[pair]
        return count


def _postings_of(docsets: DocSets, field: str) -> Callable[[str], np.ndarray]:
    return lambda word: docsets.postings(field, word)[0]


def boosts_for(plan: WordPlan, parsed: ParsedQuery, tables: IndexTables, docsets: DocSets,
               verbatim: np.ndarray | None = None) -> Boosts | None:
    terms = [t for _, q in parsed.plain for t in (word_terms(q) or ())]
    pairs = frozenset(list(dict.fromkeys(p for p in zip(terms, terms[1:]) if p[0] != p[1]))[:PROXIMITY_PAIRS]
                      if len(terms) >= PROXIMITY_MIN_WORDS else ())
    names = name_bonus(plan, tables)
    if verbatim is not None and not verbatim.any():
        verbatim = None
    return Boosts(names, pairs, docsets, verbatim) if names is not None or pairs or verbatim is not None else None


def suggest_filters(plan: WordPlan, tables: IndexTables, final: np.ndarray, selected: dict[str, tuple[str, ...]]
                    ) -> tuple[SuggestedFilter, ...]:
    """The values the query's names matched, as filters to offer: not already selected, held by some result."""
    out = []
    for slot in plan.slots:
        for match in slot.names:
            for value in match.values[:SUGGESTED_PER_NAME]:
                if value in selected.get(match.facet, ()):
                    continue
                count = int((final & values_mask(tables, match.facet, [value])).sum())
                if count:
                    out.append(SuggestedFilter(match.facet, value, count))
    return tuple(out[:SUGGESTED_FILTERS])
