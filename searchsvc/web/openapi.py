"""Web edge: the OpenAPI 3.1 document (served at /api/openapi.json), generated from the contract: every route
declared with `endpoint(...)` (web/contract.py), its query models (web/params.py) and answer shapes (serialize.py).
Nothing here describes a parameter or a field by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from .. import __version__, serialize
from ..config import SearchSettings, Settings
from . import ERROR_CODES
from .alerts import openapi_paths as alerts_openapi_paths
from .contract import (
    ERROR_DESCRIPTIONS,
    RETRY_AFTER,
    TRANSPORT_ERRORS,
    UNAVAILABLE_CODES,
    Endpoint,
    declared_endpoints,
    openapi_path,
)
from .params import query_model
from .ratelimit import is_limited

if TYPE_CHECKING:
    from flask import Flask

REF = "#/components/schemas/{model}"
DESCRIPTION = ("Full-text search over press-conference transcripts. Every error is JSON `{\"error\": {\"code\", "
               "\"message\"}}` with a 4xx or 503 status; a method other than GET is a 405 with an `Allow` header.")


def _ref(model: type) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _untitled(node: Any, in_properties: bool = False) -> Any:
    """A JSON schema without pydantic's generated `title`s (property names called "title" stay)."""
    if isinstance(node, dict):
        return {k: _untitled(v, k == "properties") for k, v in node.items()
                if in_properties or not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    return node


def _parameters(declared: Endpoint, settings: Settings) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": text}
              for name, text in declared.path.items()]
    if declared.query is None:
        return params
    schema = query_model(declared.query, settings).model_json_schema(by_alias=True, mode="validation")
    for name, prop in _untitled(schema).get("properties", {}).items():
        description = prop.pop("description", "")
        if prop.get("default", 0) is None:
            prop.pop("default")
        param = {"name": name, "in": "query", "required": False, "schema": prop, "description": description}
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        params.append(param)
    return params


def _media_schema(media: str, text: str) -> dict[str, Any]:
    if media == "application/json":
        return {"type": "object", "description": text}
    if media.endswith("+json"):
        return {"description": text}          # JSON of its own standard (CSL-JSON)
    return {"type": "string", "description": text}


def _responses(declared: Endpoint, limited: bool) -> dict[str, Any]:
    content = {media: {"schema": _media_schema(media, text)} for media, text in declared.media.items()}
    if declared.response is not None:
        content = {"application/json": {"schema": _ref(declared.response)}, **content}
    ok: dict[str, Any] = {"description": declared.summary, "content": content}
    if declared.headers:
        ok["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                         for name, text in declared.headers.items()}
    out = {"200": ok}
    codes = sorted({*declared.errors, *((429,) if limited else ()), *TRANSPORT_ERRORS})
    out.update({str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes})
    out["default"] = {"$ref": "#/components/responses/Error"}
    return out


def _operation(declared: Endpoint, settings: Settings, limited: bool) -> dict[str, Any]:
    op = {"summary": declared.summary, "parameters": _parameters(declared, settings),
          "responses": _responses(declared, limited)}
    if declared.description:
        op["description"] = declared.description
    return {"get": op}


def _components() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "serialization") for m in serialize.DOCUMENTED], by_alias=True,
                                 ref_template=REF)
    error = {"application/json": {"schema": _ref(serialize.Error)}}
    why = "; ".join(f"{code} ({UNAVAILABLE_CODES[code]})" for _cls, status, code in ERROR_CODES if status == 503)
    described = {**ERROR_DESCRIPTIONS, 503: f"{ERROR_DESCRIPTIONS[503]}; `error.code` says why: {why}"}
    responses: dict[str, dict[str, Any]] = {f"E{code}": {"description": text, "content": error}
                                            for code, text in described.items()}
    responses["E429"]["headers"] = {"Retry-After": {"description": RETRY_AFTER, "required": True,
                                                    "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
    responses.update({f"E{code}": {"description": text, "content": {"text/html": {"schema": {"type": "string"}}}}
                      for code, text in TRANSPORT_ERRORS.items()})
    responses["Error"] = {"description": "Any other error (e.g. 405 method not allowed)", "content": error}
    return {"schemas": _untitled(defs.get("$defs", {})), "responses": responses}


def _with_rate_limits(app: Flask, settings: Settings, paths: dict[str, Any]) -> dict[str, Any]:
    """`paths` (written elsewhere) with a 429 on every operation of a rate-limited route."""
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if path in paths and is_limited(rule.endpoint, settings.ratelimit):
            for op in paths[path].values():
                op["responses"].setdefault("429", {"$ref": "#/components/responses/E429"})
    return paths


def build_openapi(settings: Settings | SearchSettings | None = None, app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI document of `app` (default: an app built for `settings`, which fill in the limits)."""
    if isinstance(settings, SearchSettings) or settings is None:
        settings = Settings(search=settings or SearchSettings())
    if app is None:
        from . import create_app
        app = create_app(settings)
    paths = {path: _operation(declared, settings, is_limited(name, settings.ratelimit))
             for path, name, declared in declared_endpoints(app)}
    paths.update(_with_rate_limits(app, settings, alerts_openapi_paths()))  # the operator's (POST/DELETE too)
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchsvc", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": _components(),
    }
