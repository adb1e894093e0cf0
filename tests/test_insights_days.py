"""Tests for searchsvc.insights.days and what relies on it: a conference whose document gives no date (filed under
models.UNDATED) is counted but shown as undated: never as a day of 1900 in trends, timelines, profiles, the year
facet, pages or citations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from support import base_settings, tiny_conferences

from searchsvc import serialize
from searchsvc.index.build import rebuild_from_conferences
from searchsvc.insights import analytics, cite, trends
from searchsvc.insights.days import dated, day_span
from searchsvc.models import UNDATED, SearchRequest
from searchsvc.search import SearchService
from searchsvc.web import create_app


@pytest.fixture(scope="module")
def undated_service(tmp_path_factory):
    """The tiny conferences, with the White House one undated (its 3 turns by Jen Psaki)."""
    mfa, wh = tiny_conferences()
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("undated-index"))
    rebuild_from_conferences(settings, [mfa, replace(wh, date=UNDATED)])
    service = SearchService(settings)
    yield settings, service
    service.close()


def test_dated_mask_and_span_leave_undated_days_out():
    days = np.array([0, UNDATED.toordinal(), date(2020, 7, 3).toordinal(), date(2021, 1, 21).toordinal()])
    assert dated(days).tolist() == [False, False, True, True]
    assert day_span(days) == (date(2020, 7, 3), date(2021, 1, 21))
    assert day_span(days[:2]) == (UNDATED, UNDATED)


@pytest.mark.parametrize("q, dated_turns, undated", [("tariffs", 1, 1), ("hong kong", 2, 1), ('"rule of law"', 0, 1)])
def test_trends_count_undated_turns_apart_and_still_add_up(undated_service, q, dated_turns, undated):
    _, service = undated_service
    [series] = trends.trends(service, SearchRequest(), [q], "year").series
    assert (sum(p.count for p in series.points), series.undated) == (dated_turns, undated)
    assert series.total == dated_turns + undated == service.search(SearchRequest(q=q)).total
    assert all(p.period.start.year >= 2020 for p in series.points)
    as_json = serialize.Trends.dump(trends.trends(service, SearchRequest(), [q], "year"))
    assert as_json["series"][0]["undated"] == undated


def test_timeline_and_profile_leave_undated_turns_out(undated_service):
    _, service = undated_service
    tl = analytics.timeline(service, SearchRequest(q="tariffs"), "year")
    assert [b.start.year for b in tl.buckets] == [2020] and (tl.total, tl.undated) == (1, 1)
    psaki = analytics.profile(service, "speaker", "Jen Psaki")
    assert (psaki.first_date, psaki.last_date) == (UNDATED, UNDATED) and psaki.timeline.undated == psaki.turns


def test_year_facet_calls_the_undated_year_undated(undated_service):
    _, service = undated_service
    years = {v.value: v.label for v in service.search(SearchRequest(q="tariffs")).facets["year"]}
    assert years == {"2020": "", str(UNDATED.year): "Undated"}


def test_citation_of_an_undated_turn_says_no_date(undated_service):
    _, service = undated_service
    hit = next(h for h in service.search(SearchRequest(q='"rule of law"')).hits)
    record = service.get_turn(hit.id)
    found = cite.cite_turn(record, "https://search.example/turns/x", accessed=date(2026, 1, 2))
    assert "n.d." in found.text and "1900" not in found.text.replace("accessed", "")
    assert "1900" not in found.bibtex and "year =" not in found.bibtex
    assert found.csl["issued"] == {"literal": "n.d."}


def test_pages_show_undated_not_1900(undated_service):
    settings, service = undated_service
    client = create_app(settings, service=service).test_client()
    hit = next(h for h in service.search(SearchRequest(q='"rule of law"')).hits)
    for path in ("/?q=%22rule+of+law%22", f"/turns/{hit.id}", f"/conferences/{hit.conference_id}",
                 "/speakers/Jen%20Psaki"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True).replace('value="1900"', "")   # the year filter's value may be 1900
        assert "undated" in html.lower() and "1900" not in html, path
