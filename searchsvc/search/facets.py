"""Search stage: facet filters and counting with numpy over the column tables (index/tables.py)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..index.tables import IndexTables as IndexTables  # re-exported: search and insights take them from here
from ..index.tables import load_tables as load_tables
from ..models import FACETS, UNDATED, FacetValue, SearchRequest

FACET_LIMIT = 50          # values listed per facet on a search page (selected values always listed)
VALUE_LABELS = {"answer": {"deflection": "Deflections", "substantive": "Substantive answers"},
                "year": {str(UNDATED.year): "Undated"}}      # documents that give no date are filed under it


def values_mask(tables: IndexTables, facet: str, selected: Iterable[str | int]) -> np.ndarray:
    """Documents having any of the selected values of a facet (OR within a facet)."""
    wanted = [tables.index[facet][str(v)] for v in selected if str(v) in tables.index[facet]]
    if not wanted:
        return np.zeros(tables.size, dtype=bool)
    codes = tables.codes[facet]
    if codes.ndim == 1:
        hit = _any_equal(codes, wanted)
    else:       # a row of codes per document: the first column, then the other columns of the few rows using them
        hit = _any_equal(first_codes(tables, facet)[0], wanted)
        several, rest = other_codes(tables, facet)
        hit[several] |= _any_equal(rest, wanted).any(axis=1)
    live: np.ndarray = hit & tables.live
    return live


def _any_equal(codes: np.ndarray, wanted: list[int]) -> np.ndarray:
    """codes == any of `wanted` (a few codes: one comparison each; np.isin costs about a millisecond a call)."""
    if len(wanted) > 8:
        found: np.ndarray = np.isin(codes, wanted)
        return found
    hit: np.ndarray = codes == wanted[0]
    for code in wanted[1:]:
        hit |= codes == code
    return hit


def count_values(tables: IndexTables, facet: str, mask: np.ndarray) -> np.ndarray:
    """Count per value code of the documents in `mask`."""
    return count_docs(tables, facet, np.flatnonzero(mask))


def count_docs(tables: IndexTables, facet: str, docs: np.ndarray) -> np.ndarray:
    """Count per value code of the documents `docs` (docnums). A multi-valued facet (speakers, roles: a row of
    codes per document, -1 padded) is counted from its first column, plus the other columns of the few documents
    that have more than one value (about 6% on the shared corpus), not from every column of every document."""
    codes = tables.codes[facet]
    size = len(tables.values[facet])
    if codes.ndim == 1:
        picked = codes[docs]
        return np.bincount(picked[picked >= 0], minlength=size)
    first, more = first_codes(tables, facet)
    picked = first[docs]
    counts = np.bincount(picked[picked >= 0], minlength=size)
    several = docs[more[docs]]
    if len(several):
        rest = codes[several, 1:]
        counts += np.bincount(rest[rest >= 0], minlength=size)
    return counts


def first_codes(tables: IndexTables, facet: str) -> tuple[np.ndarray, np.ndarray]:
    """(first column of a multi-valued facet's codes, bool: the rows with a value in another column); computed
    once per opened generation."""
    found = tables.first_codes.get(facet)
    if found is None:
        codes = tables.codes[facet]
        found = (np.ascontiguousarray(codes[:, 0]), np.asarray((codes[:, 1:] >= 0).any(axis=1)))
        tables.first_codes[facet] = found
    return found


def other_codes(tables: IndexTables, facet: str) -> tuple[np.ndarray, np.ndarray]:
    """(docnums of the rows of a multi-valued facet with a value past the first column, those rows' other
    columns); computed once per opened generation (90 KB for speakers on the shared corpus)."""
    found = tables.other_codes.get(facet)
    if found is None:
        several = np.flatnonzero(first_codes(tables, facet)[1])
        found = (several, np.ascontiguousarray(tables.codes[facet][several, 1:]))
        tables.other_codes[facet] = found
    return found


def facet_list(tables: IndexTables, facet: str, counts: np.ndarray, selected: Iterable[str | int] = (),
               limit: int | None = FACET_LIMIT
               ) -> list[FacetValue]:
    """FacetValues by count (years newest first); selected values are always included."""
    chosen = {str(v) for v in selected}
    names = tables.values[facet]
    present = np.flatnonzero(counts)
    codes: list[int]
    if facet == "year":
        codes = sorted(present.tolist(), key=names.__getitem__, reverse=True)   # distinct values: no ties
    else:
        if limit is not None and len(present) > 4 * limit:
            present = present[np.argsort(-counts[present], kind="stable")[:2 * limit]]
        # by count, then by value ignoring case (codes follow the values' order, so equal lowercase keep it)
        codes = present[np.lexsort((case_ranks(tables, facet)[present], -counts[present]))].tolist()
    if limit is not None:
        codes = codes[:limit]
    label_of = tables.titles.get if facet == "conference" else VALUE_LABELS.get(facet, {}).get
    out = [FacetValue(value=v, count=n, selected=v in chosen, label=label_of(v, ""))
           for v, n in zip([names[i] for i in codes], counts[codes].tolist())]
    listed = {f.value for f in out}
    for v in sorted(chosen):
        if v not in listed:
            code = tables.index[facet].get(v)
            out.append(FacetValue(value=v, count=int(counts[code]) if code is not None else 0, selected=True,
                                  label=label_of(v, "")))
    return out


def case_ranks(tables: IndexTables, facet: str) -> np.ndarray:
    """Each value code's place when the facet's values are sorted ignoring case (ties in code order); computed
    once per opened generation."""
    found = tables.case_ranks.get(facet)
    if found is None:
        names = tables.values[facet]
        found = np.empty(len(names), dtype=np.int64)
        found[sorted(range(len(names)), key=lambda i: names[i].lower())] = np.arange(len(names))
        tables.case_ranks[facet] = found
    return found


def page_facets(tables: IndexTables, base: np.ndarray, filters: dict[str, np.ndarray], request: SearchRequest
                ) -> dict[str, tuple[FacetValue, ...]]:
    """Each facet's values over the turns of `base` with the other facets' filters applied (disjunctive:
    a facet's own filter is left out, so its other values stay listed with their counts)."""
    selected = request.filters()
    out, docs_for = {}, {}
    for facet in FACETS:
        others = tuple(f for f in filters if f != facet)
        if others not in docs_for:
            mask = base
            for f in others:
                mask = mask & filters[f]
            docs_for[others] = np.flatnonzero(mask)
        out[facet] = tuple(facet_list(tables, facet, count_docs(tables, facet, docs_for[others]), selected[facet]))
    return out
