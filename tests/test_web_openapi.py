"""Tests for searchsvc.web.openapi: the document generated from the contract is sound, covers every JSON and export
route, carries the limits of the settings in force, and matches real responses."""

from __future__ import annotations

import dataclasses
import json

import pytest
from jsonschema import Draft202012Validator

from searchsvc.models import FACETS, SearchRequest
from searchsvc.web import create_app
from searchsvc.web.openapi import build_openapi
from searchsvc.web.params import SCOPE_ALIASES

EXPORTS = ("/search.csv", "/search.jsonl", "/search.atom")


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _params(doc: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}


def test_document_is_served_and_is_openapi_31(client, api_get, openapi_doc):
    served = api_get(client, "/api/openapi.json").get_json()
    assert served == json.loads(json.dumps(openapi_doc))
    assert served["openapi"].startswith("3.1")
    assert served["info"]["title"] and served["info"]["version"]


def test_every_schema_is_valid_json_schema_and_every_ref_resolves(openapi_doc):
    for schema in openapi_doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for item in openapi_doc["paths"].values():
        for param in (p for op in item.values() for p in op.get("parameters", [])):   # /api/alerts: POST, DELETE
            Draft202012Validator.check_schema(param["schema"])
    for ref in _refs(openapi_doc):
        assert ref.startswith("#/"), ref
        node = openapi_doc
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved {ref}"
            node = node[part]


def test_every_json_and_export_route_is_documented_and_nothing_else(web_app, openapi_doc):
    routes = set()
    for rule in web_app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule in ("/healthz", *EXPORTS):
            routes.add(rule.rule.replace("<", "{").replace(">", "}"))
    assert routes == set(openapi_doc["paths"])


def test_search_parameters_are_the_contracts_with_limits_from_config(openapi_doc, sample_settings):
    params = _params(openapi_doc, "/api/search")
    assert set(params) == {"q", "from", "to", "sort", "scope", "page", "per_page", *FACETS}
    limits = sample_settings.search
    assert params["per_page"]["schema"]["maximum"] == limits.max_per_page
    assert params["page"]["schema"]["maximum"] == limits.max_page_depth
    assert params["q"]["schema"]["maxLength"] == limits.max_query_chars
    assert params["speaker"]["schema"]["maxItems"] == limits.max_filter_values
    assert params["speaker"]["explode"] is True and params["speaker"]["style"] == "form"
    # The other spellings of scope are accepted, so they are documented.
    assert set(SCOPE_ALIASES) <= set(params["scope"]["schema"]["enum"])
    # An empty date is what an empty form field sends: documented as allowed.
    empty = [branch for branch in params["to"]["schema"]["anyOf"] if branch.get("maxLength") == 0]
    assert empty


def test_exports_and_their_limit_are_documented(openapi_doc, sample_settings):
    for path in EXPORTS:
        limit = _params(openapi_doc, path)["limit"]["schema"]
        assert limit["maximum"] == sample_settings.export.max_rows and limit["minimum"] == 1
        media = openapi_doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(media) == [{"/search.csv": "text/csv", "/search.jsonl": "application/jsonl",
                                "/search.atom": "application/atom+xml"}[path]]
        assert "400" in openapi_doc["paths"][path]["get"]["responses"]


def test_other_settings_give_another_document_and_the_same_rules(sample_settings, sample_service):
    """Limits come from the settings: the document and the validation both follow them."""
    settings = dataclasses.replace(sample_settings,
                                   search=dataclasses.replace(sample_settings.search, max_per_page=7),
                                   export=dataclasses.replace(sample_settings.export, max_rows=33))
    app = create_app(settings, service=sample_service)
    doc = app.test_client().get("/api/openapi.json").get_json()
    assert doc == build_openapi(settings, app)
    assert _params(doc, "/api/search")["per_page"]["schema"]["maximum"] == 7
    assert _params(doc, "/search.csv")["limit"]["schema"]["maximum"] == 33
    client = app.test_client()
    assert client.get("/api/search?per_page=7").status_code == 200
    resp = client.get("/api/search?per_page=8")
    assert resp.status_code == 400 and "between 1 and 7" in resp.get_json()["error"]["message"]
    assert client.get("/search.csv?limit=34").status_code == 400


