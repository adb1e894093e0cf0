"""Insights stage: trends: several queries counted per week, month, quarter or year, raw and per 1,000 turns.

Each series counts exactly the turns `search()` counts for its query with the same filters (one
`service.snapshot()`, `Snapshot.mask`), so a series' points add up to the search's total. `per_1000` divides
by the turns of the period that pass the filters (the same request with no query): a busy month has more
turns of everything. Every period from the first to the last matching turn of any series is present; matching
turns without a date are counted in `undated` (so `undated` plus the points add up to the total).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import QueryError
from ..models import SearchRequest
from .analytics import pick_interval
from .days import dated

if TYPE_CHECKING:
    from ..search.service import SearchService

INTERVALS = ("auto", "week", "month", "quarter", "year")
MAX_SERIES = 6
EPOCH = date(1970, 1, 1).toordinal()
MONDAY_BEFORE_EPOCH = EPOCH - 3      # 1970-01-01 was a Thursday: weeks run Monday to Sunday


@dataclass(frozen=True)
class Period:
    key: str           # "2021-W09", "2021-03", "2021-Q1", "2021"
    start: date
    end: date
    date_from: date    # start and end clipped to the request's dates: what a link to the search filters on
    date_to: date


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    count: int         # matching turns in the period
    per_1000: float    # per 1,000 turns of the period that pass the filters


@dataclass(frozen=True)
class TrendSeries:
    q: str
    total: int         # what /api/search gives as total for the query and filters
    points: tuple[TrendPoint, ...]
    max_count: int
    max_per_1000: float
    undated: int = 0   # matching turns whose document gives no date: in total, in no period


@dataclass(frozen=True)
class Trends:
    interval: str                      # the interval used ("auto" resolved)
    request: SearchRequest             # the filters (q empty)
    periods: tuple[Period, ...]
    base: tuple[int, ...]              # turns passing the filters, per period
    series: tuple[TrendSeries, ...]


def check_queries(queries: list[str]) -> list[str]:
    """The queries of a trends request, stripped and without repeats; QueryError for none or too many."""
    found = list(dict.fromkeys(q.strip() for q in queries if q.strip()))
    if not found:
        raise QueryError("give at least one query (q=...) to chart")
    if len(found) > MAX_SERIES:
        raise QueryError(f"at most {MAX_SERIES} queries can be charted together, got {len(found)}")
    return found


def trends(service: SearchService, request: SearchRequest, queries: list[str], interval: str = "auto") -> Trends:
    """Counts per period of each query under `request`'s filters (its own q is ignored)."""
    if interval not in INTERVALS:
        raise QueryError(f"parameter 'interval' must be one of {', '.join(INTERVALS)}, got {interval[:40]!r}")
    queries = check_queries(queries)
    filters = replace(request, q="", page=1, sort="relevance")
    with service.snapshot() as snap:
        day = snap.tables.day
        base_mask = snap.mask(filters)
        masks = [snap.mask(replace(filters, q=q)) for q in queries]
    has_day = dated(day)
    matched = np.logical_or.reduce(masks) & has_day
    if not matched.any():
        chosen = "month" if interval == "auto" else interval
        return Trends(chosen, filters, (), (), tuple(TrendSeries(q, int(m.sum()), (), 0, 0.0, int(m.sum()))
                                                     for q, m in zip(queries, masks)))
    days = day[matched]
    chosen = pick_interval(int(days.min()), int(days.max())) if interval == "auto" else interval
    index = period_index(day, chosen)
    low, high = int(index[matched].min()), int(index[matched].max())
    size = high - low + 1
    inside = has_day & (index >= low) & (index <= high)

    def per_period(mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask & inside] - low, minlength=size)

    base = per_period(base_mask)
    periods = tuple(_period(low + k, chosen, filters) for k in range(size))
    series = []
    for q, mask in zip(queries, masks):
        counts = per_period(mask)
        rates = np.round(np.divide(counts * 1000.0, base, out=np.zeros(size), where=base > 0), 2)
        points = tuple(TrendPoint(p, int(c), float(r)) for p, c, r in zip(periods, counts.tolist(), rates.tolist()))
        series.append(TrendSeries(q, int(mask.sum()), points, int(counts.max()), float(rates.max()),
                                  int((mask & ~has_day).sum())))
    return Trends(chosen, filters, periods, tuple(int(b) for b in base.tolist()), tuple(series))


def period_index(days: np.ndarray, interval: str) -> np.ndarray:
    """Each date ordinal's period number (weeks, months, quarters or years since 1970)."""
    since = days.astype(np.int64) - EPOCH
    if interval == "week":
        return (since + 3) // 7
    months = since.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if interval == "month":
        return months
    if interval == "quarter":
        return months // 3
    return months // 12


def period_span(index: int, interval: str) -> tuple[str, date, date]:
    """(key, first day, last day) of a period number."""
    if interval == "week":
        start = date.fromordinal(MONDAY_BEFORE_EPOCH + 7 * index)
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    first = index * months
    start = date(1970 + first // 12, first % 12 + 1, 1)
    after = first + months
    end = date(1970 + after // 12, after % 12 + 1, 1) - timedelta(days=1)
    if interval == "month":
        return f"{start:%Y-%m}", start, end
    if interval == "quarter":
        return f"{start.year}-Q{start.month // 3 + 1}", start, end
    return str(start.year), start, end


def _period(index: int, interval: str, request: SearchRequest) -> Period:
    key, start, end = period_span(index, interval)
    lo, hi = request.date_from, request.date_to
    return Period(key, start, end, max(start, lo) if lo else start, min(end, hi) if hi else end)


def trends_csv_rows(t: Trends) -> list[list[Any]]:
    """One row per period: period, first day, last day, turns passing the filters, then count and per 1,000 of
    each series."""
    header = ["period", "start", "end", "turns"]
    for s in t.series:
        header += [f"{s.q} (count)", f"{s.q} (per 1000)"]
    rows: list[list[Any]] = [header]
    for k, p in enumerate(t.periods):
        row: list[Any] = [p.key, p.start.isoformat(), p.end.isoformat(), t.base[k]]
        for s in t.series:
            row += [s.points[k].count, s.points[k].per_1000]
        rows.append(row)
    return rows
