"""Search stage: per-searcher column tables (facet codes, dates, field lengths) and facet counting with numpy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from ..index import schema as S
from ..index import whoosh_private as W
from ..models import FACET_TABLE, FACETS, UNDATED, FacetValue, SearchRequest

FACET_LIMIT = 50          # values listed per facet on a search page (selected values always listed)
VALUE_LABELS = {"answer": {"deflection": "Deflections", "substantive": "Substantive answers"},
                "year": {str(UNDATED.year): "Undated"}}      # documents that give no date are filed under it


@dataclass
class IndexTables:
    """Every document's column values as arrays, read once per opened generation."""
    size: int                                # doc_count_all (docnums are 0..size-1)
    live: np.ndarray                         # bool[size]: not deleted
    codes: dict[str, np.ndarray]             # facet -> int32[size] (int32[size, k] for speaker), -1 = none
    values: dict[str, list[str]]             # facet -> code -> value
    index: dict[str, dict[str, int]]         # facet -> value -> code
    titles: dict[str, str]                   # conference id -> title
    day: np.ndarray                          # int32[size]: date ordinal
    rank: np.ndarray                         # int32[size]: position in (date, conference, seq) order
    lengths: dict[str, np.ndarray]           # text field -> float32[size]: field length in terms
    avg_length: dict[str, float]             # text field -> average length, as whoosh.scoring.BM25F takes it


def _encode(column: tuple[np.ndarray, list]) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Facet codes (sorted value order, -1 for none) from a column's (codes, distinct values)."""
    raw, distinct = column
    names = sorted({v for v in distinct if v})
    index = {v: i for i, v in enumerate(names)}
    table = np.array([index.get(v, -1) for v in distinct], dtype=np.int32)
    return (table[raw] if len(table) else raw), names, index


def _encode_multi(column: tuple[np.ndarray, list]) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """_encode for comma-separated values: int32[size, most values of one document], -1 padded."""
    raw, distinct = column
    split = [[p for p in v.split(",") if p] if v else [] for v in distinct]
    names = sorted({p for parts in split for p in parts})
    index = {v: i for i, v in enumerate(names)}
    width = max((len(parts) for parts in split), default=1) or 1
    table = np.full((max(1, len(distinct)), width), -1, dtype=np.int32)
    for code, parts in enumerate(split):
        for k, part in enumerate(parts):
            table[code, k] = index[part]
    return table[raw], names, index


def _mapped(column: tuple[np.ndarray, list], convert, dtype) -> np.ndarray:
    """A column's values through `convert` (called once per distinct value) as an array."""
    raw, distinct = column
    return np.array([convert(v) for v in distinct], dtype=dtype)[raw] if distinct else raw.astype(dtype)


def _ordinal(value) -> int:
    return value.toordinal() if isinstance(value, (datetime, date)) else 0


def _field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length of a text field, in terms (as the index stores it: one byte, approximate)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.float32)
    for sub, base in reader.leaf_readers():
        count = sub.doc_count_all()
        raw = W.length_bytes(sub, fieldname, count)
        if raw is None:
            out[base:base + count] = [sub.doc_field_length(n, fieldname) or 0 for n in range(count)]
        else:
            out[base:base + count] = _BYTE_LENGTHS[raw]
    return out


_BYTE_LENGTHS = W.decoded_lengths()


