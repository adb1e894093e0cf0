"""Web edge: the OpenAPI 3.1 document of the JSON API (served at /api/openapi.json; schemas match serialize.py)."""

from __future__ import annotations

from .. import __version__
from ..config import SearchSettings
from ..insights import analytics
from ..models import ANSWER_TYPES, FACETS, KINDS, SCOPES, SORTS
from .params import FACET_VALUES_MAX, MAX_VALUE_CHARS
from .research_openapi import research_paths, research_schemas

_STR = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
_STRS = {"type": "array", "items": _STR}


_ROLE_AND_DEFLECTION = {
    "roles": {"type": "array", "items": _STR, "description": "roles[i] is speakers[i]'s role in that conference "
              "('' when the transcript does not say); empty when no speaker's role is known"},
    "deflection": {"type": "string", "description": "name of the deflection pattern the answer matched "
                   "(searchsvc/data/deflections_en.txt); '' for a substantive answer or no answer"},
}


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
        "score": {"type": "number"}, **_ROLE_AND_DEFLECTION,
    }, "One matching turn.")
    turn = _obj({
        "id": _STR, "conference_id": _STR, "conference_title": _STR, "date": _DATE, "source": _STR,
        "source_url": _STR, "source_format": _STR, "seq": {"type": "integer", "minimum": 0},
        "kind": {"type": "string", "enum": list(KINDS)}, "outlet": _STR, "question": _STR, "speakers": _STRS,
        "answer": _STR, **_ROLE_AND_DEFLECTION,
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
            "suggested_filters": {"type": "array", "items": _obj({
                "facet": {"type": "string", "enum": list(FACETS)}, "value": _STR,
                "count": {"type": "integer", "minimum": 0},
            }, "A filter the query's words name (a speaker or outlet): offer it (\"Speaker: Zhao Lijian?\").")},
            "notices": _STRS, "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1}, "took_ms": {"type": "number", "minimum": 0}, "query": _STR,
            "cached": {"type": "boolean", "description": "served from the cache of repeated queries (header X-Cache)"},
        }, "One page of ranked results with facet counts."),
        "Turn": turn,
        "Conference": _obj({
            "id": _STR, "title": _STR, "date": _DATE, "source": _STR, "source_url": _STR, "source_format": _STR,
            "officials": _STRS, "turns": {"type": "array", "items": _ref("Turn")},
        }, "A conference with all its turns in order."),
        "FacetList": _obj({"facets": _ref("Facets")}, "The values of each requested facet over the whole index "
                                                         "(by default every facet and every value)."),
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
              "(question, answer, speaker, outlet, role). Empty: every turn. "
              f"At most {limits.max_terms} words; prefix* needs {limits.min_prefix_chars}+ characters before the *; "
              f"a search may take {limits.time_budget_ms} ms at most (else 400)."),
        param("speaker", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Speaker filter; repeat for several (any of them).", **many),
        param("role", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Role of the answering official in that conference (\"Press Secretary\"); repeatable.", **many),
        param("outlet", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Outlet filter; repeatable.", **many),
        param("conference", {"type": "array", "items": _STR, "maxItems": limits.max_filter_values},
              "Conference id filter; repeatable.", **many),
        param("year", {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{4}$"},
                       "maxItems": limits.max_filter_values}, "Year filter; repeatable.", **many),
        param("answer", {"type": "array", "items": {"type": "string", "enum": list(ANSWER_TYPES)},
                         "maxItems": len(ANSWER_TYPES)},
              "Answers that decline to answer (deflection) or the others (substantive); repeatable.", **many),
        param("from", _DATE, "First day (YYYY-MM-DD), inclusive."),
        param("to", _DATE, "Last day (YYYY-MM-DD), inclusive."),
        param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order of results."),
        param("scope", {"type": "string", "enum": list(SCOPES), "default": "both"}, "Which text to search."),
        param("page", {"type": "integer", "minimum": 1, "default": 1},
              f"Page number; page × per_page may not exceed {limits.max_page_depth}."),
        param("per_page", {"type": "integer", "minimum": 1, "maximum": limits.max_per_page,
                           "default": limits.per_page}, "Results per page."),
    ]


def _facet_parameters() -> list[dict]:
    def param(name, schema, description, **extra):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}

    return [
        param("facet", {"type": "array", "items": {"type": "string", "enum": list(FACETS)}},
              "Facets to list; repeat for several. Default: all.", style="form", explode=True),
        param("limit", {"type": "integer", "minimum": 1, "maximum": FACET_VALUES_MAX},
              "Most values per facet (the first in order: by count, years newest first). Default: all."),
        param("prefix", {"type": "string", "maxLength": MAX_VALUE_CHARS},
              "Only values whose value or label starts with this (case-insensitive), for type-ahead."),
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
                                "`{\"error\": {\"code\", \"message\"}}` with a 4xx or 503 status. " + EXPORTS_NOTE},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": get("Search turns", "SearchPage", "A page of results", (400, 503),
                               _search_parameters(limits)),
            "/api/turns/{turn_id}": get("One turn", "Turn", "The turn", (404, 503),
                                        [id_param("turn_id", "Turn id: '<conference id>-<seq>'")]),
            "/api/conferences/{conference_id}": get("One conference with its turns", "Conference", "The conference",
                                                    (404, 503), [id_param("conference_id", "Conference id")]),
            "/api/facets": get("Facet values with counts over the whole index", "FacetList", "Facet values",
                               (400, 503), _facet_parameters()),
            **_insight_paths(limits),
            **research_paths(limits, _search_parameters(limits), get),
            "/healthz": get("Health: index generation and size", "Health", "Serving", (503,)),
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {
                    "schema": {"type": "object"}}}}}}},
        },
        "components": {
            "schemas": {**_schemas(), **_insight_schemas(), **research_schemas()},
            "responses": {
                "E400": _json(_ref("Error"), "Bad parameters (the message says which and why)"),
                "E404": _json(_ref("Error"), "No such id"),
                "E503": _json(_ref("Error"), "No index has been built yet"),
                "Error": _json(_ref("Error"), "Any other error (e.g. 405 method not allowed)"),
            },
        },
    }


