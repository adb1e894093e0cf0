"""Search stage: what a request matches on an open generation (query, dates, filters, relaxing) and its ranking.

search() pages exactly these turns and Snapshot (analytics, exports) counts and orders exactly these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import SearchSettings
from ..errors import QueryBudgetError
from ..models import SearchRequest, SuggestedFilter
from .boosts import Boosts, boosts_for, suggest_filters
from .docsets import DocSets
from .facets import IndexTables, values_mask
from .generation import Generation
from .names import NameTable
from .querying import ParsedQuery, parse_query, request_notices, scoring_terms
from .relaxing import relaxed_match, strict_mask
from .verbatim import verbatim_notice, verbatim_query
from .wordplan import plan_notices, plan_words, ranking_query, related_notices, text_share, with_related

RELAX_BELOW = 10        # fewer turns than this contain every word: also show turns with most of them
RELAX_BONUS = 1000.0    # per name of the query (a slot, weighted by rarity) a turn has when relaxing: a tier
WORD_COVERAGE_BONUS = 10.0   # per word of the query (weighted by rarity) a turn has: about one word's BM25F score
NOTICE_RELAXED = "Few turns contain all the words; turns with most of them follow."


@dataclass(frozen=True)
class Match:
    """What a request matches (search() counts and pages `final`) and how it was matched."""
    parsed: ParsedQuery
    base: np.ndarray                 # query and dates, before the facet filters
    filters: dict[str, np.ndarray]   # facet -> turns having a selected value
    final: np.ndarray                # everything applied: the result set
    matched: np.ndarray | None       # words each turn has, when relaxed (coverage in slot units)
    query: Any                       # the query that ranks and highlights
    notices: tuple[str, ...]
    skipped: bool                    # an optional extra was left out (time budget)
    boosts: Boosts | None = None     # what ranking adds to BM25F: names, proximity (boosts.py)
    suggested: tuple[SuggestedFilter, ...] = ()   # names of the query offered as filters
    named: np.ndarray | None = None  # the part of `matched` that the query's names give

    @property
    def total(self) -> int:
        return int(self.final.sum())


def match(request: SearchRequest, gen: Generation, limits: SearchSettings) -> Match:
    """The turns a request matches (query, dates, filters; relaxed when few turns have every word)."""
    tables, docsets = gen.tables, gen.docsets
    parsed = parse_query(request, gen.schema, gen.reader, limits)
    notices = list(parsed.notices) + request_notices(request, limits)
    plan = plan_words(parsed, name_table(gen), gen.reader, tables.size)     # names, optional words, synonyms
    strict = strict_mask(plan, docsets, tables) if plan.changed else _base_mask(docsets, tables, parsed)
    base = date_range(strict, tables, request)
    filters = {f: values_mask(tables, f, v) for f, v in request.filters().items() if v}
    final = intersect(base, filters.values())
    matched, named, skipped = None, None, False
    shown_query = ranking_query(plan) if plan.changed else parsed.query
    if len(plan.slots) >= 2 and int(final.sum()) < RELAX_BELOW:
        # Optional extra: when the budget runs out it is left out (with a notice), not the whole search.
        try:
            docsets.check_time()
            wide_plan = with_related(plan, gen.related, gen.reader, tables.size) if gen.related else plan
            relaxed, coverage, by_name, widened = relaxed_match(wide_plan, docsets, tables, gen.reader,
                                                                gen.speller.near)
        except QueryBudgetError:
            skipped = True
        else:
            relaxed = date_range(relaxed, tables, request)
            relaxed_final = intersect(relaxed, filters.values())
            if int(relaxed_final.sum()) > int(final.sum()):
                base, final, matched, named, shown_query = relaxed, relaxed_final, coverage, by_name, widened
                notices.append(NOTICE_RELAXED)
                notices += related_notices(wide_plan)
    notices += plan_notices(plan)
    verbatim, missed = verbatim_mask(parsed, gen, request, final)
    if verbatim is not None and verbatim.any():
        notices.append(verbatim_notice(int(verbatim.sum())))
    suggested = suggest_filters(plan, tables, final, request.filters())
    return Match(parsed, base, filters, final, matched, shown_query, tuple(notices), skipped or missed,
                 boosts_for(plan, parsed, tables, docsets, verbatim), suggested, named)


def verbatim_mask(parsed: ParsedQuery, gen: Generation, request: SearchRequest, final: np.ndarray
                  ) -> tuple[np.ndarray | None, bool]:
    """The result turns holding a pasted (unquoted) query as written (verbatim.py), and whether the time budget
    left this optional extra out."""
    phrase = verbatim_query(parsed, gen.schema, request.scope) if request.sort == "relevance" else None
    if phrase is None or not final.any():
        return None, False
    try:
        return gen.docsets.mask(phrase) & final, False
    except QueryBudgetError:
        return None, True


def name_table(gen: Generation) -> NameTable:
    """The generation's speaker and outlet name forms (built once, kept with its analyses)."""
    key = ("search.names",)
    found = gen.analyses.get(key)
    if found is None:
        size = gen.tables.size
        found = gen.analyses[key] = NameTable(gen.tables.values, text_share(gen.reader, size), size)
    return found


