"""A damaged index generation on the site: damaged before it is opened (checked against its manifest when
opened) or while it is read (a search fails, the files are checked again) it answers 503 with a message naming
the file on every page, the API and /healthz: never a 500, never results from damaged files."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
