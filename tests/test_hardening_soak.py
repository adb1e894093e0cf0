"""A day of running, compressed: real gunicorn (2 sync workers) at half its measured capacity while the index
is rebuilt every SEARCHSVC_SOAK_REBUILD_SECONDS with an `index add` between. No request fails, every build
succeeds, no generation stays beyond the two kept (current and previous), and each worker's open file
descriptors stay flat; the RSS slope per worker after warm-up is reported (MB/hour) and, in the dedicated run,
bounded. Default: about 10 s on the sample's SCIO files; dedicated run (-m slow): SEARCHSVC_SOAK_SECONDS (1200)
on SEARCHSVC_SOAK_CORPUS (default ../shared/corpus, else the sample)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hardening_support import HARDENING, Tally, descendants, marker_file, scaled
from test_hardening_load import load_paths

from bench.loadgen import run_load
from searchsvc.index.build import rebuild_index
from searchsvc.index.store import GEN_PREFIX

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
CORPUS = Path(os.environ.get("SEARCHSVC_SOAK_CORPUS", ROOT.parent / "shared" / "corpus"))
KEPT = 2                          # generations store.remove_old_generations keeps: current and previous
SAMPLE_EVERY = 2.0                # seconds between RSS / fd samples


def soak_seconds(large: bool) -> float:
    return float(os.environ.get("SEARCHSVC_SOAK_SECONDS", 1200)) if large else 10.0


def rebuild_every(large: bool, seconds: float) -> float:
    default = 240.0 if large else seconds / 2
    return min(float(os.environ.get("SEARCHSVC_SOAK_REBUILD_SECONDS", default)), seconds / 2)


def worker_sample(master: int) -> dict[int, tuple[float, int]]:
    """pid -> (RSS in MB, open file descriptors) of each gunicorn worker."""
    out = {}
    for pid in descendants(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            out[pid] = (rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd")))
        except (OSError, StopIteration, ValueError):
            continue
    return out


def slope_mb_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per hour."""
    if len(points) < 3:
        return None
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return round(sum((t - mt) * (v - mv) for t, v in points) / var * 3600, 1) if var else None


def index_cli(index: Path, *args: str, log: Path) -> int:
    cmd = [sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"), "--index", str(index),
           "index", *args]
    with open(log, "ab") as out:
        return subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=1800).returncode


def measure_capacity(port: int, paths: list[str], seconds: float) -> float:
    """Requests per second the server answered while offered far more than it can (open loop, 32 threads)."""
    result = run_load(port, paths, 400.0, seconds, threads=32, timeout=30.0, keep_bodies=False)
    answered = [a for a in result.answers if a.status == 200]
    return len(answered) / result.seconds if result.seconds else 1.0


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_soak_with_rebuilds_fails_nothing_and_leaks_nothing(start_server, sample_settings, tmp_path, large):
    corpus = (CORPUS if CORPUS.is_dir() else SAMPLE) if large else SAMPLE / "scio"
    seconds = soak_seconds(large)
    every = rebuild_every(large, seconds)
    index = tmp_path / "index"
    rebuild_index(sample_settings.with_index_dir(index), [corpus])
    server = start_server(index, workers=2)
    paths = load_paths(server, 600 if large else 150, seed=23)
    for path in paths[:20]:
        server.get(path)
    capacity = measure_capacity(server.port, paths, scaled(3.0, 15.0))
    rate = max(2.0, capacity / 2)

    samples: list[tuple[float, dict[int, tuple[float, int]]]] = []
    generations: list[int] = []       # generation folders on disk, sampled while no build runs
    building = threading.Event()
    builds: list[tuple[str, int, float]] = []
    stop = threading.Event()
    start = time.monotonic()

    def sampler() -> None:
        while not stop.wait(SAMPLE_EVERY):
            samples.append((time.monotonic() - start, worker_sample(server.proc.pid)))
            if not building.is_set():     # a build in progress writes a third folder, the next one
                generations.append(sum(1 for p in index.glob(GEN_PREFIX + "*") if p.is_dir()))

    def builder() -> None:
        n = 0
        while not stop.wait(max(0.0, start + (n + 1) * every / 2 - time.monotonic())):   # on a fixed schedule
            n += 1
            log = tmp_path / "builds.log"
            t0 = time.monotonic()
            building.set()
            if n % 2:          # an add between the rebuilds: a new conference with its own word
                marker = marker_file(tmp_path / f"add-{n}", f"soakmarker{n}x", "2025-01-01")
                builds.append(("add", index_cli(index, "add", str(marker), log=log), time.monotonic() - t0))
            else:
                builds.append(("rebuild", index_cli(index, "rebuild", str(corpus), log=log), time.monotonic() - t0))
            generations.append(sum(1 for p in index.glob(GEN_PREFIX + "*") if p.is_dir()))
            building.clear()

    threads = [threading.Thread(target=sampler), threading.Thread(target=builder)]
    for t in threads:
        t.start()
    try:
        load = run_load(server.port, paths, rate, seconds, timeout=30.0, keep_bodies=False,
                        until=lambda: len(builds) >= 2, max_seconds=seconds + 600)
    finally:
        stop.set()
        for t in threads:
            t.join()
    summary = load.summary()

    warm = [s for s in samples if s[0] >= min(seconds * 0.25, every)] or samples
    workers = sorted({pid for _, sample in samples for pid in sample})
    per_worker = {}
    for pid in workers:
        points = [(t, sample[pid][0]) for t, sample in warm if pid in sample]
        fds = [sample[pid][1] for _, sample in warm if pid in sample]
        per_worker[pid] = {"rss_first_mb": round(points[0][1], 1) if points else None,
                           "rss_last_mb": round(points[-1][1], 1) if points else None,
                           "rss_max_mb": round(max(v for _, v in points), 1) if points else None,
                           "rss_slope_mb_per_hour": slope_mb_per_hour(points),
                           "fds_min": min(fds, default=None), "fds_max": max(fds, default=None)}
    figures = {"large": large, "corpus": str(corpus), "seconds": round(load.seconds, 1),
               "capacity_rps": round(capacity, 1), "offered_rps": round(rate, 1), "build_runs": builds,
               "max_generations": max(generations, default=0), "workers_seen": len(workers),
               "per_worker": per_worker, **{k: v for k, v in summary.items() if k != "failure_samples"}}
    tally = Tally("soak")
    tally.add("requests", len(load.answers))
    tally.add("failed", len(load.failed))
    tally.add("builds", len(builds))
    tally.add("builds_failed", sum(1 for _, rc, _ in builds if rc != 0))
    tally.record(**{k: v for k, v in figures.items() if k not in tally.counts})
    print(json.dumps(figures, default=str))

    assert not load.failed, (summary, server.log_text()[-3000:])
    assert builds and all(rc == 0 for _, rc, _ in builds), ((tmp_path / "builds.log").read_text()[-3000:], builds)
    assert {kind for kind, _, _ in builds} == {"add", "rebuild"} or len(builds) < 2
    assert max(generations, default=0) <= KEPT, generations
    assert len(workers) == 2, f"workers were replaced (a crash?): {workers}"
    for pid, w in per_worker.items():
        assert w["fds_max"] is not None and w["fds_max"] - w["fds_min"] <= 12, (pid, w)   # no descriptor leak
        if HARDENING and large:
            assert w["rss_last_mb"] <= w["rss_first_mb"] * 1.25 + 50, (pid, w)        # flat after warm-up
