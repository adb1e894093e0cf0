"""A burst from one client (web/ratelimit.py): per-client limits answer 429 with Retry-After and a JSON error
under /api/, exports have their own stricter limit, loopback is exempt by default, and a configured proxy
header names the client. Against real gunicorn (2 sync workers, limits counted per worker): one client floods
while others search at a gentle rate; the others are never limited and their latency is reported (with and
without the flood), never asserted."""

from __future__ import annotations

import dataclasses
import json
import math
import threading

import pytest
from hardening_support import Tally, config_with, scaled

from bench.loadgen import run_load
from searchsvc.config import RateLimitSettings
from searchsvc.web import EXTENSION, create_app

FLOODER = {"X-Forwarded-For": "203.0.113.9"}
OTHERS = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in (1, 2)]
OTHER_PATHS = ["/api/search?q=trade", "/?q=tariffs", "/api/search?q=security+council&scope=answer",
               "/results?q=china&sort=newest", "/api/search?q=pres*&page=2", "/turns/x", "/api/facets"]
FLOOD_PATHS = ["/api/search?q=china", "/?q=economy", "/api/search?q=vaccine&page=3"]


@pytest.fixture
def app_with(sample_settings, sample_service):
    apps = []

    def make(**limits):
        settings = dataclasses.replace(sample_settings, ratelimit=RateLimitSettings(**limits))
        app = create_app(settings, service=sample_service)
        apps.append(app)
        return app
    yield make


def get(client, url: str, address: str, headers: dict | None = None):
    resp = client.get(url, environ_base={"REMOTE_ADDR": address}, headers=headers or {})
    resp.get_data()      # streamed exports run to the end
    return resp


