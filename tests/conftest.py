"""Shared pytest fixtures: settings and a real index of the bundled sample, tiny hand-built conferences."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from searchsvc.config import load_settings
from searchsvc.models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT, Conference, Turn

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
if str(REPO) not in sys.path:          # bench/ (a top-level folder, not part of the package) for its load generator
    sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus"


def base_settings():
    """config.toml of the repo (search limits etc.), before pointing it at a test index."""
    return load_settings(REPO / "config.toml")


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory):
    """Settings whose index (built once per session with rebuild_index) holds the bundled sample/."""
    from searchsvc.index.build import rebuild_index

    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("sample-index"))
    rebuild_index(settings, [SAMPLE])
    return settings


@pytest.fixture(scope="session")
def sample_service(sample_settings):
    """A SearchService over the sample index (shared by the session: do not close it)."""
    from searchsvc.search import SearchService

    service = SearchService(sample_settings)
    yield service
    service.close()


def tiny_conferences() -> list[Conference]:
    """Two small conferences with known words, outlets and speakers (for exact expectations)."""
    mfa = Conference(
        id="2020-07-03-regular-press-conference-aaaa1111", title="Regular Press Conference on July 3, 2020",
        date=date(2020, 7, 3), source_url="https://example.org/mfa/1", source_file="mfa/t1.html",
        source_format="mfa", officials=("Zhao Lijian",),
        turns=[
            Turn(0, KIND_STATEMENT, "", "", ("Zhao Lijian",),
                 "Good afternoon. GDP grew 13.8% in the quarter and 2.042 million jobs were created.", 3),
            Turn(1, KIND_QA, "Reuters", "Will China retaliate against the Hong Kong national security law?",
                 ("Zhao Lijian",),
                 "We will take retaliatory measures against interference. The national security legislation "
                 "for Hong Kong is purely China's internal affair.", 7),
            Turn(2, KIND_QA, "AFP", "Is the investigation into the origins of the virus ongoing?",
                 ("Zhao Lijian",), "Scientists are investigating. <script>alert('x')</script> & more.", 11),
            Turn(3, KIND_QA, "Reuters", "What about Café Zürich tariffs?", ("Zhao Lijian",),
                 "I am not aware of the café matter.", 15),
            Turn(4, KIND_QA, "Bloomberg", "What is your response to the sanctions?", ("Zhao Lijian",),
                 "The national security legislation for Hong Kong is China's internal affair. If the US insists, "
                 "China will take resolute retaliatory measures.", 19),
        ],
    )
    wh = Conference(
        id="2021-01-21-press-briefing-bbbb2222", title="Press Briefing by Press Secretary Jen Psaki",
        date=date(2021, 1, 21), source_url="https://example.org/wh/1", source_file="whitehouse/b.md",
        source_format="whitehouse", officials=("Jen Psaki", "Jake Sullivan"),
        turns=[
            Turn(0, KIND_MODERATOR, "", "", ("Jen Psaki",), "Hi everyone. Let's get started.", 5),
            Turn(1, KIND_QA, "", "What about tariffs on China?", ("Jen Psaki",),
                 "We investigated the tariffs. The rule of law matters to us.", 9),
            Turn(2, KIND_QA, "", "And Hong Kong?", ("Jen Psaki", "Jake Sullivan"),
                 "Security in Hong Kong is a concern for the U.S. and our partners.", 13),
        ],
    )
    return [mfa, wh]


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
# Flask test clients over the sample index and over a tiny index with planted markup, an OpenAPI
# checker every API test goes through, and real gunicorn servers on 127.0.0.1.

import os as _os
import signal as _signal
import socket as _socket
import subprocess as _subprocess
import sys as _sys
import time as _time
import urllib.error as _urlerror
import urllib.request as _urlrequest

WEB_ROOT = Path(__file__).resolve().parents[1]
WEB_DATA = WEB_ROOT / "tests" / "data" / "web"
ARTIFACTS = WEB_ROOT / "test-artifacts"


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
    settings = load_settings(WEB_ROOT / "config.toml").with_index_dir(tmp_path_factory.mktemp("planted") / "index")
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
    return build_openapi(sample_settings.search)


def validate_api_response(doc: dict, path: str, status: int, body) -> None:
    """Fail unless `body` matches the schema the OpenAPI document gives for GET `path` with `status`."""
    import re

    from jsonschema import Draft202012Validator

    for template, item in doc["paths"].items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^/{}]+\}", template))
        if re.fullmatch(pattern, path):
            responses = item["get"]["responses"]
            break
    else:
        pytest.fail(f"{path} is not documented in the OpenAPI document")
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        pytest.fail(f"status {status} of {path} is not documented")
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = dict(response["content"]["application/json"]["schema"], components=doc["components"])
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        pytest.fail(f"GET {path} -> {status} does not match the OpenAPI document: "
                    + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]))


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


def free_port() -> int:
    with _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def loopback_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    return free_port()


class LiveServer:
    """A server command (`searchsvc ... serve ...`) in a subprocess on 127.0.0.1, stopped with SIGTERM."""

    def __init__(self, cmd: list[str], port: int, log_path, env: dict | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = dict(_os.environ, PYTHONPATH=str(WEB_ROOT) + _os.pathsep + _os.environ.get("PYTHONPATH", ""),
                   PYTHONUNBUFFERED="1", **(env or {}))
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        # Own session, so the gunicorn master and its workers (or the dev reloader) form one process group.
        self.proc = _subprocess.Popen(cmd, cwd=WEB_ROOT, env=env, stdout=self._log, stderr=_subprocess.STDOUT,
                                      start_new_session=True)
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _wait_until_answering(self, timeout: float = 90.0) -> None:
        deadline = _time.monotonic() + timeout
        while _time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                self.get("/healthz")
                return
            except OSError:
                _time.sleep(0.2)
        raise RuntimeError(f"server did not answer within {timeout:.0f}s:\n{self.log_text()[-3000:]}")

    def get(self, path: str, headers: dict | None = None):
        """(status, headers, body bytes); HTTP errors are answers too."""
        req = _urlrequest.Request(self.url + path, headers=headers or {})
        try:
            with _urlrequest.urlopen(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except _urlerror.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def get_json(self, path: str):
        import json
        status, headers, body = self.get(path)
        assert headers.get_content_type() == "application/json", (path, status, body[:300])
        return status, json.loads(body)

    def stop(self) -> None:
        if self.proc.poll() is None:
            _os.killpg(self.proc.pid, _signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except _subprocess.TimeoutExpired:
                _os.killpg(self.proc.pid, _signal.SIGKILL)
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()


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
        global_args = ["--config", str(config or WEB_ROOT / "config.toml")]
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
        cmd = [_sys.executable, "-m", "searchsvc.cli", *global_args, "serve", *serve_args]
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
