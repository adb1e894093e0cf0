"""Search stage: per-searcher facet tables (docnum -> values, date order) and disjunctive facet counting."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain

from . import schema as S
from .models import FacetValue

FACET_LIMIT = 50          # values listed per facet on a search page (selected values always listed)
FACET_FIELDS = S.FACET_FIELDS
MULTI_VALUED = {"speaker"}


@dataclass
class FacetTables:
    """Column values of every document, read once per searcher, so counting is a C-speed Counter."""
    live: frozenset[int]                   # non-deleted docnums
    values: dict[str, list]                # facet -> per docnum: str (tuple of str for speaker)
    titles: dict[str, str]                 # conference id -> title
    day: list[int]                         # per docnum: date ordinal
    rank: list[int]                        # per docnum: position in (date, conference, seq) order

    def newest_first(self, docs, limit: int | None = None) -> list[int]:
        return sorted(docs, key=self.rank.__getitem__, reverse=True)[:limit]

    def oldest_first(self, docs, limit: int | None = None) -> list[int]:
        return sorted(docs, key=self.rank.__getitem__)[:limit]


def _column(reader, fieldname: str) -> list:
    values = list(reader.column_reader(fieldname, translate=True))
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in values]


def _ordinal(value) -> int:
    if isinstance(value, datetime):
        return value.toordinal()
    if isinstance(value, date):
        return value.toordinal()
    return 0


def load_facet_tables(reader) -> FacetTables:
    """Read the facet columns of an index reader into a FacetTables."""
    size = reader.doc_count_all()
    if reader.has_deletions():
        live = frozenset(n for n in range(size) if not reader.is_deleted(n))
    else:
        live = frozenset(range(size))
    speakers = [tuple(v.split(",")) if v else () for v in _column(reader, S.SPEAKER)]
    conference = _column(reader, S.CONFERENCE)
    values = {
        "speaker": speakers,
        "outlet": _column(reader, S.OUTLET),
        "conference": conference,
        "year": _column(reader, S.YEAR),
    }
    titles = {}
    for conf, title in zip(conference, _column(reader, S.TITLE)):
        if conf and conf not in titles:
            titles[conf] = title
    day = [_ordinal(v) for v in _column(reader, S.DATE)]
    seq = _column(reader, S.SEQ)
    order = sorted(range(size), key=lambda n: (day[n], conference[n], seq[n]))
    rank = [0] * size
    for position, docnum in enumerate(order):
        rank[docnum] = position
    return FacetTables(live=live, values=values, titles=titles, day=day, rank=rank)


def docs_with_values(tables: FacetTables, facet: str, selected) -> set[int]:
    """Docnums having any of the selected values of a facet (OR within a facet)."""
    wanted = {str(v) for v in selected}
    column = tables.values[facet]
    if facet in MULTI_VALUED:
        return {n for n in tables.live if not wanted.isdisjoint(column[n])}
    return {n for n in tables.live if column[n] in wanted}


def count_values(tables: FacetTables, facet: str, docs) -> Counter:
    column = tables.values[facet]
    if facet in MULTI_VALUED:
        counts = Counter(chain.from_iterable(map(column.__getitem__, docs)))
    else:
        counts = Counter(map(column.__getitem__, docs))
    counts.pop("", None)
    return counts


def facet_list(tables: FacetTables, facet: str, counts: Counter, selected=(), limit: int | None = FACET_LIMIT
               ) -> list[FacetValue]:
    """FacetValues by count (years newest first), selected values always included."""
    chosen = {str(v) for v in selected}
    if facet == "year":
        keys = sorted(counts, reverse=True)
    else:
        keys = sorted(counts, key=lambda v: (-counts[v], v.lower()))
    if limit is not None:
        keys = keys[:limit]
    keys += [v for v in sorted(chosen) if v not in keys]
    label = tables.titles.get if facet == "conference" else (lambda v, d="": d)
    return [FacetValue(value=v, count=counts.get(v, 0), selected=v in chosen, label=label(v, "")) for v in keys]
