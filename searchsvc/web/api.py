"""Web edge: the JSON API blueprint (/api/search, /api/turns, /api/conferences, /api/facets, /healthz), each
route declared in the contract (web/contract.py) with its parameters and answer."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify

from .. import serialize
from ..models import FACETS, FacetValue
from . import get_service
from .contract import endpoint, json_response
from .params import Query, facet_fields, search_fields

bp = Blueprint("api", __name__)
OPENAPI = "searchsvc.openapi"


@endpoint(bp, "/api/search", "Search turns", query=search_fields, response=serialize.SearchPage, errors=(400, 503),
          headers={"X-Cache": "hit: served from the cache of repeated queries; miss: searched"})
def search(query: Query) -> Response:
    page = get_service().search(query.search_request())
    resp = json_response(serialize.SearchPage, page)
    resp.headers["X-Cache"] = "hit" if page.cached else "miss"
    return resp


@endpoint(bp, "/api/turns/<turn_id>", "One turn", response=serialize.Turn, errors=(404, 503),
          path={"turn_id": "Turn id: '<conference id>-<seq>'"})
def turn(turn_id: str) -> Response:
    return json_response(serialize.Turn, get_service().get_turn(turn_id))


@endpoint(bp, "/api/conferences/<conference_id>", "One conference with its turns", response=serialize.Conference,
          errors=(404, 503), path={"conference_id": "Conference id"})
def conference(conference_id: str) -> Response:
    return json_response(serialize.Conference, get_service().get_conference(conference_id))


def select_facet_values(values: list[FacetValue], limit: int | None, prefix: str) -> list[FacetValue]:
    """The first `limit` values whose value or label starts with `prefix` (casefolded), in the given order."""
    if prefix:
        values = [v for v in values if v.value.casefold().startswith(prefix) or v.label.casefold().startswith(prefix)]
    return values[:limit]


@endpoint(bp, "/api/facets", "Facet values with counts over the whole index", query=facet_fields,
          response=serialize.FacetList, errors=(400, 503))
def facets(query: Query) -> Response:
    wanted = query.facet or FACETS
    limit, prefix = query.limit, query.prefix.casefold()
    values = get_service().facet_values()
    chosen = [name for name in FACETS if name in wanted and name in values]
    return json_response(serialize.FacetList,
                         {"facets": {name: select_facet_values(values[name], limit, prefix) for name in chosen}})


@endpoint(bp, "/healthz", "Health: index generation and size", response=serialize.Health, errors=(503,))
def healthz() -> Response:
    stats = get_service().stats()
    return json_response(serialize.Health, {"status": "ok", "generation": stats.generation, "turns": stats.turns,
                                            "conferences": stats.conferences})


@endpoint(bp, "/api/openapi.json", "This document", media={"application/json": "OpenAPI 3.1 document"})
def openapi() -> Response:
    from .openapi import build_openapi
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app
    if OPENAPI not in app.extensions:        # built once per app: the routes and settings do not change
        app.extensions[OPENAPI] = build_openapi(app.config["SEARCHSVC_SETTINGS"], app)
    return jsonify(app.extensions[OPENAPI])
