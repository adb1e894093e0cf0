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


@bp.get("/<int:alert_id>")
def get_alert(alert_id: int):
    return jsonify(_alerts().get(alert_id).public())


@bp.delete("/<int:alert_id>")
def remove_alert(alert_id: int):
    return jsonify({"removed": _alerts().remove(alert_id).public()})


@bp.post("/run")
def run_alerts():
    report = _alerts().run()
    return jsonify(report.to_dict()), (502 if report.failed else 200)


@bp.post("/<int:alert_id>/test")
def test_alert(alert_id: int):
    result = _alerts().test(alert_id)
    return jsonify({"alert": result.alert.public(), "turns": result.turns, "detail": result.detail})