def test_documented_statuses_have_examples_that_validate(client, api_get, sample_service):
    """One real response for every documented path and status."""
    hit = sample_service.search(SearchRequest(q="trade")).hits[0]
    api_get(client, "/api/search?q=trade&speaker=Zhao+Lijian")
    api_get(client, "/api/search?q=tarriffs")          # with a suggestion (string, not null)
    api_get(client, "/api/search?q=trade+zebra")       # optional terms and notices
    api_get(client, "/api/search?per_page=0", status=400)
    api_get(client, f"/api/turns/{hit.id}")
    api_get(client, "/api/turns/none-0", status=404)
    api_get(client, f"/api/conferences/{hit.conference_id}")
    api_get(client, "/api/conferences/none", status=404)
    api_get(client, "/api/facets")
    api_get(client, "/healthz")


def test_validation_catches_drift(openapi_validate, client):
    """The checker used by every API test fails when a response strays from the document."""
    body = client.get("/api/search?q=trade").get_json()
    openapi_validate("/api/search", 200, body)
    for broken in (dict(body, extra=1), {k: v for k, v in body.items() if k != "total"},
                   dict(body, hits=[dict(body["hits"][0], date="3 July 2020")]),
                   dict(body, hits=[dict(body["hits"][0], kind="speech")])):
        with pytest.raises(pytest.fail.Exception):
            openapi_validate("/api/search", 200, broken)
    with pytest.raises(pytest.fail.Exception):
        openapi_validate("/api/undocumented", 200, {})


# ---- the research APIs, rate limits and 503s ---------------------------------------------------------

@pytest.mark.parametrize("path, params, shape", [
    ("/api/trends", {"q", "interval", "from", "to", "scope", *FACETS}, "Trends"),
    ("/api/concordance", {"q", "sort", "width", "page", "per_page", "from", "to", "scope", *FACETS}, "Concordance"),
    ("/api/turns/{turn_id}/cite", {"turn_id", "format"}, "Citation"),
])
def test_research_apis_state_their_parameters_and_answers(openapi_doc, sample_settings, path, params, shape):
    declared = _params(openapi_doc, path)
    assert set(declared) == params
    ok = openapi_doc["paths"][path]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"]["$ref"] == f"#/components/schemas/{shape}"
    schema = openapi_doc["components"]["schemas"][shape]
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(schema["properties"])
    if "q" in declared:
        q = declared["q"]["schema"]
        assert (q.get("items") or q)["maxLength"] == sample_settings.search.max_query_chars
        assert "an empty result" in declared["q"]["description"]      # what a missing q means


def test_trends_allow_up_to_six_queries_and_cite_its_formats(openapi_doc):
    assert _params(openapi_doc, "/api/trends")["q"]["schema"]["maxItems"] == 6
    cite = openapi_doc["paths"]["/api/turns/{turn_id}/cite"]["get"]["responses"]["200"]["content"]
    assert set(cite) == {"application/json", "text/plain", "application/x-bibtex",
                         "application/vnd.citationstyles.csl+json"}


@pytest.mark.parametrize("enabled", [True, False])
def test_a_429_with_retry_after_is_documented_exactly_on_the_limited_routes(sample_settings, sample_service,
                                                                             enabled):
    from searchsvc.web.ratelimit import UNLIMITED
    settings = dataclasses.replace(sample_settings,
                                   ratelimit=dataclasses.replace(sample_settings.ratelimit, enabled=enabled))
    app = create_app(settings, service=sample_service)
    doc = build_openapi(settings, app)
    unlimited = {rule.rule.replace("<", "{").replace(">", "}") for rule in app.url_map.iter_rules()
                 if rule.endpoint in UNLIMITED}
    for path, item in doc["paths"].items():
        for op in item.values():
            assert ("429" in op["responses"]) == (enabled and path not in unlimited), (path, enabled)
    assert "Retry-After" in doc["components"]["responses"]["E429"]["headers"]


def test_a_real_429_matches_the_document(sample_settings, sample_service):
    from support.openapi import validate_api_response
    settings = dataclasses.replace(sample_settings, ratelimit=dataclasses.replace(
        sample_settings.ratelimit, search="1/minute", exempt_loopback=False))
    app = create_app(settings, service=sample_service)
    client = app.test_client()
    assert client.get("/api/trends?q=china").status_code == 200
    resp = client.get("/api/trends?q=china")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    validate_api_response(build_openapi(settings, app), "/api/trends", 429, resp.get_json())


def test_every_503_code_is_explained(openapi_doc):
    from searchsvc.web import ERROR_CODES
    text = openapi_doc["components"]["responses"]["E503"]["description"]
    assert all(code in text for _cls, status, code in ERROR_CODES if status == 503)