def test_over_the_limit_is_429_with_retry_after_and_json_under_api(app_with):
    client = app_with(search="5/minute", export="2/minute", exempt_loopback=False).test_client()
    statuses = [get(client, "/api/search?q=china", "10.0.0.1").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    resp = get(client, "/api/search?q=trade", "10.0.0.1")
    assert resp.status_code == 429 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(resp.headers["Retry-After"]) <= 61
    page = get(client, "/?q=china", "10.0.0.1")                  # the budget is shared by every search route
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Too many requests" in page.get_data(as_text=True)
    assert get(client, "/healthz", "10.0.0.1").status_code == 200  # never limited
    assert get(client, "/api/search?q=china", "10.0.0.2").status_code == 200  # another client


def test_exports_have_their_own_stricter_limit(app_with):
    client = app_with(search="50/minute", export="2/minute", exempt_loopback=False).test_client()
    csv = [get(client, "/search.csv?q=china", "10.0.0.3").status_code for _ in range(3)]
    assert csv == [200, 200, 429]
    limited = get(client, "/search.jsonl?q=china", "10.0.0.3")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert get(client, "/api/search?q=china", "10.0.0.3").status_code == 200


def test_loopback_is_exempt_by_default(app_with):
    client = app_with(search="2/minute").test_client()
    assert {get(client, "/api/search?q=china", "127.0.0.1").status_code for _ in range(5)} == {200}
    assert {get(client, "/api/search?q=china", "::1").status_code for _ in range(5)} == {200}
    assert [get(client, "/api/search?q=china", "10.0.0.4").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(("header", "hops", "value", "client_seen"), [
    ("X-Forwarded-For", 1, "192.0.2.7", "192.0.2.7"),
    ("X-Forwarded-For", 1, "10.9.9.9, 192.0.2.7", "192.0.2.7"),      # a forged first hop is not trusted
    ("X-Forwarded-For", 2, "192.0.2.7, 10.1.1.1", "192.0.2.7"),
    ("X-Real-IP", 1, "192.0.2.8", "192.0.2.8"),
])
def test_proxy_header_names_the_client(app_with, header, hops, value, client_seen):
    from searchsvc.web.ratelimit import client_address

    app = app_with(search="2/minute", proxy_header=header, proxy_hops=hops)
    with app.test_request_context("/", headers={header: value}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert client_address(app.config["SEARCHSVC_SETTINGS"].ratelimit) == client_seen
    client = app.test_client()
    statuses = [get(client, "/api/search?q=china", "127.0.0.1", {header: value}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]     # the proxy is on loopback, its clients are not exempt
    other = value.replace(client_seen, "192.0.2.99")
    assert get(client, "/api/search?q=china", "127.0.0.1", {header: other}).status_code == 200


def test_bad_limit_in_config_is_a_clear_error(app_with):
    from searchsvc.errors import ConfigError

    with pytest.raises(ConfigError, match="ratelimit.search"):
        app_with(search="lots per second")


def test_disabled_limits_nothing(app_with):
    app = app_with(enabled=False, search="1/minute", exempt_loopback=False)
    client = app.test_client()
    assert {get(client, "/api/search?q=china", "10.0.0.5").status_code for _ in range(4)} == {200}
    assert EXTENSION in app.extensions


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_one_client_flooding_gunicorn_leaves_the_others_served(start_server, sample_settings, tmp_path, large):
    config = config_with(tmp_path, "ratelimit", search="10/second", proxy_header="X-Forwarded-For", proxy_hops=1)
    server = start_server(sample_settings.index.dir, workers=2, config=config)
    for path in OTHER_PATHS:                       # both workers open the index before anything is measured
        server.get(path)
    seconds = scaled(4.0, 30.0)
    flood_rate, other_rate = scaled(150.0, 300.0), 4.0

    baseline = run_load(server.port, OTHER_PATHS, other_rate * 2, seconds=2.0, headers=OTHERS[0])
    results: dict = {}

    def others(n: int) -> None:
        results[n] = run_load(server.port, OTHER_PATHS, other_rate, seconds, headers=OTHERS[n], timeout=15.0)
    threads = [threading.Thread(target=others, args=(n,)) for n in range(len(OTHERS))]
    for t in threads:
        t.start()
    flood = run_load(server.port, FLOOD_PATHS, flood_rate, seconds, headers=FLOODER, threads=32, timeout=15.0)
    for t in threads:
        t.join()

    during = [a for n in results for a in results[n].answers]
    flood_summary = flood.summary()
    others_ok = [a for a in during if a.status in (200, 404)]
    others_p = sorted(a.latency for a in others_ok)
    tally = Tally("burst")
    tally.add("flood_requests", len(flood.answers))
    tally.add("flood_429", flood_summary["statuses"].get("429", 0))
    tally.add("others_requests", len(during))
    tally.add("others_failed", len(during) - len(others_ok))
    alone = baseline.summary()
    figures = {"large": large, "flood_rps": flood_rate, "flood_statuses": flood_summary["statuses"],
               "others_baseline_p50_ms": alone["p50_ms"], "others_baseline_p99_ms": alone["p99_ms"],
               "others_p50_ms": round(others_p[len(others_p) // 2] * 1000, 1) if others_p else None,
               "others_p99_ms": round(others_p[int(len(others_p) * 0.99)] * 1000, 1) if others_p else None}
    tally.record(**figures)
    print(json.dumps(figures))

    assert set(flood_summary["statuses"]) <= {"200", "429"}, flood_summary    # answered, never dropped or 5xx
    allowed = 2 * 10 * (math.ceil(flood.seconds) + 1)   # 2 workers, each counting 10 a second on its own
    assert flood_summary["statuses"].get("200", 0) <= allowed, flood_summary
    limited = [a for a in flood.answers if a.status == 429]
    assert len(limited) >= len(flood.answers) - allowed
    assert all(json.loads(a.body)["error"]["code"] == "rate_limited" for a in limited if a.path.startswith("/api/"))
    assert len(others_ok) == len(during), sorted({(a.status, a.error) for a in during} - {(200, ""), (404, "")})
    for _ in range(100):                           # the flooder's window may have just ended: use it up
        status, headers, _ = server.get("/api/search?q=china", headers=FLOODER)
        if status == 429:
            break
    assert status == 429 and int(headers["Retry-After"]) >= 1
