"""A damaged index generation on the site: damaged before it is opened (checked against its manifest when
opened) or while it is read (a search fails, the files are checked again) it answers 503 with a message naming
the file on every page, the API and /healthz: never a 500, never results from damaged files."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hardening_support import INDEX_PARTS, damage, find_part

from searchsvc.index.store import current_generation, index_root
from searchsvc.index.verify import verify_generation
from searchsvc.web import EXTENSION, create_app

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("/api/search?q=china", "/?q=trade", "/results?q=security", "/healthz", "/api/facets",
         "/search.csv?q=china", "/api/matrix?q=china")


@pytest.fixture
def sample_copy(sample_settings, tmp_path):
    target = tmp_path / "index"
    shutil.copytree(index_root(sample_settings), target)
    settings = sample_settings.with_index_dir(target)
    return settings, target / current_generation(settings)


@pytest.fixture
def app_of():
    apps = []

    def make(settings):
        app = create_app(settings)
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions[EXTENSION].close()


def assert_damaged_answer(resp, path: str, file_name: str) -> None:
    assert resp.status_code == 503, (path, resp.status_code, resp.get_data(as_text=True)[:300])
    text = resp.get_data(as_text=True)
    if resp.mimetype == "application/json":
        error = resp.get_json()["error"]
        assert error["code"] == "rebuild_needed" and file_name in error["message"], error
    else:
        assert file_name in text and "Traceback" not in text


@pytest.mark.parametrize("how", ["truncate", "flip"])
@pytest.mark.parametrize("kind", list(INDEX_PARTS))
def test_damaged_before_opening_answers_503_everywhere(sample_copy, app_of, kind, how):
    settings, gen_dir = sample_copy
    path, offset, length, _part = find_part(gen_dir, kind)
    damage(path, offset, length, how)
    client = app_of(settings).test_client()
    for url in PATHS:
        assert_damaged_answer(client.get(url), url, path.name)


def test_damaged_while_serving_answers_503_then_recovers_after_rebuild(sample_copy, app_of, sample_settings):
    from searchsvc.index.build import rebuild_index

    settings, gen_dir = sample_copy
    client = app_of(settings).test_client()
    assert client.get("/api/search?q=china").status_code == 200       # opened, checked, serving
    path, offset, length, part = find_part(gen_dir, "postings")
    damage(path, offset, length, "garbage")                           # same size: only reading finds it
    resp = client.get("/api/search?q=tariffs+economy")                 # not in the page cache: reads postings
    assert_damaged_answer(resp, "search", path.name)
    assert part in resp.get_json()["error"]["message"]
    for url in ("/api/search?q=china", *PATHS):                        # sticks, cached pages included
        assert_damaged_answer(client.get(url), url, path.name)

    rebuild_index(settings, [ROOT / "sample"])                         # a new generation serves again
    assert client.get("/api/search?q=tariffs+economy").status_code == 200
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_truncated_while_serving_answers_503_before_reading(sample_copy, app_of):
    """A file cut short under an open reader would crash it on a memory-mapped page: sizes are checked first."""
    settings, gen_dir = sample_copy
    client = app_of(settings).test_client()
    assert client.get("/api/search?q=china").status_code == 200
    path, offset, length, _part = find_part(gen_dir, "stored")
    damage(path, offset, length, "truncate")
    for url in PATHS:
        assert_damaged_answer(client.get(url), url, path.name)


def test_cli_search_on_a_damaged_index_says_so(sample_copy):
    settings, gen_dir = sample_copy
    path, offset, length, _part = find_part(gen_dir, "terms")
    damage(path, offset, length, "flip")
    done = subprocess.run([sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"),
                           "--index", str(index_root(settings)), "search", "china"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and path.name in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_damage_at_many_places_dedicated(sample_settings, tmp_path):
    """The dedicated run: every kind of index file damaged three ways at several places of an index of the
    corpus ($SEARCHSVC_HARDENING_INDEX, else the sample), each time restored afterwards: verify names the
    file, the site answers 503, never a 500 or a 200 from damaged files."""
    import os
    import random

    from hardening_support import Tally

    source = Path(os.environ.get("SEARCHSVC_HARDENING_INDEX") or index_root(sample_settings))
    target = tmp_path / "index"
    shutil.copytree(source, target)
    settings = sample_settings.with_index_dir(target)
    gen_dir = target / current_generation(settings)
    tally = Tally("damaged")
    rng = random.Random(5)
    for kind in INDEX_PARTS:
        for how in ("truncate", "flip", "garbage"):
            for _ in range(3):
                path, offset, length, _part = find_part(gen_dir, kind)
                at = offset + rng.randrange(max(1, length))
                span = min(64, offset + length - at) if how == "garbage" else 1
                original = path.read_bytes()
                if how == "truncate":                  # cut at `at`
                    damage(path, offset, 2 * (at - offset) + 1, how)
                else:
                    damage(path, at, span, how)
                tally.add("faults_injected")
                report = verify_generation(gen_dir)
                tally.add("named", int(str(path) in {c.path for c in report.problems}))
                app = create_app(settings)
                try:
                    for url in ("/api/search?q=china", "/healthz", "/?q=trade"):
                        status = app.test_client().get(url).status_code
                        tally.add(f"status_{status}")
                finally:
                    app.extensions[EXTENSION].close()
                path.write_bytes(original)
    tally.record(index=str(source))
    assert tally["named"] == tally["faults_injected"], tally.counts
    assert set(tally.counts) - {"faults_injected", "named"} == {"status_503"}, tally.counts


# ---- under real gunicorn: files damaged between and during requests ----------------------------------

SERVED = ("/api/search?q=china", "/api/search?q=trade+minister", "/?q=security", "/search.csv?q=china",
          "/api/facets", "/healthz")


def fingerprint(path: str, body: bytes):
    """What must not change while answering 200 from a damaged generation: hits of a search, a whole export."""
    if path.startswith("/api/search"):
        page = json.loads(body)
        return page["total"], [h["id"] for h in page["hits"]]
    return body if path.startswith("/search.csv") else None


def publish_copy(index: Path, pristine: Path) -> str:
    """A good copy of a generation published under a new name (what a rebuild does, in a second)."""
    from searchsvc.index.store import new_generation_name, swap_current

    name = new_generation_name(index)
    shutil.copytree(pristine, index / name)
    swap_current(index, name)
    return name


def wait_until(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def keep_asking(server, offset: int, stop: threading.Event, answers: list) -> None:
    """Request SERVED in turn until `stop`, recording (path, status or the error's name, body)."""
    i = offset
    while not stop.is_set():
        path = SERVED[i % len(SERVED)]
        try:
            status, _headers, body = server.get(path)
        except (OSError, http.client.HTTPException) as exc:   # a worker died under it, or the answer was cut
            status, body = type(exc).__name__, b""
        answers.append((path, status, body))
        i += 1


def damage_while_serving(server, index: Path, spare: Path, cases, tally, clients: int = 2) -> None:
    """For each (kind, how, where): clients keep requests in flight while a file of the serving generation is
    damaged; then every path must answer 503 rebuild_needed; a good generation is published and serves again.
    Counts every answer: 200s must equal the answers before the damage, anything but 200/503 is a failure."""
    from hardening_support import descendants

    baseline = {p: fingerprint(p, server.get(p)[2]) for p in SERVED}
    workers = descendants(server.proc.pid)
    for n, (kind, how, where) in enumerate(cases):
        gen_dir = index / (index / "CURRENT").read_text().strip()
        pristine = spare / f"pristine-{n}"
        shutil.copytree(gen_dir, pristine)
        answers: list[tuple[str, object, bytes]] = []
        stop = threading.Event()

        threads = [threading.Thread(target=keep_asking, args=(server, k, stop, answers)) for k in range(clients)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda answers=answers: len(answers) >= 2 * len(SERVED), what="answers before the damage")
            path, offset, length, _part = find_part(gen_dir, kind)
            at = offset + int(where * max(0, length - 1))
            damage(path, at if how != "truncate" else offset, 1 if how != "truncate" else 2 * (at - offset) + 1, how)
            tally.add("faults_injected")
            wait_until(lambda: all(server.get(p)[0] == 503 for p in SERVED for _ in range(2)),
                       what=f"503 everywhere after {how} of {kind}")
        finally:
            stop.set()
            for t in threads:
                t.join()
        publish_copy(index, pristine)
        wait_until(lambda: all(server.get(p)[0] == 200 for p in SERVED), what="200 again after publishing")
        for path, status, body in answers:
            tally.add("requests")
            if status == 200:
                if fingerprint(path, body) != baseline[path]:
                    tally.add("wrong_results", sample=f"{kind} {how} {path}: {body[:200]!r}")
            elif status == 503:
                code = json.loads(body)["error"]["code"] if path != "/?q=security" else "rebuild_needed"
                tally.add("answered_503")
                if code != "rebuild_needed":
                    tally.add("not_rebuild_needed", sample=body[:200].decode())
            elif status == "IncompleteRead" and path.startswith("/search.csv"):
                tally.add("streams_cut")     # damage found while streaming: cut, never completed with bad rows
            else:
                tally.add("failed", sample=f"{kind} {how} {path}: {status} {body[:200]!r}")
        tally.add("workers_replaced", len(workers - descendants(server.proc.pid)))


def assert_served_safely(tally, server) -> None:
    log = server.log_text()
    assert tally["failed"] == 0, (tally.counts, tally.samples)
    assert tally["wrong_results"] == 0 and tally["not_rebuild_needed"] == 0, (tally.counts, tally.samples)
    assert tally["workers_replaced"] == 0 and "SIGBUS" not in log and "SIGSEGV" not in log, log[-3000:]
    assert " 500 " not in log, log[-3000:]


def test_each_kind_of_file_damaged_under_gunicorn_answers_503_then_recovers(start_server, sample_copy, tmp_path):
    """Real gunicorn (2 sync workers), two clients: each kind of index file is cut short or has a byte flipped
    while requests are in flight: every answer is the right one or 503 rebuild_needed, no worker crashes
    (a file cut short under a memory map used to kill it with SIGBUS), and a good generation serves again."""
    from hardening_support import Tally

    settings, gen_dir = sample_copy
    server = start_server(gen_dir.parent, workers=2)
    tally = Tally("damaged_gunicorn_small")
    cases = [(kind, how, 0.5) for kind in INDEX_PARTS for how in ("truncate", "flip")]
    damage_while_serving(server, gen_dir.parent, tmp_path / "spare", cases, tally)
    assert_served_safely(tally, server)
    server.stop()
    assert tally["faults_injected"] == len(cases) and tally["answered_503"] > 0


def test_column_tables_cut_short_under_gunicorn_lose_no_worker(start_server, sample_copy, tmp_path):
    from hardening_support import Tally

    settings, gen_dir = sample_copy
    server = start_server(gen_dir.parent, workers=2)
    tally = Tally("damaged_gunicorn_tables")
    damage_while_serving(server, gen_dir.parent, tmp_path / "spare", [("tables", "truncate", 0.5)] * 3, tally)
    assert_served_safely(tally, server)
    server.stop()


@pytest.mark.slow
def test_damage_under_gunicorn_at_many_places_dedicated(start_server, sample_settings, tmp_path):
    """The dedicated run: an index of the corpus ($SEARCHSVC_HARDENING_INDEX, else the sample), every kind of file
    truncated, flipped and overwritten at three places each, four clients."""
    import os
    import random

    from hardening_support import Tally

    source = Path(os.environ.get("SEARCHSVC_HARDENING_INDEX") or index_root(sample_settings))
    index = tmp_path / "index"
    shutil.copytree(source / current_generation(sample_settings.with_index_dir(source)),
                    index / current_generation(sample_settings.with_index_dir(source)))
    shutil.copy2(source / "CURRENT", index / "CURRENT")
    server = start_server(index, workers=2)
    rng = random.Random(17)
    cases = [(k, how, rng.random()) for k in INDEX_PARTS for how in ("truncate", "flip", "garbage") for _ in range(3)]
    tally = Tally("damaged_gunicorn")
    damage_while_serving(server, index, tmp_path / "spare", cases, tally, clients=4)
    tally.record(index=str(source))
    assert_served_safely(tally, server)
    server.stop()


def test_a_pruned_older_generation_is_not_damage(sample_copy, app_of, tmp_path):
    """The generation a worker last opened was published over and pruned (its folder removed) before the
    worker's next request, one that does not read the index: the check after it is no 503."""
    settings, gen_dir = sample_copy
    client = app_of(settings).test_client()
    assert client.get("/api/search?q=china").status_code == 200
    spare = tmp_path / "good"
    shutil.copytree(gen_dir, spare)
    publish_copy(gen_dir.parent, spare)
    shutil.rmtree(gen_dir)
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/search?q=china").status_code == 200
