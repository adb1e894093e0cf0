"""Web edge: the JSON API blueprint (/api/search, /api/turns, /api/conferences, /api/facets, /healthz)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .. import serialize
from ..models import FacetValue
from . import get_service
from .openapi import build_openapi
from .params import parse_facet_args, parse_search_args

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    req = parse_search_args(request.args, current_app.config["SEARCHSVC_SETTINGS"].search)
    page = get_service().search(req)
    resp = jsonify(serialize.search_page_to_dict(page))
    resp.headers["X-Cache"] = "hit" if page.cached else "miss"
    return resp


@bp.get("/api/turns/<turn_id>")
def turn(turn_id: str):
    return jsonify(serialize.turn_to_dict(get_service().get_turn(turn_id)))


@bp.get("/api/conferences/<conference_id>")
def conference(conference_id: str):
    return jsonify(serialize.conference_to_dict(get_service().get_conference(conference_id)))


def select_facet_values(values: list[FacetValue], limit: int | None, prefix: str) -> list[FacetValue]:
    """The first `limit` values whose value or label starts with `prefix` (casefolded), in the given order."""
    if prefix:
        values = [v for v in values if v.value.casefold().startswith(prefix) or v.label.casefold().startswith(prefix)]
    return values[:limit]


@bp.get("/api/facets")
def facets():
    names, limit, prefix = parse_facet_args(request.args)
    values = get_service().facet_values()
    return jsonify({"facets": {name: [serialize.facet_value_to_dict(v)
                                      for v in select_facet_values(values[name], limit, prefix)]
                               for name in names if name in values}})


@bp.get("/healthz")
def healthz():
    service = get_service()
    stats = service.stats()
    return jsonify({"status": "ok", "generation": stats.generation, "turns": stats.turns,
                    "conferences": stats.conferences})


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(build_openapi(current_app.config["SEARCHSVC_SETTINGS"].search))
