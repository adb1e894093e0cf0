"""Tests for searchsvc.insights.trends: per-period counts equal brute force over the stored turns (the sample;
the whole shared corpus in a corpus-marked test), add up to search's total, normalised by the filtered turns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from research_support import matching, per_key, read_turns

from searchsvc import serialize
from searchsvc.errors import QueryError
from searchsvc.insights import trends as tr
from searchsvc.models import SearchRequest


def iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


KEYS = {"week": iso_week, "month": lambda d: f"{d:%Y-%m}", "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
        "year": lambda d: str(d.year)}


@pytest.fixture(scope="module")
def sample_turns(sample_service):
    return read_turns(sample_service)


def check_against_brute_force(service, turns, queries, interval, request=SearchRequest(), keep=lambda t: True):
    found = tr.trends(service, request, queries, interval)
    assert found.interval == interval
    key = KEYS[interval]
    base = per_key([t for t in turns if keep(t)], key)
    keys = [p.key for p in found.periods]
    assert len(set(keys)) == len(keys)
    for series, q in zip(found.series, queries):
        hits = [t for t in matching(turns, q) if keep(t)]
        expected = per_key(hits, key)
        assert series.total == len(hits) == service.search(replace(request, q=q)).total
        assert sum(p.count for p in series.points) == series.total
        assert {p.period.key: p.count for p in series.points if p.count} == dict(expected)
        for p, b in zip(series.points, found.base):
            assert b == base.get(p.period.key, 0)
            assert p.per_1000 == (round(p.count * 1000 / b, 2) if b else 0.0)
    if any(s.total for s in found.series):          # every period from the first match to the last
        days = [t.day for q in queries for t in matching(turns, q) if keep(t)]
        assert keys[0] == key(min(days)) and keys[-1] == key(max(days))
        assert all((b.start - a.end).days == 1 for a, b in zip(found.periods, found.periods[1:]))
    return found


@pytest.mark.parametrize("interval", ["week", "month", "quarter", "year"])
def test_counts_equal_brute_force(sample_service, sample_turns, interval):
    check_against_brute_force(sample_service, sample_turns, ["vaccine", "sanctions", '"one China"'], interval)


def test_filters_apply_to_counts_and_to_the_base(sample_service, sample_turns):
    lo, hi = date(2020, 1, 1), date(2022, 12, 31)
    request = SearchRequest(date_from=lo, date_to=hi, outlets=("Reuters",))
    found = check_against_brute_force(sample_service, sample_turns, ["china", "trade"], "quarter", request,
                                      keep=lambda t: lo <= t.day <= hi and t.outlet == "Reuters")
    assert found.periods[0].date_from >= lo and found.periods[-1].date_to <= hi


def test_auto_picks_an_interval_and_unknown_words_give_empty_series(sample_service):
    found = tr.trends(sample_service, SearchRequest(), ["vaccine", "zzzxqqword"], "auto")
    assert found.interval in ("week", "month", "year")
    assert found.series[1].total == 0 and all(p.count == 0 for p in found.series[1].points)
    nothing = tr.trends(sample_service, SearchRequest(), ["zzzxqqword"], "month")
    assert nothing.periods == () and nothing.series[0].points == ()


@pytest.mark.parametrize("queries, interval, message", [
    ([], "month", "at least one"),
    (["  "], "month", "at least one"),
    ([f"w{i}" for i in range(7)], "month", "at most 6"),
    (["china"], "decade", "interval"),
])
def test_bad_requests_are_query_errors(sample_service, queries, interval, message):
    with pytest.raises(QueryError, match=message):
        tr.trends(sample_service, SearchRequest(), queries, interval)


def test_period_spans_and_keys():
    for interval, day, key, start, end in [
        ("week", date(2021, 3, 3), "2021-W09", date(2021, 3, 1), date(2021, 3, 7)),
        ("week", date(2021, 1, 2), "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("month", date(2020, 2, 29), "2020-02", date(2020, 2, 1), date(2020, 2, 29)),
        ("quarter", date(2021, 12, 31), "2021-Q4", date(2021, 10, 1), date(2021, 12, 31)),
        ("year", date(1999, 6, 1), "1999", date(1999, 1, 1), date(1999, 12, 31)),
    ]:
        index = int(tr.period_index(np.array([day.toordinal()]), interval)[0])
        assert tr.period_span(index, interval) == (key, start, end)


def test_json_and_csv_shapes(sample_service):
    found = tr.trends(sample_service, SearchRequest(), ["vaccine", "trade"], "year")
    data = serialize.Trends.dump(found)
    assert list(data) == ["interval", "series"] and data["interval"] == "year"
    assert list(data["series"][0]) == ["q", "total", "points", "undated"]     # undated: counted, in no period
    assert list(data["series"][0]["points"][0]) == ["period", "count", "per_1000"]
    rows = tr.trends_csv_rows(found)
    assert rows[0] == ["period", "start", "end", "turns", "vaccine (count)", "vaccine (per 1000)", "trade (count)",
                       "trade (per 1000)"]
    assert len(rows) == len(found.periods) + 1


@pytest.mark.corpus
@pytest.mark.slow          # builds the whole shared corpus: `pytest -m corpus` or the dedicated run
@pytest.mark.parametrize("interval", ["month", "year"])
def test_whole_corpus_counts_equal_brute_force(corpus_service, interval, corpus_turns):
    check_against_brute_force(corpus_service, corpus_turns, ["vaccine", "tariffs", '"one China"', '"people to people"'],
                              interval)


@pytest.fixture(scope="module")
def corpus_turns(corpus_service):
    return read_turns(corpus_service)
