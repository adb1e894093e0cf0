"""Tests for roles (the `role` facet, filter and query field; roles kept per conference) over a real index of
tests/roles_support.py's conferences, through SearchService, the JSON API, the page, exports and profiles."""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from support.roles import DEPUTY, KJP, NSA, PRESS, PSAKI, SPOKES, SULLIVAN, build_role_index

from searchsvc.insights import analytics
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService
from searchsvc.web import create_app


@pytest.fixture(scope="module")
def role_settings(tmp_path_factory):
    from support import base_settings
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("roles-index"))
    build_role_index(settings)
    return settings


@pytest.fixture(scope="module")
def service(role_settings):
    svc = SearchService(role_settings)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(role_settings, service):
    return create_app(role_settings, service=service).test_client()


def ids(page) -> set[str]:
    return {h.id for h in page.hits}


def test_the_press_secretary_on_inflation_spans_whoever_held_the_job(service):
    page = service.search(SearchRequest(q="inflation", roles=(PRESS,), per_page=50))
    assert {h.speakers for h in page.hits} >= {(PSAKI,), (KJP,)}
    assert all(PRESS in h.roles for h in page.hits)
    # Jean-Pierre's 2021 answer was given as deputy: not the Press Secretary's.
    assert "2021-05-03-briefing-psaki-aaaa0001-3" not in ids(page)
    assert "2023-03-01-briefing-jean-pierre-aaaa0003-0" in ids(page)


def test_roles_are_kept_per_conference(service):
    deputy = service.search(SearchRequest(roles=(DEPUTY,)))
    assert ids(deputy) == {"2021-05-03-briefing-psaki-aaaa0001-3"}
    assert service.get_turn("2021-05-03-briefing-psaki-aaaa0001-3").roles == (DEPUTY,)
    assert service.get_turn("2023-03-01-briefing-jean-pierre-aaaa0003-0").roles == (PRESS,)


def test_roles_align_with_speakers_and_unknown_roles_stay_empty(service):
    both = service.get_turn("2021-06-01-briefing-psaki-sullivan-aaaa0002-0")
    assert both.speakers == (SULLIVAN, PSAKI) and both.roles == (NSA, PRESS)
    assert service.get_turn("2021-06-01-briefing-psaki-sullivan-aaaa0002-2").roles == ()


def test_role_facet_counts_and_is_disjunctive(service):
    page = service.search(SearchRequest(q="inflation", roles=(SPOKES,)))
    counts = {v.value: (v.count, v.selected) for v in page.facets["role"]}
    assert counts[SPOKES] == (1, True)
    assert counts[PRESS][0] >= 3 and not counts[PRESS][1]      # other roles keep their counts
    either = service.search(SearchRequest(q="inflation", roles=(SPOKES, NSA)))
    assert either.total == 2


def test_role_query_field(service):
    page = service.search(SearchRequest(q='role:"national security advisor"'))
    conf = "2021-06-01-briefing-psaki-sullivan-aaaa0002"
    assert ids(page) == {f"{conf}-0", f"{conf}-1"}


def test_api_search_role_filter_and_fields(client, api_get):
    body = api_get(client, "/api/search?q=inflation&role=Press+Secretary&per_page=50").get_json()
    assert body["total"] == len(body["hits"]) >= 3
    assert all(PRESS in h["roles"] for h in body["hits"])
    assert any(v["value"] == PRESS and v["selected"] for v in body["facets"]["role"])
    turn = api_get(client, "/api/turns/2021-06-01-briefing-psaki-sullivan-aaaa0002-0").get_json()
    assert turn["roles"] == [NSA, PRESS]


def test_page_shows_the_role_facet_and_speakers_with_roles(client):
    resp = client.get("/?q=inflation&role=Press+Secretary")
    soup = BeautifulSoup(resp.get_data(as_text=True), "lxml")
    boxes = {(i["name"], i["value"]): i.has_attr("checked") for i in soup.select("#facet-role input")}
    assert boxes[("role", PRESS)] is True and ("role", SPOKES) in boxes
    assert any("Jen Psaki (Press Secretary)" in w.get_text() for w in soup.select(".hit .who"))
    assert any("Role:" in c.get_text() for c in soup.select(".chip"))


def test_exports_carry_roles(client):
    text = client.get("/search.csv?role=National+Security+Advisor").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["roles"] for r in rows} == {f"{NSA}; {PRESS}", NSA}
    lines = client.get("/search.jsonl?role=National+Security+Advisor").get_data(as_text=True).splitlines()
    assert all(NSA in json.loads(line)["roles"] for line in lines) and len(lines) == 2


def test_speaker_profile_lists_each_role_held(service, client):
    spans = analytics.profile(service, "speaker", KJP).roles
    assert [(s.role, s.conferences, s.first_date.year, s.last_date.year) for s in spans] == [
        (DEPUTY, 1, 2021, 2021), (PRESS, 1, 2023, 2023)]
    soup = BeautifulSoup(client.get("/speakers/Karine Jean-Pierre").get_data(as_text=True), "lxml")
    facts = soup.select_one(".profile-facts").get_text(" ", strip=True)
    assert DEPUTY in facts and PRESS in facts
