"""Web edge: the Flask app factory; maps domain errors to HTTP codes and sets security headers."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..config import Settings
from ..errors import DiskFullError, IndexMissingError, IndexUnreadableError, NotFoundError, QueryError, SearchsvcError
from .ratelimit import install_rate_limits

log = logging.getLogger(__name__)

EXTENSION = "searchsvc"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# Domain error -> (HTTP status, machine-readable code).
ERROR_CODES: list[tuple[type[Exception], int, str]] = [
    (QueryError, 400, "bad_request"),
    (NotFoundError, 404, "not_found"),
    (IndexMissingError, 503, "index_missing"),
    (IndexUnreadableError, 503, "rebuild_needed"),
    (DiskFullError, 503, "disk_full"),
    (SearchsvcError, 503, "unavailable"),
]
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
# Downloads read by programs: their errors are JSON as under /api (see insights.py).
EXPORT_PATHS = ("/search.csv", "/search.jsonl", "/search.atom", "/trends.csv", "/concordance.csv")


class ServiceHolder:
    """Creates the SearchService lazily, once per process: a worker forked by gunicorn opens its own."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], object] | None = None, service=None):
        self.settings = settings
        self._factory = factory
        self._service = service
        self._pid = os.getpid() if service is not None else None
        self._lock = threading.Lock()   # the dev server is threaded; gunicorn sync workers are not

    def get(self):
        if self._service is None or self._pid != os.getpid():
            with self._lock:
                if self._service is None or self._pid != os.getpid():
                    factory = self._factory
                    if factory is None:
                        from ..search import SearchService  # late: the web edge depends on search, not vice versa
                        factory = SearchService
                    self._service = factory(self.settings)
                    self._pid = os.getpid()
        return self._service

    def peek(self):
        """The service if this process has opened it, else None (nothing is opened)."""
        return self._service if self._service is not None and self._pid == os.getpid() else None

    def close(self) -> None:
        if self._service is not None and self._pid == os.getpid():
            self._service.close()
        self._service = None


def get_service(app: Flask | None = None):
    """The current process's SearchService for `app` (default: the current app)."""
    from flask import current_app
    return (app or current_app).extensions[EXTENSION].get()


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/api", "/healthz", *EXPORT_PATHS)


def error_response(status: int, code: str, message: str) -> Response:
    """An error as JSON under /api, /healthz and the exports, as an HTML page elsewhere (a fragment for /results)."""
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message}})
    elif request.path == "/results":
        resp = Response(render_template("_error_fragment.html", status=status, message=message))
    else:
        resp = Response(render_template("error.html", status=status, code=code, message=message))
    resp.status_code = status
    return resp


def _damage_behind(app: Flask) -> IndexUnreadableError | None:
    """After an unexpected error: the damage of the index files the service reads, if any (index/verify.py)."""
    try:
        diagnose = getattr(app.extensions[EXTENSION].get(), "diagnose", None)
        return diagnose() if diagnose is not None else None
    except SearchsvcError:
        return None


def create_app(settings: Settings, *, service=None, service_factory=None) -> Flask:
    """Build the Flask app for `settings`. `service` shares an open SearchService (tests); otherwise each
    process opens its own on first use via `service_factory` (default: SearchService)."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=16 * 1024, JSON_SORT_KEYS=False, SEARCHSVC_SETTINGS=settings)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider has it
    app.extensions[EXTENSION] = ServiceHolder(settings, service_factory, service)

    from . import alerts, api, insights, research, views
    app.register_blueprint(views.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(research.bp)
    views.register_template_helpers(app)

    @app.errorhandler(SearchsvcError)
    def _domain_error(exc: SearchsvcError):
        for cls, status, code in ERROR_CODES:
            if isinstance(exc, cls):
                if status >= 500:
                    log.warning("%s: %s", type(exc).__name__, exc)
                return error_response(status, code, str(exc) or code.replace("_", " "))
        raise exc  # pragma: no cover - SearchsvcError is in the table

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        resp = error_response(status, HTTP_CODES.get(status, "http_error"), exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:   # RFC 9110: a 405 says what is allowed
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if app.debug:
            raise exc  # let the dev server's debugger show it
        damage = _damage_behind(app)
        if damage is not None:     # a file of the index changed under the reader: 503, never a wrong answer
            log.error("%s (while answering %s: %s: %s)", damage, request.path, type(exc).__name__, exc)
            return error_response(503, "rebuild_needed", str(damage))
        log.exception("unexpected error on %s", request.path)
        return error_response(500, "internal_error", "Something went wrong on our side.")

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp

    @app.after_request
    def _recheck_index(resp: Response) -> Response:     # runs before _security_headers (registered later)
        recheck = getattr(app.extensions[EXTENSION].peek(), "recheck", None)
        if recheck is None or resp.status_code >= 400 or request.endpoint == "static":
            return resp
        try:
            recheck()      # a file of the index changed while this request read it: its answer may be wrong
        except IndexUnreadableError as damage:
            log.error("%s (changed while answering %s)", damage, request.path)
            return error_response(503, "rebuild_needed", str(damage))
        return resp

    install_rate_limits(app, settings.ratelimit)   # last: it limits the routes registered above
    return app