def _base_mask(docsets: DocSets, tables: IndexTables, parsed: ParsedQuery) -> np.ndarray:
    if parsed.query is None:
        return np.zeros(tables.size, dtype=bool) if parsed.empty else tables.live.copy()
    return docsets.mask(parsed.query)


def rank(gen: Generation, found: Match, request: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Docnums of the requested page of `found`, and their scores (0 for date sorts)."""
    tables, final, matched = gen.tables, found.final, found.matched
    start, end = (request.page - 1) * request.per_page, request.page * request.per_page
    docs = np.flatnonzero(final)
    if start >= len(docs):
        return docs[:0], np.zeros(0, dtype=np.float32)
    newest_first = tables.rank[docs].astype(np.float64)
    if request.sort == "oldest":
        newest_first = -newest_first
    terms = scoring_terms(found.query) if request.sort == "relevance" else []
    scores = gen.docsets.scores(terms, final)[docs] if terms else np.zeros(len(docs), dtype=np.float32)
    keys: tuple[np.ndarray, ...]
    if matched is not None:
        scores = scores + relaxed_bonus(found, docs)
    if found.boosts is not None and request.sort == "relevance":
        scores = found.boosts.apply(docs, scores)
    if matched is not None:
        keys = (newest_first, scores) if request.sort == "relevance" else (newest_first, matched[docs])
    else:
        keys = (newest_first, scores) if terms else (newest_first,)
    if len(docs) > end:   # only the first `end` matter: partition on the main key, then sort those
        main = keys[-1]
        cut = np.partition(main, len(main) - end)[len(main) - end]
        keep = np.flatnonzero(main >= cut)
        docs, scores, keys = docs[keep], scores[keep], tuple(k[keep] for k in keys)
    order = np.lexsort(tuple(-k for k in keys))[start:end]
    shown = scores[order] if request.sort == "relevance" else np.zeros(len(order), dtype=np.float32)
    return docs[order], shown


def relaxed_bonus(found: Match, docs: np.ndarray) -> np.ndarray:
    """What coverage adds to the BM25F scores of `docs` when relaxed: the query's names rank as a tier (a turn of
    the named speaker or outlet first), its words by a bonus about one word's BM25F score per slot, so coverage
    decides among turns of similar BM25F and a turn with fewer but rarer, better-placed words can still win."""
    assert found.matched is not None
    words = found.matched[docs]
    if found.named is None:
        plain: np.ndarray = np.float32(WORD_COVERAGE_BONUS) * words
        return plain
    names = found.named[docs]
    bonus: np.ndarray = np.float32(WORD_COVERAGE_BONUS) * (words - names) + np.float32(RELAX_BONUS) * names
    return bonus


def intersect(base: np.ndarray, others: Iterable[np.ndarray]) -> np.ndarray:
    out = base
    for mask in others:
        out = out & mask
    return out


def date_range(mask: np.ndarray, tables: IndexTables, request: SearchRequest) -> np.ndarray:
    if request.date_from is None and request.date_to is None:
        return mask
    lo = request.date_from.toordinal() if request.date_from else 0
    hi = request.date_to.toordinal() if request.date_to else 10**7
    return mask & (tables.day >= lo) & (tables.day <= hi)
