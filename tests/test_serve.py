"""Tests for `searchsvc serve` (searchsvc.web.wsgi + cli): real gunicorn on 127.0.0.1, workers, index pick-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hardening_support import descendants

from searchsvc.cli import main
from searchsvc.index.build import add_to_index, rebuild_index
from searchsvc.index.store import current_generation

ROOT = Path(__file__).resolve().parents[1]
WEB_DATA = ROOT / "tests" / "data" / "web"
SCIO = ROOT / "sample" / "scio"


def child_pids(pid: int) -> list[int]:
    """Live child processes of `pid`, from /proc (hardening_support.descendants: safe while processes exit)."""
    return sorted(p for p in descendants(pid) if _parent_of(p) == pid)


def _parent_of(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "0"))


def test_gunicorn_serves_pages_api_and_assets(live_server, sample_service):
    status, headers, body = live_server.get("/?q=trade")
    assert status == 200 and b"<mark>" in body
    assert headers["Server"].lower().startswith("gunicorn")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"]
    status, health = live_server.get_json("/healthz")
    assert status == 200
    assert health["generation"] == sample_service.generation and health["turns"] == sample_service.stats().turns
    status, page = live_server.get_json("/api/search?q=trade&per_page=3")
    assert status == 200 and len(page["hits"]) == 3
    for asset in ("/static/style.css", "/static/search.js"):
        status, headers, body = live_server.get(asset)
        assert status == 200 and body
    status, error = live_server.get_json("/api/search?page=abc")
    assert status == 400 and error["error"]["code"] == "bad_request"
    status, error = live_server.get_json("/api/turns/nope")
    assert status == 404 and error["error"]["code"] == "not_found"


def test_workers_are_forked_processes_of_one_master(live_server):
    workers = child_pids(live_server.proc.pid)
    assert len(workers) == 2
    # Every answer comes from one of them (sync workers) and they all serve the same index.
    generations = {live_server.get_json("/healthz")[1]["generation"] for _ in range(8)}
    assert len(generations) == 1


def test_rebuilt_index_is_picked_up_without_restart(start_server, sample_settings, tmp_path):
    settings = sample_settings.with_index_dir(tmp_path / "index")
    first = rebuild_index(settings, [WEB_DATA])
    server = start_server(settings.index.dir, workers=2)
    status, health = server.get_json("/healthz")
    assert (status, health["generation"], health["turns"]) == (200, first.generation, first.turns)
    assert server.get_json("/api/search?q=pollution")[1]["total"] == 0
    workers = sorted(child_pids(server.proc.pid))

    second = add_to_index(settings, [SCIO])
    assert second.generation != first.generation and second.turns > first.turns
    # No restart: the same processes answer, each reopening its searcher on the new generation.
    for _ in range(8):
        status, health = server.get_json("/healthz")
        assert (status, health["generation"], health["turns"]) == (200, second.generation, second.turns)
    assert server.get_json("/api/search?q=pollution")[1]["total"] > 0
    assert server.proc.poll() is None and sorted(child_pids(server.proc.pid)) == workers


def test_missing_index_is_503_until_built(start_server, sample_settings, tmp_path):
    settings = sample_settings.with_index_dir(tmp_path / "later")
    server = start_server(settings.index.dir, workers=1)
    status, body = server.get_json("/healthz")
    assert status == 503 and body["error"]["code"] == "index_missing"
    status, headers, page = server.get("/")
    assert status == 503 and b"index rebuild" in page
    rebuild_index(settings, [WEB_DATA])
    status, body = server.get_json("/healthz")
    assert status == 200 and body["generation"] == current_generation(settings)


def test_damaged_index_serves_503_rebuild_needed_until_rebuilt(start_server, sample_settings, tmp_path):
    """A table of contents that cannot be unpickled: gunicorn still boots its workers (their warm-up meets
    the error and moves on), every page says "rebuild needed" with 503, and a rebuild heals it in place."""
    settings = sample_settings.with_index_dir(tmp_path / "damaged")
    rebuild_index(settings, [WEB_DATA])
    gen = Path(settings.index.dir) / current_generation(settings)
    (toc,) = gen.glob("_MAIN_*.toc")
    toc.write_bytes(b"\x80\x04garbage" * 20)
    server = start_server(settings.index.dir, workers=2)
    assert server.proc.poll() is None and len(child_pids(server.proc.pid)) == 2
    for path in ("/healthz", "/api/search?q=pollution"):
        status, body = server.get_json(path)
        assert status == 503 and body["error"]["code"] == "rebuild_needed", (path, body)
        assert "Rebuild needed" in body["error"]["message"] and str(tmp_path) not in body["error"]["message"]
    status, _, page = server.get("/?q=pollution")
    assert status == 503 and b"needs a rebuild" in page and b"searchsvc index rebuild" in page
    assert "Worker failed to boot" not in server.log_text()
    fixed = rebuild_index(settings, [WEB_DATA])
    status, health = server.get_json("/healthz")
    assert (status, health["generation"]) == (200, fixed.generation)
    server.stop()


def test_defaults_come_from_the_config_file(start_server, sample_settings, tmp_path, loopback_port):
    config = tmp_path / "site.toml"
    config.write_text(f'[corpus]\npaths = ["{ROOT / "sample"}"]\n[index]\ndir = "{sample_settings.index.dir}"\n'
                      f'[server]\nbind = "127.0.0.1:{loopback_port}"\nworkers = 3\n', encoding="utf-8")
    server = start_server(config=config, port=loopback_port, workers=None)
    status, health = server.get_json("/healthz")
    assert status == 200 and health["generation"] == current_generation(sample_settings)
    assert len(child_pids(server.proc.pid)) == 3
    server.stop()
    assert server.proc.returncode == 0


def test_dev_server(start_server, sample_settings):
    server = start_server(sample_settings.index.dir, dev=True, workers=None)
    status, headers, body = server.get("/?q=trade")
    assert status == 200 and b"<mark>" in body
    assert "werkzeug" in headers["Server"].lower()
    server.stop()


def test_plain_gunicorn_with_the_env_factory(start_server, sample_settings, loopback_port):
    import sys
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{loopback_port}", "--workers", "1",
           "--no-control-socket", "searchsvc.web.wsgi:create_app_from_env()"]
    server = start_server(cmd=cmd, port=loopback_port, env={
        "SEARCHSVC_CONFIG": str(ROOT / "config.toml"), "SEARCHSVC_INDEX": str(sample_settings.index.dir)})
    status, health = server.get_json("/healthz")
    assert status == 200 and health["generation"] == current_generation(sample_settings)
    server.stop()


@pytest.mark.parametrize("bind", ["nonsense", "127.0.0.1", "127.0.0.1:99999", ":8000", "host:port"])
def test_bad_bind_is_a_usage_error(bind):
    result = CliRunner().invoke(main, ["--config", str(ROOT / "config.toml"), "serve", "--bind", bind])
    assert result.exit_code == 2
    assert "HOST:PORT" in result.output


def test_serve_help_documents_the_options():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--bind", "--workers", "--dev"):
        assert option in result.output


def test_gunicorn_options_follow_the_config(sample_settings):
    from searchsvc.web.wsgi import gunicorn_options
    opts = gunicorn_options(sample_settings)
    assert opts["bind"] == [sample_settings.server.bind] and opts["workers"] == sample_settings.server.workers
    assert opts["timeout"] == sample_settings.server.timeout
    assert opts["worker_class"] == "sync" and opts["preload_app"] is False
    assert gunicorn_options(sample_settings, bind="127.0.0.1:9", workers=5)["bind"] == ["127.0.0.1:9"]
    json.dumps(opts)  # plain values only


def test_warm_up_opens_the_index_and_freezes_what_lives_as_long_as_the_worker(sample_settings):
    import gc

    from searchsvc.web import create_app
    from searchsvc.web.wsgi import GC_YOUNG_THRESHOLD, warm_up
    app = create_app(sample_settings)
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        assert gc.get_freeze_count() == 0
        assert warm_up(app) is app
        assert app.extensions["searchsvc"].peek() is not None        # the generation was opened before any request
        assert gc.get_freeze_count() > 1000                          # ... and it is out of the collector's way
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *thresholds[1:])   # young objects collected less often
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        app.extensions["searchsvc"].close()
