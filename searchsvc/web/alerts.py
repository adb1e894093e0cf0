"""Web edge: /api/alerts, the operator's JSON API over saved searches (off unless an admin token is configured).

The token comes from the environment variable [alerts] admin_token_env names. Without it every /api/alerts
route answers 404 (the public site has no such thing); with it a request needs `Authorization: Bearer <token>`
(compared in constant time) or answers 403.
"""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from ..alerts import AlertInputError, AlertsBusyError, AlertService, DeliveryError
from ..config import Settings
from ..errors import NotFoundError
from . import error_response, get_service
from .params import parse_search_args

bp = Blueprint("alerts", __name__, url_prefix="/api/alerts")


def _settings() -> Settings:
    return current_app.config["SEARCHSVC_SETTINGS"]


@bp.before_request
def _require_admin():
    expected = os.environ.get(_settings().alerts.admin_token_env, "")
    if not expected:
        abort(404)
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return error_response(403, "forbidden", "an admin token is needed: Authorization: Bearer <token>")
    return None


@bp.errorhandler(AlertInputError)
def _bad_alert(exc: AlertInputError):
    return error_response(400, "bad_request", str(exc))


@bp.errorhandler(AlertsBusyError)
def _busy(exc: AlertsBusyError):
    return error_response(409, "busy", str(exc))


@bp.errorhandler(DeliveryError)
def _refused(exc: DeliveryError):
    return error_response(502, "delivery_failed", str(exc))


def _alerts() -> AlertService:
    return AlertService(_settings(), get_service())


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AlertInputError("the body must be a JSON object")
    return body


def _filters_args(raw) -> MultiDict:
    """The body's `filters` (the /api/search parameter names: speaker, outlet, from, to, ...) as query args."""
    if raw is None:
        return MultiDict()
    if not isinstance(raw, dict):
        raise AlertInputError("`filters` must be an object of /api/search parameters")
    args: MultiDict[str, str] = MultiDict()
    for name, value in raw.items():
        if name in ("q", "page", "per_page", "sort"):
            raise AlertInputError(f"`filters` cannot hold {name!r}")
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, str | int) or isinstance(v, bool):
                raise AlertInputError(f"filter {name!r}: values must be strings or numbers")
            args.add(name, str(v))
    return args


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise NotFoundError(f"no alert with id {text[:40]!r}")
    return int(text)


@bp.get("")
def list_alerts():
    return jsonify({"alerts": [a.public() for a in _alerts().list_all()]})


@bp.post("")
def add_alert():
    body = _body()
    query = body.get("query", "")
    if not isinstance(query, str):
        raise AlertInputError("`query` must be a string")
    args = _filters_args(body.get("filters"))
    args.add("q", query)
    search_request = parse_search_args(args, _settings().search)
    name, email, webhook = body.get("name", ""), body.get("email"), body.get("webhook")
    if not all(isinstance(v, str) for v in (name, email or "", webhook or "")):
        raise AlertInputError("`name`, `email` and `webhook` must be strings")
    created = _alerts().add(search_request, name=name, email=email, webhook=webhook)
    out = {**created.alert.public(), "secret": created.secret or None, "matching_now": created.matching_now}
    return jsonify(out), 201


@bp.get("/<alert_id>")
def get_alert(alert_id: str):
    return jsonify(_alerts().get(_id(alert_id)).public())


@bp.delete("/<alert_id>")
def remove_alert(alert_id: str):
    return jsonify({"removed": _alerts().remove(_id(alert_id)).public()})


@bp.post("/run")
def run_alerts():
    report = _alerts().run()
    return jsonify(report.to_dict()), (502 if report.failed else 200)


@bp.post("/<alert_id>/test")
def test_alert(alert_id: str):
    result = _alerts().test(_id(alert_id))
    return jsonify({"alert": result.alert.public(), "turns": result.turns, "detail": result.detail})


# ---- the OpenAPI description of these routes (merged into /api/openapi.json by openapi.py) -------------------

_AUTH = ("Operator only: answers 404 unless the environment variable [alerts] admin_token_env names holds a token, "
         "then 403 without `Authorization: Bearer <token>`.")
_NULL_STR = {"type": ["string", "null"]}
_ALERT = {"type": "object", "required": ["id", "name", "query", "filters", "channel", "target", "created_at",
                                         "last_success_at", "last_error", "last_error_at", "delivered", "pending"],
          "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "query": {"type": "string"},
                         "filters": {"type": "object", "description": "The filters, by SearchRequest field name"},
                         "channel": {"type": "string", "enum": ["email", "webhook"]}, "target": {"type": "string"},
                         "created_at": {"type": "string"}, "last_success_at": _NULL_STR, "last_error": _NULL_STR,
                         "last_error_at": _NULL_STR, "delivered": {"type": "integer", "minimum": 0},
                         "pending": {"type": "integer", "minimum": 0}}}
_NEW_ALERT = {"type": "object", "required": ["query"], "additionalProperties": False, "properties": {
    "query": {"type": "string"}, "name": {"type": "string"},
    "filters": {"type": "object", "description": "/api/search parameters: speaker, outlet, conference, year, "
                                                 "from, to, scope (lists for the repeatable ones)"},
    "email": {"type": "string"}, "webhook": {"type": "string", "format": "uri"}}}


def _op(summary: str, schema: dict, status: int = 200, body: dict | None = None, path_id: bool = False) -> dict:
    out: dict = {"summary": summary, "description": _AUTH, "responses": {
        str(status): {"description": summary, "content": {"application/json": {"schema": schema}}},
        "404": {"$ref": "#/components/responses/E404"}, "default": {"$ref": "#/components/responses/Error"}}}
    if path_id:
        out["parameters"] = [{"name": "alert_id", "in": "path", "required": True, "schema": {"type": "string"},
                              "description": "Alert id (a number)"}]
    if body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        out["responses"]["400"] = {"$ref": "#/components/responses/E400"}
    return out


def openapi_paths() -> dict:
    """The /api/alerts paths of the OpenAPI document."""
    listing = {"type": "object", "properties": {"alerts": {"type": "array", "items": _ALERT}}}
    created = {"allOf": [_ALERT, {"type": "object", "properties": {
        "secret": _NULL_STR, "matching_now": {"type": ["integer", "null"]}}}]}
    report = {"type": "object", "properties": {"generation": _NULL_STR, "new_turns": {"type": "integer"},
                                               "sent": {"type": "integer"}, "failed": {"type": "boolean"},
                                               "alerts": {"type": "array", "items": {"type": "object"}}}}
    return {
        "/api/alerts": {"get": _op("Saved searches (never their secrets)", listing),
                        "post": _op("Save a search as an alert (the webhook secret is in this answer only)",
                                    created, 201, _NEW_ALERT)},
        "/api/alerts/{alert_id}": {"get": _op("One alert", _ALERT, path_id=True),
                                   "delete": _op("Remove an alert (the unsubscribe)",
                                                 {"type": "object", "properties": {"removed": _ALERT}},
                                                 path_id=True)},
        "/api/alerts/run": {"post": _op("Deliver what is new (as `searchsvc alerts run`; 502 when a delivery "
                                        "failed)", report)},
        "/api/alerts/{alert_id}/test": {"post": _op("Send a test message with the newest matching turns", {
            "type": "object", "properties": {"alert": _ALERT, "turns": {"type": "integer"},
                                             "detail": {"type": "string"}}}, path_id=True)},
    }
