"""Shared pytest fixtures: settings and real indexes (bundled sample, tiny conferences, planted markup), Flask
test clients, an OpenAPI checker and real gunicorn servers on 127.0.0.1. Helpers live in tests/support/."""

from __future__ import annotations

import sys

import pytest
from support import CORPUS, REPO, SAMPLE, WEB_DATA, base_settings, tiny_conferences
from support.openapi import validate_api_response
from support.servers import LiveServer, free_port

SAMPLE_POSTINGS_BLOCK = 64   # the sample index's block size (index.schema.POSTINGS_BLOCK): several blocks a word


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory):
    """Settings whose index (built once per session with rebuild_index) holds the bundled sample/. Its posting
    lists are written in blocks of SAMPLE_POSTINGS_BLOCK postings, not the product's 512, so that the sample's
    frequent words span several blocks and the block-walking reads (phrases, directories) are exercised."""
    from searchsvc.index import schema as S
    from searchsvc.index.build import rebuild_index

    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("sample-index"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(S, "POSTINGS_BLOCK", SAMPLE_POSTINGS_BLOCK)
        rebuild_index(settings, [SAMPLE])
    return settings


@pytest.fixture(scope="session")
def sample_service(sample_settings):
    """A SearchService over the sample index (shared by the session: do not close it)."""
    from searchsvc.search import SearchService

    service = SearchService(sample_settings)
    yield service
    service.close()


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory):
    """Settings with an index of tiny_conferences() (built once per session: do not modify it)."""
    from searchsvc.index.build import rebuild_from_conferences

    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("tiny-index"))
    rebuild_from_conferences(settings, tiny_conferences())
    return settings


@pytest.fixture(scope="session")
def tiny_service(tiny_settings):
    from searchsvc.search import SearchService

    service = SearchService(tiny_settings)
    yield service
    service.close()


# ---- web fixtures -------------------------------------------------------------------


@pytest.fixture(scope="session")
def web_app(sample_settings, sample_service):
    """The Flask app over the bundled sample, sharing the session's SearchService."""
    from searchsvc.web import create_app
    return create_app(sample_settings, service=sample_service)


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="session")
def planted_settings(tmp_path_factory):
    """A real index of tests/data/web: a transcript with <script> and "onmouseover= in title, speaker,
    outlet, question and answer, and a javascript: source URL."""
    from searchsvc.config import load_settings
    from searchsvc.index.build import rebuild_index
    settings = load_settings(REPO / "config.toml").with_index_dir(tmp_path_factory.mktemp("planted") / "index")
    rebuild_index(settings, [WEB_DATA])
    return settings


@pytest.fixture(scope="session")
def planted_app(planted_settings):
    from searchsvc.web import EXTENSION, create_app
    app = create_app(planted_settings)
    yield app
    app.extensions[EXTENSION].close()


@pytest.fixture
def planted_client(planted_app):
    return planted_app.test_client()


@pytest.fixture(scope="session")
def openapi_doc(sample_settings):
    from searchsvc.web.openapi import build_openapi
    return build_openapi(sample_settings)


@pytest.fixture
def openapi_validate(openapi_doc):
    """validate(path, status, body): fail unless the body matches the OpenAPI document."""
    return lambda path, status, body: validate_api_response(openapi_doc, path, status, body)


@pytest.fixture
def api_get(openapi_doc):
    """GET a JSON endpoint with a test client, check status and content type, validate against the OpenAPI doc."""
    from urllib.parse import urlsplit

    def get(client, url: str, status: int = 200):
        resp = client.get(url)
        assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:500])
        assert resp.mimetype == "application/json", (url, resp.mimetype)
        validate_api_response(openapi_doc, urlsplit(url).path, resp.status_code, resp.get_json())
        return resp
    return get


@pytest.fixture
def loopback_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    return free_port()


@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """start_server(index_dir, workers=2, dev=False, config=None, port=None) -> a running LiveServer, stopped at
    the end of the session (or earlier with .stop()). index_dir=None and port given: both come from `config`."""
    started: list[LiveServer] = []
    logs = tmp_path_factory.mktemp("server-logs")

    def start(index_dir=None, workers: int | None = 2, dev: bool = False, config=None, port: int | None = None,
              cmd: list[str] | None = None, env: dict | None = None):
        if cmd is not None:      # any other server command line, e.g. plain gunicorn
            server = LiveServer(cmd, port, logs / f"server-{len(started)}.log", env=env)
            started.append(server)
            return server
        global_args = ["--config", str(config or REPO / "config.toml")]
        if index_dir is not None:
            global_args += ["--index", str(index_dir)]
        serve_args = []
        if port is None:
            port = free_port()
            serve_args += ["--bind", f"127.0.0.1:{port}"]
        if workers is not None:
            serve_args += ["--workers", str(workers)]
        if dev:
            serve_args.append("--dev")
        cmd = [sys.executable, "-m", "searchsvc.cli", *global_args, "serve", *serve_args]
        server = LiveServer(cmd, port, logs / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(start_server, sample_settings):
    """gunicorn (2 sync workers) on 127.0.0.1 serving the bundled sample's index."""
    return start_server(sample_settings.index.dir)


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory):
    """A SearchService over an index of the whole shared corpus (built once per session; corpus-marked tests)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    from searchsvc.index.build import rebuild_index
    from searchsvc.search import SearchService

    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("corpus-full-index"))
    rebuild_index(settings, [CORPUS])
    service = SearchService(settings)
    yield service
    service.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium (Playwright), one per test module; skipped (failed in CI) when it is missing."""
    from support.browser import launch_chromium
    yield from launch_chromium()


@pytest.fixture
def hook():
    """A webhook receiver on 127.0.0.1 (alerts tests), stopped afterwards."""
    from alerts_support import WebhookReceiver
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
