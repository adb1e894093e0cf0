"""Tests for searchsvc.web.openapi: the document is sound, covers every JSON route, and matches real responses."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from searchsvc.models import SearchRequest
from searchsvc.web.params import FACET_PARAMS


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


def test_document_is_served_and_is_openapi_31(client, api_get, openapi_doc):
    served = api_get(client, "/api/openapi.json").get_json()
    assert served == json.loads(json.dumps(openapi_doc))
    assert served["openapi"].startswith("3.1")
    assert served["info"]["title"] and served["info"]["version"]


def test_every_schema_is_valid_json_schema_and_every_ref_resolves(openapi_doc):
    for name, schema in openapi_doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for ref in _refs(openapi_doc):
        assert ref.startswith("#/"), ref
        node = openapi_doc
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved {ref}"
            node = node[part]


def test_every_json_route_is_documented_and_nothing_else(web_app, openapi_doc):
    routes = set()
    for rule in web_app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            routes.add(rule.rule.replace("<", "{").replace(">", "}"))
    assert routes == set(openapi_doc["paths"])


def test_search_parameters_match_what_the_app_reads(openapi_doc, sample_settings):
    params = {p["name"] for p in openapi_doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "from", "to", "sort", "scope", "page", "per_page", *FACET_PARAMS}
    per_page = next(p for p in openapi_doc["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == sample_settings.search.max_per_page


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
