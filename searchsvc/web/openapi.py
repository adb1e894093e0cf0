"""Web edge: the OpenAPI 3.1 document of the JSON API (served at /api/openapi.json; schemas match serialize.py)."""

from __future__ import annotations

from .. import __version__
from ..config import SearchSettings
from ..models import FACETS, KINDS, SCOPES, SORTS

_STR = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
_STRS = {"type": "array", "items": _STR}


def _obj(properties: dict, description: str = "") -> dict:
    """A closed object: every property required, nothing else allowed (so drift from serialize.py shows)."""
    out = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    if description:
        out["description"] = description
    return out


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    out = {str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes}
    out["default"] = {"$ref": "#/components/responses/Error"}
    return out


def _schemas() -> dict:
    facet_value = _obj({"value": _STR, "count": {"type": "integer", "minimum": 0}, "selected": {"type": "boolean"},
                        "label": _STR}, "One value of a facet; `value` goes into the filter parameter, `label` is "
                                        "what people read (a conference's title).")
    hit = _obj({
        "id": _STR, "conference_id": _STR, "conference_title": _STR, "date": _DATE, "source": _STR,
        "source_url": _STR, "seq": {"type": "integer", "minimum": 0}, "kind": {"type": "string", "enum": list(KINDS)},
        "outlet": _STR, "speakers": _STRS,
        "question_html": {"type": "string", "description": "Escaped HTML: matches wrapped in <mark>, fragments joined by ' … '"},
        "answer_html": {"type": "string", "description": "Escaped HTML, as question_html"},
        "score": {"type": "number"},
    }, "One matching turn.")
    turn = _obj({
        "id": _STR, "conference_id": _STR, "conference_title": _STR, "date": _DATE, "source": _STR,
        "source_url": _STR, "source_format": _STR, "seq": {"type": "integer", "minimum": 0},
        "kind": {"type": "string", "enum": list(KINDS)}, "outlet": _STR, "question": _STR, "speakers": _STRS,
        "answer": _STR,
    }, "A stored turn with its conference's facts (plain text, not HTML).")
    facet_map = {"type": "object", "properties": {f: {"type": "array", "items": _ref("FacetValue")} for f in FACETS},
                 "additionalProperties": False}
    return {
        "FacetValue": facet_value,
        "Hit": hit,
        "Facets": facet_map,
        "SearchPage": _obj({
            "total": {"type": "integer", "minimum": 0}, "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _ref("Facets"), "suggestion": {"type": ["string", "null"]}, "optional_terms": _STRS,
            "notices": _STRS, "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1}, "took_ms": {"type": "number", "minimum": 0}, "query": _STR,
        }, "One page of ranked results with facet counts."),
        "Turn": turn,
        "Conference": _obj({
            "id": _STR, "title": _STR, "date": _DATE, "source": _STR, "source_url": _STR, "source_format": _STR,
            "officials": _STRS, "turns": {"type": "array", "items": _ref("Turn")},
        }, "A conference with all its turns in order."),
        "FacetList": _obj({"facets": _ref("Facets")}, "Every value of each facet over the whole index."),
        "Health": _obj({"status": {"const": "ok"}, "generation": _STR, "turns": {"type": "integer", "minimum": 0},
                        "conferences": {"type": "integer", "minimum": 0}}),
        "Error": _obj({"error": _obj({"code": _STR, "message": _STR})}),
    }


def _search_parameters(limits: SearchSettings) -> list[dict]:
    def param(name, schema, description, **extra):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}

    many = {"style": "form", "explode": True}
    return [
        param("q", {"type": "string", "maxLength": limits.max_query_chars},
              'Query: words (all required), "phrases", OR, NOT or -word, prefix*, field:word '
              "(question, answer, speaker, outlet). Empty: every turn."),
        param("speaker", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Speaker filter; repeat for several (any of them).", **many),
        param("outlet", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Outlet filter; repeatable.", **many),
        param("conference", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Conference id filter; repeatable.", **many),
        param("year", {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{4}$"},
                       "maxItems": limits.max_filter_values}, "Year filter; repeatable.", **many),
        param("from", _DATE, "First day (YYYY-MM-DD), inclusive."),
        param("to", _DATE, "Last day (YYYY-MM-DD), inclusive."),
        param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order of results."),
        param("scope", {"type": "string", "enum": list(SCOPES), "default": "both"}, "Which text to search."),
        param("page", {"type": "integer", "minimum": 1, "default": 1},
              f"Page number; page × per_page may not exceed {limits.max_page_depth}."),
        param("per_page", {"type": "integer", "minimum": 1, "maximum": limits.max_per_page,
                           "default": limits.per_page}, "Results per page."),
    ]


def build_openapi(limits: SearchSettings | None = None) -> dict:
    """The OpenAPI document; `limits` fills in the documented parameter limits."""
    limits = limits or SearchSettings()
    id_param = lambda name, what: {"name": name, "in": "path", "required": True, "schema": _STR,  # noqa: E731
                                   "description": what}
    get = lambda summary, schema, desc, errors, params=(): {  # noqa: E731
        "get": {"summary": summary, "parameters": list(params),
                "responses": {"200": _json(_ref(schema), desc), **_errors(*errors)}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchsvc", "version": __version__,
                 "description": "Full-text search over press-conference transcripts. Errors are JSON "
                                "`{\"error\": {\"code\", \"message\"}}` with a 4xx or 503 status."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": get("Search turns", "SearchPage", "A page of results", (400, 503),
                               _search_parameters(limits)),
            "/api/turns/{turn_id}": get("One turn", "Turn", "The turn", (404, 503),
                                        [id_param("turn_id", "Turn id: '<conference id>-<seq>'")]),
            "/api/conferences/{conference_id}": get("One conference with its turns", "Conference", "The conference",
                                                    (404, 503), [id_param("conference_id", "Conference id")]),
            "/api/facets": get("All facet values with counts", "FacetList", "Facet values", (503,)),
            "/healthz": get("Health: index generation and size", "Health", "Serving", (503,)),
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {
                    "schema": {"type": "object"}}}}}}},
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "E400": _json(_ref("Error"), "Bad parameters (the message says which and why)"),
                "E404": _json(_ref("Error"), "No such id"),
                "E503": _json(_ref("Error"), "No index has been built yet"),
                "Error": _json(_ref("Error"), "Any other error (e.g. 405 method not allowed)"),
            },
        },
    }
