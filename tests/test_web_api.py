"""Tests for searchsvc.web.api (JSON API and /healthz); every response is validated against the OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest

from searchsvc import serialize
from searchsvc.models import FACETS, SearchRequest

PLANTED = "<script>alert(1)</script>"


def without_timing(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("took_ms", "cached")}


def test_repeated_search_is_a_cache_hit(client, api_get):
    url = "/api/search?q=trade+minister&per_page=13&sort=oldest"   # a request no other test makes
    first, second = api_get(client, url), api_get(client, url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert (first.get_json()["cached"], second.get_json()["cached"]) == (False, True)
    assert without_timing(first.get_json()) == without_timing(second.get_json())


def test_search_matches_the_service(client, api_get, sample_service):
    body = api_get(client, "/api/search?q=trade").get_json()
    expected = serialize.search_page_to_dict(sample_service.search(SearchRequest(q="trade")))
    assert without_timing(body) == without_timing(expected)
    assert body["total"] > 0 and body["hits"]
    assert any("<mark>" in h["question_html"] + h["answer_html"] for h in body["hits"])


def test_search_takes_every_page_parameter(client, api_get, sample_service):
    url = ("/api/search?q=president&speaker=Jen+Psaki&speaker=Karine+Jean-Pierre&year=2021&year=2022"
           "&from=2021-01-01&to=2022-12-31&sort=oldest&scope=answer&page=2&per_page=3")
    body = api_get(client, url).get_json()
    req = SearchRequest(q="president", speakers=("Jen Psaki", "Karine Jean-Pierre"), years=(2021, 2022),
                        date_from=date(2021, 1, 1), date_to=date(2022, 12, 31), sort="oldest", scope="answer",
                        page=2, per_page=3)
    assert without_timing(body) == without_timing(serialize.search_page_to_dict(sample_service.search(req)))
    assert body["page"] == 2 and body["per_page"] == 3 and len(body["hits"]) == 3
    dates = [h["date"] for h in body["hits"]]
    assert dates == sorted(dates) and all("2021-01-01" <= d <= "2022-12-31" for d in dates)
    assert all(set(h["speakers"]) & {"Jen Psaki", "Karine Jean-Pierre"} for h in body["hits"])
    selected = {(f, v["value"]) for f in FACETS for v in body["facets"][f] if v["selected"]}
    assert {("speaker", "Jen Psaki"), ("speaker", "Karine Jean-Pierre")} <= selected


def test_scope_aliases_and_empty_parameters(client, api_get):
    plural = api_get(client, "/api/search?q=trade&scope=questions&from=&to=&speaker=").get_json()
    single = api_get(client, "/api/search?q=trade&scope=question").get_json()
    assert without_timing(plural) == without_timing(single)


def test_empty_query_lists_everything(client, api_get, sample_service):
    body = api_get(client, "/api/search").get_json()
    assert body["total"] == sample_service.stats().turns
    assert body["query"] == ""


@pytest.mark.parametrize("query, mentions", [
    ("page=abc", "page"), ("page=0", "page"), ("page=1.5", "page"), ("per_page=10000", "per_page"),
    ("per_page=0", "per_page"), ("per_page=-5", "per_page"), ("from=2020-13-01", "from"), ("from=01/02/2020", "from"),
    ("to=2020-02-30", "to"), ("sort=foo", "sort"), ("scope=all-of-it", "scope"),
    ("year=abc", "year"), ("year=99", "year"), ("q=" + "x" * 501, "query"), ("page=2001", "page"),
    ("sort=", "sort"), ("page=", "page"), ("per_page= 5", "per_page"), ("from= 2020-01-01", "from"),
    ("q=a&q=b", "q"), ("sort=newest&sort=oldest", "sort"),
    ("outlet=" + "&outlet=".join(f"o{i}" for i in range(21)), "outlet"),
    ("q=" + "+".join(f"w{i}" for i in range(40)), "words"),
])
def test_bad_parameters_are_400_json(client, api_get, query, mentions):
    body = api_get(client, "/api/search?" + query, status=400).get_json()
    assert body["error"]["code"] == "bad_request"
    assert mentions in body["error"]["message"]


@pytest.mark.parametrize("query, notice", [
    ("from=2021-01-01&to=2020-01-01", "the first day is after the last"),
    ("q=trade&page=1000&per_page=100", "the most that can be paged"),
    ("page=201&per_page=10", "past the first 2000 results"),
])
def test_well_formed_requests_that_show_nothing_answer_an_empty_page_with_a_notice(client, api_get, query, notice):
    """Rules across parameters, which a schema cannot state, give an empty page that says why (never a 400)."""
    body = api_get(client, "/api/search?" + query).get_json()
    assert body["hits"] == [] and any(notice in n for n in body["notices"]), body["notices"]


@pytest.mark.parametrize("q", ['"unclosed', "(((", "AND", "NOT", "*", "te*", "speaker:", "OR OR OR", "\\", "a:b:c"])
def test_odd_queries_answer_without_500(client, api_get, q):
    resp = client.get("/api/search", query_string={"q": q})
    assert resp.status_code in (200, 400)
    api_get(client, resp.request.full_path, status=resp.status_code)


def test_turn_and_conference_records(client, api_get, sample_service):
    hit = sample_service.search(SearchRequest(q="trade")).hits[0]
    turn = api_get(client, f"/api/turns/{hit.id}").get_json()
    assert turn == serialize.turn_to_dict(sample_service.get_turn(hit.id))
    conf = api_get(client, f"/api/conferences/{hit.conference_id}").get_json()
    assert conf == serialize.conference_to_dict(sample_service.get_conference(hit.conference_id))
    assert [t["seq"] for t in conf["turns"]] == sorted(t["seq"] for t in conf["turns"])
    assert turn in conf["turns"]


@pytest.mark.parametrize("url", ["/api/turns/nope", "/api/turns/nope-99999", "/api/conferences/nope",
                                 "/api/conferences/2020-01-01-x-00000000"])
def test_unknown_ids_are_404_json(client, api_get, url):
    body = api_get(client, url, status=404).get_json()
    assert body["error"]["code"] == "not_found"
    assert url.rsplit("/", 1)[1] in body["error"]["message"]


def test_facets_cover_the_whole_index(client, api_get, sample_service):
    body = api_get(client, "/api/facets").get_json()
    assert set(body["facets"]) == set(FACETS)
    values = sample_service.facet_values()
    expected = {f: [serialize.facet_value_to_dict(v) for v in vals] for f, vals in values.items()}
    assert body["facets"] == expected
    assert sum(v["count"] for v in body["facets"]["year"]) == sample_service.stats().turns


def test_healthz_reports_generation_and_size(client, api_get, sample_service):
    body = api_get(client, "/healthz").get_json()
    stats = sample_service.stats()
    assert body == {"status": "ok", "generation": sample_service.generation, "turns": stats.turns,
                    "conferences": stats.conferences}


def test_unknown_api_path_and_wrong_method_are_json(client, openapi_doc):
    resp = client.get("/api/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    resp = client.post("/api/search", data={"q": "x"})
    assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"
    resp = client.post("/api/search", data="x" * 100_000, content_type="text/plain")
    assert resp.status_code in (405, 413) and "error" in resp.get_json()


def test_missing_index_is_503_everywhere(tmp_path, sample_settings, api_get):
    from searchsvc.web import create_app
    client = create_app(sample_settings.with_index_dir(tmp_path / "no-index")).test_client()
    for url in ("/api/search?q=trade", "/api/turns/x-1", "/api/conferences/x", "/api/facets", "/healthz"):
        body = api_get(client, url, status=503).get_json()
        assert body["error"]["code"] == "index_missing"
    page = client.get("/?q=trade")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "index rebuild" in page.get_data(as_text=True)
    # bad parameters are still the caller's fault, even without an index
    assert client.get("/api/search?page=abc").status_code == 400


def test_planted_markup_is_escaped_in_html_fields(planted_client, api_get):
    body = api_get(planted_client, "/api/search?q=pandas").get_json()
    assert body["hits"]
    for hit in body["hits"]:
        for field in ("question_html", "answer_html"):
            html = hit[field]
            assert "<script" not in html and "<b>" not in html
            assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
            assert '"' not in html
    texts = " ".join(h["question_html"] + h["answer_html"] for h in body["hits"])
    assert "&lt;script&gt;" in texts and "<mark>" in texts
    # plain-text fields stay plain text (JSON is not HTML): the planted markup comes back unchanged
    assert any(PLANTED in h["outlet"] for h in body["hits"])
    assert all(PLANTED in h["conference_title"] for h in body["hits"])
    turn = api_get(planted_client, f"/api/turns/{body['hits'][0]['id']}").get_json()
    assert PLANTED in turn["speakers"][0] and turn["source_url"].startswith("javascript:")


def test_api_responses_are_json_with_security_headers(client):
    resp = client.get("/api/search?q=trade")
    assert resp.mimetype == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


# ---- /api/facets parameters -------------------------------------------------------------------

def all_facets(service) -> dict[str, list[dict]]:
    return {f: [serialize.facet_value_to_dict(v) for v in vals] for f, vals in service.facet_values().items()}


def starts(v: dict, prefix: str) -> bool:
    return v["value"].casefold().startswith(prefix.casefold()) or v["label"].casefold().startswith(prefix.casefold())


def test_facets_chosen_by_facet_parameter(client, api_get, sample_service):
    full = all_facets(sample_service)
    assert api_get(client, "/api/facets?facet=outlet").get_json() == {"facets": {"outlet": full["outlet"]}}
    body = api_get(client, "/api/facets?facet=year&facet=speaker&facet=year").get_json()
    assert body == {"facets": {"speaker": full["speaker"], "year": full["year"]}}
    # An empty facet= names no facet: refused, as the document's enum says (leave it out for all facets).
    assert api_get(client, "/api/facets?facet=", status=400).get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("limit", [1, 3, 10_000])
def test_facets_limit_keeps_the_first_values_of_each(client, api_get, sample_service, limit):
    full = all_facets(sample_service)
    body = api_get(client, f"/api/facets?limit={limit}").get_json()
    assert body == {"facets": {f: vals[:limit] for f, vals in full.items()}}
    assert limit > 3 or all(len(vals) == min(limit, len(full[f])) for f, vals in body["facets"].items())


@pytest.mark.parametrize("prefix", ["jo", "JEN ", "press gaggle", "2021", "Zhao Lijian", "qqxz"])
def test_facets_prefix_filters_values_or_labels_ignoring_case(client, api_get, sample_service, prefix):
    from urllib.parse import urlencode
    full = all_facets(sample_service)
    body = api_get(client, "/api/facets?" + urlencode({"prefix": prefix})).get_json()
    expected = {f: [v for v in vals if starts(v, prefix.strip())] for f, vals in full.items()}
    assert body == {"facets": expected}
    found = sum(len(vals) for vals in expected.values())
    assert (found == 0) == (prefix == "qqxz") and found < sum(len(vals) for vals in full.values())


def test_facets_prefix_matches_a_conference_title(client, api_get, sample_service):
    body = api_get(client, "/api/facets?facet=conference&prefix=Press+Gaggle").get_json()
    titles = body["facets"]["conference"]
    assert titles and all(v["label"].startswith("Press Gaggle") and v["value"][:4].isdigit() for v in titles)


def test_facets_parameters_combine(client, api_get, sample_service):
    full = all_facets(sample_service)
    body = api_get(client, "/api/facets?facet=speaker&prefix=j&limit=2").get_json()
    assert body == {"facets": {"speaker": [v for v in full["speaker"] if starts(v, "j")][:2]}}
    assert len(body["facets"]["speaker"]) == 2


@pytest.mark.parametrize("query, param", [
    ("facet=topic", "facet"), ("facet=Speaker", "facet"), ("facet=speaker&facet=x", "facet"),
    ("limit=0", "limit"), ("limit=10001", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
    ("limit=1&limit=2", "limit"), ("prefix=a&prefix=b", "prefix"), ("prefix=" + "x" * 301, "prefix")])
def test_facets_bad_parameters_are_400_naming_them(client, api_get, query, param):
    error = api_get(client, f"/api/facets?{query}", status=400).get_json()["error"]
    assert error["code"] == "bad_request" and f"'{param}'" in error["message"], error


def test_facets_parameters_are_documented(openapi_doc):
    params = {p["name"]: p["schema"] for p in openapi_doc["paths"]["/api/facets"]["get"]["parameters"]}
    assert set(params) == {"facet", "limit", "prefix"}
    assert params["facet"]["items"]["enum"] == list(FACETS)
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 10_000)
    assert "400" in openapi_doc["paths"]["/api/facets"]["get"]["responses"]