# ---- insights (searchsvc/web/insights.py) ---------------------------------------------------

EXPORTS_NOTE = ("Outside /api, the same search parameters (plus `limit`) give every matching turn as `/search.csv`, "
                "`/search.jsonl` (one Turn object and its `url` per line) and an Atom feed of the newest, "
                "`/search.atom`; headers X-Total-Count and X-Export-Rows tell how many matched and were written "
                "(at most [export] max_rows). Their errors are the same JSON as the API's (e.g. 400 for bad "
                "parameters).")


def _insight_schemas() -> dict:
    count = {"type": "integer", "minimum": 0}
    value_count = _obj({"value": _STR, "count": count})
    share = _obj({"answers": count, "deflections": count, "rate": {"type": "number", "minimum": 0, "maximum": 1}},
                 "Answers to questions and how many were deflections (searchsvc/insights/deflections.py).")
    timeline = _obj({
        "interval": {"type": "string", "enum": ["week", "month", "year"]}, "total": count, "max_count": count,
        "buckets": {"type": "array", "items": _obj({
            "start": _DATE, "end": _DATE, "from": _DATE, "to": _DATE, "count": count, "label": _STR},
            "One bar: `from`/`to` are start/end clipped to the request's dates (what a click filters on).")},
    }, "Matching turns per week, month or year, every period from the first to the last (zeros included).")
    similar = _obj({"id": _STR, "conference_id": _STR, "conference_title": _STR, "date": _DATE, "outlet": _STR,
                    "speakers": _STRS, "question": _STR, "score": {"type": "number"}})
    return {
        "Matrix": _obj({
            "total": count, "attributed": count,
            "outlets": {"type": "array", "items": value_count}, "speakers": {"type": "array", "items": value_count},
            "cells": {"type": "array", "items": {"type": "array", "items": count}}, "max_cell": count,
            "more_outlets": count, "more_speakers": count,
            "answered": {"type": "array", "items": {"type": "array", "items": count}},
            "deflected": {"type": "array", "items": {"type": "array", "items": count}},
        }, "Who asked whom: cells[i][j] counts matching turns from outlets[i] answered by speakers[j]; answered[i][j] "
           "those of them answering a question and deflected[i][j] those marked as deflections (the cell's "
           "deflection rate is deflected / answered)."),
        "Timeline": timeline,
        "Profile": _obj({
            "facet": {"type": "string", "enum": ["speaker", "outlet"]}, "name": _STR, "turns": count,
            "first_date": _DATE, "last_date": _DATE, "timeline": _ref("Timeline"),
            "counterparts": {"type": "array", "items": value_count}, "conference_count": count,
            "conferences": {"type": "array", "items": _obj({"id": _STR, "title": _STR, "date": _DATE, "count": count})},
            "terms_field": {"type": "string", "enum": ["question", "answer"]},
            "terms": {"type": "array", "items": _obj({
                "term": _STR, "word": _STR, "count": count, "docs": count, "corpus_count": count,
                "g2": {"type": "number", "minimum": 0}})},
            "answers": share, "counterpart_answers": {"type": "array", "items": share},
            "roles": {"type": "array", "items": _obj({"role": _STR, "conferences": count, "first_date": _DATE,
                                                      "last_date": _DATE})},
        }, "A speaker's or outlet's turns: over time, counterparts (outlets questioning a speaker, officials an "
           "outlet questions), conferences (newest first) and distinctive words (Dunning G2 against the index)."),
        "SimilarQuestions": _obj({"terms": _STRS, "earlier": {"type": "array", "items": similar},
                                  "later": {"type": "array", "items": similar}},
                                 "Questions from other conferences like this one, asked before and after it."),
    }


