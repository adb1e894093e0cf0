"""Web edge: per-client rate limits (Flask-Limiter) from config.toml [ratelimit]; 429 with Retry-After.

Every route that reads the index shares one budget per client (`search`); the exports (rules starting with
/search.) have a stricter one on top (`export`); /healthz, the OpenAPI document and static files are never
limited, nor loopback clients unless `exempt_loopback = false`. The client is the socket's address or, behind
a proxy, the address the nearest trusted proxy put into `proxy_header` (ProxyFix's rule: the `proxy_hops`-th
value from the right of X-Forwarded-For). With the default storage (memory://) each gunicorn worker counts
on its own: a client spread over N workers gets up to N times the limit.
"""

from __future__ import annotations

import ipaddress
import math
import time

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from ..config import RateLimitSettings
from ..errors import ConfigError

EXPORT_PREFIX = "/search."                  # the export routes: /search.csv, /search.jsonl, /search.atom
UNLIMITED = ("static", "api.healthz", "api.openapi")


def client_address(settings: RateLimitSettings) -> str:
    """Who is asking: the socket's address, or the one the nearest trusted proxy recorded."""
    if settings.proxy_header:
        values = [v.strip() for v in request.headers.get(settings.proxy_header, "").split(",") if v.strip()]
        if len(values) >= settings.proxy_hops:
            return values[-settings.proxy_hops]
    return request.remote_addr or ""


def is_limited(endpoint: str | None, settings: RateLimitSettings) -> bool:
    """Whether requests to the route `endpoint` count against a client's budget (the OpenAPI document lists
    their 429)."""
    return settings.enabled and endpoint not in UNLIMITED


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _check(settings: RateLimitSettings) -> None:
    for name in ("search", "export"):
        try:
            parse_many(getattr(settings, name))
        except ValueError as exc:
            raise ConfigError(f"ratelimit.{name}: {exc} (e.g. \"20/second;300/minute\")") from None


def install_rate_limits(app: Flask, settings: RateLimitSettings) -> Limiter | None:
    """Limit the app's routes per client (call after every blueprint is registered); None when disabled."""
    if not settings.enabled:
        return None
    _check(settings)
    limiter = Limiter(lambda: client_address(settings), app=app, application_limits=[settings.search],
                      storage_uri=settings.storage, strategy="fixed-window", headers_enabled=False)

    @limiter.request_filter
    def _exempt() -> bool:
        return not is_limited(request.endpoint, settings) or (settings.exempt_loopback
                                                               and is_loopback(client_address(settings)))

    exports = limiter.shared_limit(settings.export, scope="export")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(EXPORT_PREFIX):
            app.view_functions[rule.endpoint] = exports(app.view_functions[rule.endpoint])  # type: ignore[assignment]

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        from . import error_response

        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 1
        resp = error_response(429, "rate_limited", f"Too many requests from your address (limit {exc.description}); "
                                                   f"try again in {wait} s.")
        resp.headers["Retry-After"] = str(wait)
        return resp

    return limiter
