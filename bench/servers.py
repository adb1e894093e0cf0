"""Benchmarks: start and stop the servers under test on 127.0.0.1 (our gunicorn, Datasette in its own venv)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .corpus import CONFIG, REPO
from .loadgen import fetch

BENCH_VENV = REPO / "bench" / ".venv"        # git-ignored; Datasette is no project dependency
DATASETTE_VERSION = "0.65.5"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def project_bin(name: str) -> str:
    """A console script of the project's venv (the one running this benchmark)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 60.0, interval: float = 0.01) -> float:
    """Poll until `path` answers 200; seconds waited. Raises if the process dies or time runs out."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering {path}")
        try:
            status, _ = fetch(HOST, port, path, timeout=5.0)
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"no 200 from {path} within {timeout} s")


def child_pids(pid: int) -> list[int]:
    try:
        return sorted(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return []


def process_memory(pid: int) -> dict | None:
    """{"pid", "rss_mb", "pss_mb"} of a live process (Linux); None when it is gone or unreadable."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                fields[name] = int(rest.split()[0]) / 1024
    except (OSError, ValueError):
        return None
    return {"pid": pid, "rss_mb": round(fields.get("Rss", 0.0), 1), "pss_mb": round(fields.get("Pss", 0.0), 1)}


class Server:
    """A child process in its own process group, ended by its id (the group it leads) on exit."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path, env: dict | None = None):
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env, start_new_session=True)
        return self

    def ready(self, path: str, timeout: float = 60.0) -> float:
        """Seconds from spawn to the first 200 on `path`."""
        wait_ready(self.port, path, self.proc, timeout)
        return time.perf_counter() - self.started_at

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass

    def worker_memory(self) -> list[dict]:
        """RSS and PSS (MB, from /proc/<pid>/smaps_rollup) of each child of the server process (gunicorn's
        workers); PSS shares pages mapped by several processes among them, so it is each worker's fair part."""
        if self.proc is None:
            return []
        return [m for m in (process_memory(pid) for pid in child_pids(self.proc.pid)) if m]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def ours(index_dir: Path, workdir: Path, workers: int = 2, config: Path = CONFIG) -> Server:
    port = free_port()
    argv = [project_bin("searchsvc"), "--config", str(config), "--index", str(index_dir),
            "serve", "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    return Server("searchsvc", argv, port, workdir / "searchsvc-server.log")


def ensure_datasette(log=print) -> Path:
    """bench/.venv with Datasette, created (pip from the package index) when missing; its datasette binary."""
    exe = BENCH_VENV / "bin" / "datasette"
    if exe.exists():
        return exe
    log(f"creating {BENCH_VENV} with datasette=={DATASETTE_VERSION} (one time)")
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                    f"datasette=={DATASETTE_VERSION}"], check=True)
    return exe


def datasette(db: Path, workdir: Path, exe: Path) -> Server:
    """Datasette serving `db` immutably with limits high enough that facets and counts finish."""
    port = free_port()
    argv = [str(exe), "serve", "-i", str(db), "-h", HOST, "-p", str(port),
            "--setting", "sql_time_limit_ms", "20000", "--setting", "facet_time_limit_ms", "20000",
            "--setting", "suggest_facets", "off", "--setting", "default_page_size", "10",
            "--setting", "default_facet_size", "20"]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return Server("datasette", argv, port, workdir / "datasette.log", env=env)
