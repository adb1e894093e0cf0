"""Hardening of indexing against crashes: `searchsvc index rebuild` / `index add` killed with SIGKILL at random
points. Each time the old generation keeps serving, no stale lock (or orphaned writer process holding it)
blocks the next build, and the next build succeeds; a finished build loses no turn (its turn count equals
the parse count); half-written generation folders are removed by the next build.
Default: a few kills on the bundled sample; dedicated run (-m slow): >= 20 rebuild kills on a corpus large
enough for Whoosh's multi-process writer, and more `add` kills."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_support import Tally, alive, descendants, marker_file, write_synthetic_corpus

from searchsvc.errors import IndexBusyError
from searchsvc.index.build import rebuild_index
from searchsvc.index.store import STATS, current_generation, index_lock, index_root, read_stats
from searchsvc.ingest import parse_paths
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"


def index_cmd(index: Path, *args) -> list[str]:
    return [sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"), "--index", str(index),
            "index", *map(str, args)]


def parse_count(paths) -> int:
    return sum(len(c.turns) for c in parse_paths(paths).conferences)


def generations(settings) -> dict[str, bool]:
    """Generation folder -> complete (has stats.json)."""
    root = index_root(settings)
    return {p.name: (p / STATS).exists() for p in sorted(root.glob("gen-*")) if p.is_dir()}


def lock_is_free(settings) -> bool:
    try:
        with index_lock(settings):
            return True
    except IndexBusyError:
        return False


class Killer:
    """Runs an index command and SIGKILLs its main process after a delay (if it is still running); then
    checks that the processes it had started die with it."""

    def __init__(self, log_dir: Path, tally: Tally):
        self.log_dir, self.tally = log_dir, tally
        self.runs = 0

    def run(self, cmd: list[str], delay: float | None, wait_for_children: bool = False) -> dict:
        self.runs += 1
        log = self.log_dir / f"run-{self.runs}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        started = time.monotonic()
        kids: set[int] = set()
        if wait_for_children:        # kill while the writer processes work (they appear with the first batch)
            while proc.poll() is None and time.monotonic() - started < 120:
                kids = descendants(proc.pid)
                if kids:
                    time.sleep(0.3)
                    break
                time.sleep(0.02)
        elif delay is not None:
            end = started + delay
            while proc.poll() is None and time.monotonic() < end:
                kids |= descendants(proc.pid)
                time.sleep(min(0.05, max(0.0, end - time.monotonic())))
        killed = False
        if delay is not None and proc.poll() is None:
            kids |= descendants(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
        rc = proc.wait(timeout=900)
        deadline = time.monotonic() + 10
        while any(alive(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans = [k for k in kids if alive(k)]
        for pid in orphans:       # processes this test started, ended by id so that the suite goes on
            os.kill(pid, signal.SIGKILL)
        if orphans:
            self.tally.add("orphans", len(orphans))
        return {"killed": killed and rc == -signal.SIGKILL, "rc": rc, "orphans": orphans, "children": len(kids),
                "seconds": time.monotonic() - started, "log": log}


def check_serving(settings, service: SearchService, expected_turns: set[int]) -> str:
    """The current generation is complete, answers searches (long-lived and fresh service), and holds one of
    the expected turn counts. Returns its name."""
    gen = current_generation(settings)
    assert gen is not None and generations(settings).get(gen), f"CURRENT points to an incomplete {gen}"
    stats = read_stats(settings)
    assert stats.turns in expected_turns, (stats.turns, expected_turns)
    assert service.generation == gen and service.search(SearchRequest(q="trade")).total > 0
    fresh = SearchService(settings)
    try:
        assert fresh.search(SearchRequest(q="security", per_page=5)).hits
        assert fresh.stats().turns == stats.turns
    finally:
        fresh.close()
    return gen


SCALES = [pytest.param(False, id="default"), pytest.param(True, id="dedicated", marks=pytest.mark.slow)]


@pytest.mark.parametrize("large", SCALES)
def test_killed_rebuilds_and_adds_leave_a_serving_index(tmp_path, sample_settings, large):
    tally = Tally("crash.kills")
    rng = random.Random(20240607 + large)
    base = SAMPLE / "mfa"                     # what the index holds before each kill round
    corpus = [SAMPLE / "mfa", SAMPLE / "scio"]
    if large:   # above indexing.PARALLEL_MIN_TURNS: Whoosh's multi-process writer with its own processes
        write_synthetic_corpus(tmp_path / "synthetic", conferences=60, turns=100)
        corpus = [SAMPLE, tmp_path / "synthetic"]
    marker = tmp_path / "marker"
    marker_file(marker, "quokkazephyr", "2024-12-30")
    extra = marker_file(tmp_path / "extra", "wombatnimbus", "2024-12-31")
    settings = sample_settings.with_index_dir(tmp_path / "index")
    old_turns = rebuild_index(settings, [base]).turns
    new_turns = parse_count(corpus + [marker])
    added_turns = parse_count([extra])
    killer = Killer(tmp_path, tally)
    service = SearchService(settings)
    targets = {"rebuild": 20 if large else 3, "add": 6 if large else 1}     # kills wanted of each command
    try:
        # One full run of each command first: it proves it works and times it (kills land within that time).
        full = killer.run(index_cmd(settings.index.dir, "rebuild", *corpus, marker), delay=None)
        assert full["rc"] == 0, full["log"].read_text(errors="replace")[-2000:]
        assert check_serving(settings, service, {new_turns})
        full_add = killer.run(index_cmd(settings.index.dir, "add", extra), delay=None)
        assert full_add["rc"] == 0, full_add["log"].read_text(errors="replace")[-2000:]
        assert check_serving(settings, service, {new_turns + added_turns})
        seconds = {"rebuild": full["seconds"], "add": full_add["seconds"]}
        rebuild_index(settings, [base])         # back to the small index, so a finished kill round shows
        partial_seen = 0
        for kind, target in targets.items():
            attempts = 0
            while tally[f"kills_{kind}"] < target and attempts < 2 * target + 3:
                attempts += 1
                if kind == "rebuild":
                    cmd = index_cmd(settings.index.dir, "rebuild", *corpus, marker)
                    wait_kids = large and attempts % 4 == 0    # now and then while the writer processes work
                    changed = {new_turns}
                else:
                    cmd = index_cmd(settings.index.dir, "add", extra)
                    wait_kids = False
                    current = read_stats(settings).turns
                    changed = {current, current + added_turns}     # replaced if it was added before
                delay = rng.uniform(0.05, seconds[kind] * 1.05)    # anywhere in the run, start to finish
                before, before_turns = current_generation(settings), read_stats(settings).turns
                run = killer.run(cmd, delay, wait_for_children=wait_kids)
                tally.add("attempts")
                gen = check_serving(settings, service, {before_turns} | changed)
                if gen != before:   # it got as far as the swap: the new generation is whole
                    assert read_stats(settings).turns in changed
                assert not run["orphans"], f"writer processes outlived the killed build: {run['orphans']}"
                assert lock_is_free(settings), "a killed build left the index locked"
                if run["killed"]:
                    tally.add("kills")
                    tally.add(f"kills_{kind}")
                    partial_seen += sum(1 for complete in generations(settings).values() if not complete)
                    if gen != before:
                        tally.add("killed_after_swap")
                    tally.add("kills_survived")
                else:
                    tally.add("finished_before_kill")
                    assert run["rc"] == 0, run["log"].read_text(errors="replace")[-2000:]
                if kind == "rebuild" and read_stats(settings).turns == new_turns and attempts % 2 == 0:
                    rebuild_index(settings, [base])      # keep killing builds that would change the index
        # The next build after all that succeeds, loses no turn and leaves no half-written generation.
        final = killer.run(index_cmd(settings.index.dir, "rebuild", *corpus, marker), delay=None)
        assert final["rc"] == 0, final["log"].read_text(errors="replace")[-2000:]
        stats = read_stats(settings)
        tally.add("turns_lost", abs(new_turns - stats.turns))
        assert stats.turns == new_turns
        final_add = killer.run(index_cmd(settings.index.dir, "add", extra), delay=None)
        assert final_add["rc"] == 0, final_add["log"].read_text(errors="replace")[-2000:]
        tally.add("turns_lost", abs(new_turns + added_turns - read_stats(settings).turns))
        assert read_stats(settings).turns == new_turns + added_turns
        gens = generations(settings)
        assert all(gens.values()) and len(gens) <= 2, gens
        assert service.search(SearchRequest(q="wombatnimbus")).total >= 1
    finally:
        service.close()
        tally.record(large=large, partial_generations_seen=locals().get("partial_seen"))
    assert all(tally[f"kills_{kind}"] >= target for kind, target in targets.items()), tally.counts


def test_killed_multiprocess_writer_leaves_no_lock_or_orphans(tmp_path, sample_settings):
    """Whoosh's MpWriter forks writer processes that inherited the flock'ed lock file: killed with the build,
    they lived on (blocked on their job queue) and kept the index locked for good. Now they drop the lock and
    die with the build."""
    tally = Tally("crash.mpwriter")
    write_synthetic_corpus(tmp_path / "synthetic", conferences=100, turns=200, words=4)   # outlasts the 0.3 s wait
    settings = sample_settings.with_index_dir(tmp_path / "index")
    rebuild_index(settings, [SAMPLE / "mfa"])
    before = current_generation(settings)
    run = Killer(tmp_path, tally).run(index_cmd(settings.index.dir, "rebuild", tmp_path / "synthetic"), delay=0,
                                      wait_for_children=True)
    assert run["killed"] and run["children"] >= 1, run
    assert not run["orphans"]
    assert lock_is_free(settings)
    assert current_generation(settings) == before
    stats = rebuild_index(settings, [SAMPLE / "mfa", SAMPLE / "scio"])
    assert stats.turns == parse_count([SAMPLE / "mfa", SAMPLE / "scio"])
    assert all(generations(settings).values())


def test_next_build_removes_half_written_generations(tmp_path, sample_settings):
    from searchsvc.index.build import add_to_index

    settings = sample_settings.with_index_dir(tmp_path / "index")
    first = rebuild_index(settings, [SAMPLE / "mfa"])
    root = index_root(settings)
    for name in ("gen-19990101T000000000000", "gen-29990101T000000000000"):   # older and newer than CURRENT
        (root / name).mkdir()
        (root / name / "_MAIN_1.toc").write_bytes(b"\x00" * 10)
        (root / name / "x.tmp").mkdir()
    (root / "CURRENT.tmp").write_text("gen-garbage\n")
    assert current_generation(settings) == first.generation       # junk never becomes current
    add_to_index(settings, [SAMPLE / "scio"])
    gens = generations(settings)
    assert "gen-19990101T000000000000" not in gens and "gen-29990101T000000000000" not in gens
    assert all(gens.values())
    shutil.copytree(root / current_generation(settings), root / "gen-29990101T000000000001")
    (root / "gen-29990101T000000000001" / STATS).unlink()          # a copy that died before its stats
    second = rebuild_index(settings, [SAMPLE])
    assert set(generations(settings)) <= {second.generation, first.generation} | set(gens)
    assert "gen-29990101T000000000001" not in generations(settings)