def _live(reader: Any) -> np.ndarray:
    """bool[size]: the documents not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for sub, base in reader.leaf_readers():
        if not sub.has_deletions():
            continue
        deleted = W.deleted_docnums(sub)
        gone = deleted if deleted is not None else [n for n in range(sub.doc_count_all()) if sub.is_deleted(n)]
        live[[base + n for n in gone]] = False
    return live


def _titles(conferences: tuple[np.ndarray, list], titles: tuple[np.ndarray, list]) -> dict[str, str]:
    """Conference id -> the title stored with its first turn."""
    (conf_codes, conf_values), (title_codes, title_values) = conferences, titles
    _, first = np.unique(conf_codes, return_index=True)
    out = {}
    for docnum in sorted(first.tolist()):
        conf = conf_values[conf_codes[docnum]]
        if conf:
            out[conf] = title_values[title_codes[docnum]]
    return out


def load_tables(reader) -> IndexTables:
    """Read the columns of an index reader into IndexTables."""
    size = reader.doc_count_all()
    live = _live(reader)
    codes, values, index = {}, {}, {}
    for f in FACET_TABLE:
        encode = _encode_multi if f.multi else _encode
        codes[f.name], values[f.name], index[f.name] = encode(S.column_codes(reader, f.index_column))
    titles = _titles(S.column_codes(reader, S.CONFERENCE), S.column_codes(reader, S.TITLE))
    day = _mapped(S.column_codes(reader, S.DATE), _ordinal, np.int32)
    seq = _mapped(S.column_codes(reader, S.SEQ), lambda v: v or 0, np.int64)
    order = np.lexsort((seq, codes["conference"], day))
    rank = np.empty(size, dtype=np.int32)
    rank[order] = np.arange(size, dtype=np.int32)
    lengths = {f: _field_lengths(reader, f) for f in S.TEXT_FIELDS}
    # As whoosh.scoring.BM25F: the field's exact total over every document (a turn's own length is the rounded
    # byte, as Whoosh scores it), not the sum of the rounded lengths.
    avg = {f: (float(reader.field_length(f)) / (size or 1)) or 1.0 for f in S.TEXT_FIELDS}
    return IndexTables(size=size, live=live, codes=codes, values=values, index=index, titles=titles, day=day,
                       rank=rank, lengths=lengths, avg_length=avg)


def values_mask(tables: IndexTables, facet: str, selected) -> np.ndarray:
    """Documents having any of the selected values of a facet (OR within a facet)."""
    wanted = [tables.index[facet][str(v)] for v in selected if str(v) in tables.index[facet]]
    if not wanted:
        return np.zeros(tables.size, dtype=bool)
    hit: np.ndarray = np.isin(tables.codes[facet], wanted)
    if hit.ndim == 2:
        hit = np.asarray(hit.any(axis=1))
    return hit & tables.live


def count_values(tables: IndexTables, facet: str, mask: np.ndarray) -> np.ndarray:
    """Count per value code of the documents in `mask`."""
    return count_docs(tables, facet, np.flatnonzero(mask))


def count_docs(tables: IndexTables, facet: str, docs: np.ndarray) -> np.ndarray:
    """Count per value code of the documents `docs` (docnums)."""
    codes = tables.codes[facet][docs]
    codes = codes[codes >= 0]
    return np.bincount(codes.ravel(), minlength=len(tables.values[facet]))


def facet_list(tables: IndexTables, facet: str, counts: np.ndarray, selected=(), limit: int | None = FACET_LIMIT
               ) -> list[FacetValue]:
    """FacetValues by count (years newest first); selected values are always included."""
    chosen = {str(v) for v in selected}
    names = tables.values[facet]
    present = np.flatnonzero(counts)
    if facet == "year":
        keys = sorted((names[i] for i in present), reverse=True)
    else:
        if limit is not None and len(present) > 4 * limit:
            present = present[np.argsort(-counts[present], kind="stable")[:2 * limit]]
        keys = sorted((names[i] for i in present), key=lambda v: (-counts[tables.index[facet][v]], v.lower()))
    if limit is not None:
        keys = keys[:limit]
    keys += [v for v in sorted(chosen) if v not in keys]
    out = []
    for v in keys:
        code = tables.index[facet].get(v)
        count = int(counts[code]) if code is not None else 0
        label = tables.titles.get(v, "") if facet == "conference" else VALUE_LABELS.get(facet, {}).get(v, "")
        out.append(FacetValue(value=v, count=count, selected=v in chosen, label=label))
    return out


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
