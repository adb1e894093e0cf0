"""Tests for searchsvc.cli.config and the CLI without a config file: `searchsvc config` tells the settings in
force and where each came from; the built wheel, installed in a fresh virtual environment and run from an empty
folder with no config, rebuilds, searches and serves (to a 200 on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import site
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchsvc.cli import main

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPTS = REPO / "sample" / "whitehouse"


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """An empty current folder, no config variables, a per-user data folder of the test's own."""
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    for name in ("SEARCHSVC_CONFIG", "SEARCHSVC_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    return tmp_path


def test_config_without_a_file_shows_built_in_defaults_and_the_user_data_folder(nowhere):
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0, result.output
    assert "config file: (none)" in result.output and "built-in defaults" in result.output
    assert str(nowhere / "data-home" / "searchsvc" / "index") in result.output
    shown = json.loads(CliRunner().invoke(main, ["config", "--json"]).output)
    assert shown["config_file"] is None
    assert shown["settings"]["search.per_page"] == {"value": 10, "from": "built-in default"}


def test_config_tells_where_each_setting_came_from(nowhere, monkeypatch):
    config = nowhere / "elsewhere" / "my.toml"
    config.parent.mkdir()
    config.write_text("[search]\nper_page = 7\n", encoding="utf-8")
    monkeypatch.setenv("SEARCHSVC_CONFIG", str(config))
    shown = json.loads(CliRunner().invoke(main, ["--index", str(nowhere / "idx"), "config", "--json"]).output)
    assert (shown["config_file"], shown["config_from"]) == (str(config), "$SEARCHSVC_CONFIG")
    assert shown["settings"]["search.per_page"] == {"value": 7, "from": str(config)}
    assert shown["settings"]["index.dir"] == {"value": str(nowhere / "idx"), "from": "--index"}
    assert shown["settings"]["search.max_per_page"]["from"] == "built-in default"


def test_rebuild_without_paths_or_corpus_says_what_to_give(nowhere):
    result = CliRunner().invoke(main, ["index", "rebuild"])
    assert result.exit_code == 1 and "name files or folders" in result.output


def test_a_bad_config_named_by_the_environment_is_a_clear_error(nowhere, monkeypatch):
    monkeypatch.setenv("SEARCHSVC_CONFIG", str(nowhere / "missing.toml"))
    result = CliRunner().invoke(main, ["search", "trade"])
    assert result.exit_code == 1 and "config file not found" in result.output and "Traceback" not in result.output


# ---- the wheel in a fresh virtual environment ------------------------------------------------------------

def _build_wheel(out: Path) -> Path:
    """The wheel of a clean copy of the project (so no build files land in the work tree), built offline."""
    src = out / "src"
    shutil.copytree(REPO / "searchsvc", src / "searchsvc", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    return next((out / "dist").glob("searchsvc-*.whl"))


def _fresh_venv(where: Path, wheel: Path) -> Path:
    """A venv holding only the wheel; its dependencies come from this test run's environment (a .pth line, so
    nothing is downloaded), never the project's source tree."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    py = where / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "project-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return where / "bin"


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SEARCHSVC_", "XDG_", "PYTHON", "VIRTUAL_ENV"))}
    return dict(env, HOME=str(home), PYTHONUNBUFFERED="1")


def _wait_for_200(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return resp.status
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_wheel_rebuilds_searches_and_serves_from_an_empty_folder_without_config(tmp_path):
    bin_dir = _fresh_venv(tmp_path / "venv", _build_wheel(tmp_path / "build"))
    home, empty, index = tmp_path / "home", tmp_path / "empty", tmp_path / "idx"
    home.mkdir()
    empty.mkdir()
    env = _clean_env(home)

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(bin_dir / "searchsvc"), *args], cwd=empty, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done

    where = subprocess.run([str(bin_dir / "python"), "-c", "import searchsvc; print(searchsvc.__file__)"],
                           cwd=empty, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(tmp_path / "venv")), where          # the installed wheel, not the work tree

    assert "turns" in run("--index", str(index), "index", "rebuild", str(TRANSCRIPTS)).stdout
    page = json.loads(run("--index", str(index), "search", "vaccine", "--json").stdout)
    assert page["total"] > 0
    assert all(hit["source"].endswith(".md") and not hit["source"].startswith("/") for hit in page["hits"])

    # Without --index the index lives in the per-user data folder.
    run("index", "rebuild", str(TRANSCRIPTS))
    assert (home / ".local" / "share" / "searchsvc" / "index").is_dir()
    assert json.loads(run("search", "vaccine", "--json").stdout)["total"] == page["total"]
    assert "built-in defaults" in run("config").stdout
    assert list(empty.iterdir()) == []                                # nothing written to the current folder

    port = _free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen([str(bin_dir / "searchsvc"), "--index", str(index), "serve", "--bind",
                                 f"127.0.0.1:{port}", "--workers", "1"], cwd=empty, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            assert _wait_for_200(f"http://127.0.0.1:{port}/?q=vaccine", proc) == 200
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=vaccine", timeout=10) as resp:
                assert json.loads(resp.read())["total"] == page["total"]
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
