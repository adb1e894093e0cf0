"""Web edge: the API contract. Each JSON endpoint is declared once, with `endpoint(...)` beside its view: its query
parameters (pydantic models built from the settings, so limits from config.toml are part of them), its answer
(a shape from serialize.py), its errors. Requests are validated against those models (web/params.py) and the
OpenAPI document is generated from the same declarations (web/openapi.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, request

from ..config import Settings
from ..serialize import Shape
from .params import QueryFields, parse_query

ERROR_DESCRIPTIONS = {
    400: "Bad parameters (the message says which and why)",
    404: "No such id or name",
    429: ("Too many requests from this client (config.toml [ratelimit]); Retry-After says in how many seconds to "
          "try again"),
    503: "The index cannot answer now",
}
RETRY_AFTER = "Seconds to wait before the next request"
# What each 503 `error.code` (web/__init__.py ERROR_CODES) means.
UNAVAILABLE_CODES = {
    "index_missing": "no index has been built yet",
    "rebuild_needed": "the index is damaged or was built by an incompatible version: rebuild it",
    "disk_full": "a write ran out of disk space",
    "unavailable": "another server-side condition (the message says which)",
}
# Answered by the HTTP server (gunicorn) before the app sees the request, as its own HTML page.
TRANSPORT_ERRORS = {414: "The request line (the URL) is longer than 8190 bytes"}


@dataclass(frozen=True)
class Endpoint:
    """What the OpenAPI document says about one GET route, and what its view is handed."""
    rule: str                                   # Flask rule, e.g. "/api/turns/<turn_id>"
    summary: str
    response: type[Shape] | None = None         # JSON answer (besides any `media` below)
    query: QueryFields | None = None            # Settings -> query parameter fields; the view gets `query=`
    errors: tuple[int, ...] = ()
    path: Mapping[str, str] = field(default_factory=dict)     # path parameter -> description
    media: Mapping[str, str] = field(default_factory=dict)    # other answers: media type -> description
    headers: Mapping[str, str] = field(default_factory=dict)  # response header -> description
    description: str = ""


CONTRACT_ATTR = "api_endpoint"


def endpoint(bp: Blueprint, rule: str, summary: str, **spec: Any) -> Callable[..., Any]:
    """Register a GET view on `bp` and declare it in the contract. With `query=`, the view is called with
    `query=<validated model>`; a bad parameter is a QueryError (400) before the view runs."""
    declared = Endpoint(rule=rule, summary=summary, **spec)

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handler(**kwargs: Any) -> Any:
            if declared.query is not None:
                kwargs["query"] = parse_query(declared.query, request.args, settings())
            return view(**kwargs)

        setattr(handler, CONTRACT_ATTR, declared)
        bp.add_url_rule(rule, view_func=handler, methods=["GET"])
        return handler

    return wrap


def settings() -> Settings:
    from flask import current_app
    found: Settings = current_app.config["SEARCHSVC_SETTINGS"]
    return found


def declared_endpoints(app: Flask) -> list[tuple[str, str, Endpoint]]:
    """(OpenAPI path, Flask endpoint name, declaration) of every declared route of `app`, in rule order."""
    out = []
    for rule in app.url_map.iter_rules():
        declared = getattr(app.view_functions.get(rule.endpoint), CONTRACT_ATTR, None)
        if declared is not None:
            out.append((openapi_path(rule.rule), rule.endpoint, declared))
    return out


def openapi_path(rule: str) -> str:
    """Flask rule -> OpenAPI path template: '/api/turns/<turn_id>' -> '/api/turns/{turn_id}'."""
    import re
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def json_response(shape: type[Shape], obj: Any) -> Response:
    """`obj` dumped through its declared shape, as a JSON response (serialised by pydantic-core straight to
    text: half the CPU of a dict dumped by Flask's json, the same JSON value)."""
    return Response(shape.dump_json(obj), mimetype="application/json")