def _insight_paths(limits: SearchSettings) -> dict:
    def get(summary, schema, desc, errors, params):
        return {"get": {"summary": summary, "parameters": params,
                        "responses": {"200": _json(_ref(schema), desc), **_errors(*errors)}}}

    def param(name, schema, description):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    def name(what):
        return [{"name": "name", "in": "path", "required": True, "schema": _STR, "description": what}]

    search = _search_parameters(limits)   # the same as /api/search (sort and paging change nothing here)
    size = lambda default: {"type": "integer", "minimum": 1, "maximum": analytics.MATRIX_MAX,  # noqa: E731
                            "default": default}
    return {
        "/api/matrix": get("Who asked whom: outlet x official counts of the matching turns", "Matrix", "The matrix",
                           (400, 503), search + [
                               param("rows", size(analytics.MATRIX_ROWS), "Outlets shown (most turns first)."),
                               param("columns", size(analytics.MATRIX_COLUMNS), "Officials shown (most turns first).")]),
        "/api/timeline": get("Matching turns over time", "Timeline", "The timeline", (400, 503), search + [
            param("interval", {"type": "string", "enum": list(analytics.INTERVALS), "default": "auto"},
                  "Bar width; auto: weeks up to about six months of dates, months up to 20 years, else years.")]),
        "/api/speakers/{name}": get("A speaker's profile", "Profile", "The profile", (404, 503),
                                    name("Speaker name as in the speaker facet")),
        "/api/outlets/{name}": get("An outlet's profile", "Profile", "The profile", (404, 503),
                                   name("Outlet name as in the outlet facet")),
        "/api/turns/{turn_id}/similar": get(
            "Similar questions asked at other conferences (more-like-this)", "SimilarQuestions", "Similar questions",
            (404, 503), [{"name": "turn_id", "in": "path", "required": True, "schema": _STR,
                          "description": "Turn id"}]),
    }

