"""A full disk during `index rebuild` / `index add`, for real: a small tmpfs mounted by the test (root only,
skipped with the reason elsewhere). The command stops with a message saying so (no traceback), removes what
it wrote (the filesystem's use is back where it was), the current generation keeps serving and verifies, and
the next run after space is freed succeeds. Covers the in-process writer, the copy of `add` and Whoosh's
multi-process writer (its child processes fill the disk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import marker_file, mounted_tmpfs, write_synthetic_corpus

from searchsvc.index.build import PARALLEL_MIN_TURNS
from searchsvc.index.store import current_generation, index_root
from searchsvc.index.verify import verify_generation

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
MB = 1024 * 1024


def cli(index: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"),
                           "--index", str(index), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def used_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(disk: Path, leave: int) -> Path:
    """A filler file taking all but `leave` bytes of the filesystem."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        os.posix_fallocate(fh.fileno(), 0, max(1, free_bytes(disk) - leave))
    return filler


def assert_stopped_cleanly(done: subprocess.CompletedProcess, index: Path, before: set[str], used: int,
                           serving: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "no space left" in done.stderr and f"generation {serving} still serves" in done.stderr, done.stderr[-2000:]
    assert {p.name for p in index.iterdir()} == before, "the failed build left files behind"
    assert used_bytes(index) <= used + 64 * 1024, (used_bytes(index), used)
    assert (index / "CURRENT").read_text().strip() == serving
    report = verify_generation(index / serving)
    assert report.ok, report.problems


@pytest.fixture
def small_disk(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", 24 * MB) as disk:
        yield disk


@pytest.mark.parametrize("command", ["rebuild", "add"])
def test_full_disk_stops_the_build_cleanly_and_the_next_one_succeeds(small_disk, tmp_path, command):
    index = small_disk / "index"
    first = cli(index, "index", "rebuild", str(SAMPLE))
    assert first.returncode == 0, first.stderr[-2000:]
    serving = (index / "CURRENT").read_text().strip()
    marker = marker_file(tmp_path / "more", "quokkazephyr", "2024-12-30")
    args = (("index", "rebuild", str(SAMPLE), str(marker.parent)) if command == "rebuild"
            else ("index", "add", str(marker)))

    filler = fill(small_disk, leave=MB)          # less than one generation (about 2.5 MB)
    before, used = {p.name for p in index.iterdir()}, used_bytes(index)
    done = cli(index, *args)
    assert_stopped_cleanly(done, index, before, used, serving)
    searched = cli(index, "search", "--json", "china")
    assert searched.returncode == 0 and '"total"' in searched.stdout, searched.stderr[-1000:]

    filler.unlink()
    again = cli(index, *args)
    assert again.returncode == 0, again.stderr[-2000:]
    new = (index / "CURRENT").read_text().strip()
    assert new != serving and verify_generation(index / new).ok
    found = cli(index, "search", "--json", "quokkazephyr")
    assert '"total": 0' not in found.stdout, found.stdout[:500]


def test_full_disk_in_the_writer_processes_is_the_same_clear_error(small_disk, tmp_path):
    """Past PARALLEL_MIN_TURNS turns Whoosh's segments are written by forked child processes: their ENOSPC
    reaches the command as the same message, and nothing of theirs stays on the disk."""
    corpus = tmp_path / "synthetic"
    turns = write_synthetic_corpus(corpus, conferences=40, turns=PARALLEL_MIN_TURNS // 40 + 10, words=10)
    assert turns >= PARALLEL_MIN_TURNS
    index = small_disk / "index"
    first = cli(index, "index", "rebuild", str(SAMPLE))
    assert first.returncode == 0, first.stderr[-2000:]
    serving = (index / "CURRENT").read_text().strip()

    filler = fill(small_disk, leave=MB // 2)
    before, used = {p.name for p in index.iterdir()}, used_bytes(index)
    done = cli(index, "index", "rebuild", str(corpus))
    assert_stopped_cleanly(done, index, before, used, serving)
    assert "writer process" in done.stderr, done.stderr[-2000:]    # it was the children that hit the full disk

    filler.unlink()
    again = cli(index, "index", "rebuild", str(corpus))
    assert again.returncode == 0, again.stderr[-2000:]
    settings_turns = verify_generation(index / (index / "CURRENT").read_text().strip())
    assert settings_turns.ok


def test_disk_full_error_keeps_index_root_helpers_consistent(small_disk, sample_settings):
    """In-process (the API the CLI calls): DiskFullError, and the settings still see the old generation."""
    from searchsvc.errors import DiskFullError
    from searchsvc.index.build import rebuild_index

    settings = sample_settings.with_index_dir(small_disk / "index")
    rebuild_index(settings, [SAMPLE])
    serving = current_generation(settings)
    filler = fill(small_disk, leave=MB)
    with pytest.raises(DiskFullError, match="no space left"):
        rebuild_index(settings, [SAMPLE])
    assert current_generation(settings) == serving
    assert sorted(p.name for p in index_root(settings).glob("gen-*")) == [serving]
    filler.unlink()


@pytest.mark.slow
def test_full_disk_at_many_points_dedicated(small_disk, tmp_path):
    """The dedicated run: the disk fills at many points of rebuilds and adds (in-process and in the writer
    processes); each one stops cleanly or, with enough room, succeeds; the serving generation loses nothing."""
    from hardening_support import Tally

    tally = Tally("diskfull")
    corpus = tmp_path / "synthetic"
    write_synthetic_corpus(corpus, conferences=40, turns=PARALLEL_MIN_TURNS // 40 + 10, words=10)
    index = small_disk / "index"
    assert cli(index, "index", "rebuild", str(SAMPLE)).returncode == 0
    marker = marker_file(tmp_path / "more", "quokkazephyr", "2024-12-30")
    runs = [("rebuild", str(SAMPLE)), ("add", str(marker)), ("rebuild", str(corpus))]
    for leave_kb in (64, 256, 512, 1024, 1536, 2048, 2560, 3072):
        for command, path in runs:
            serving = (index / "CURRENT").read_text().strip()
            turns = verify_generation(index / serving)
            filler = fill(small_disk, leave=leave_kb * 1024)
            before, used = {p.name for p in index.iterdir()}, used_bytes(index)
            done = cli(index, "index", command, path)
            tally.add("runs")
            if done.returncode == 0:
                tally.add("succeeded_with_room")
            else:
                tally.add("faults_injected")
                tally.add("tracebacks", int("Traceback" in done.stderr), sample=done.stderr[-300:])
                tally.add("unclear_messages", int("no space left" not in done.stderr), sample=done.stderr[-300:])
                tally.add("leftovers", int({p.name for p in index.iterdir()} != before))
                tally.add("bytes_left_behind", max(0, used_bytes(index) - used - 64 * 1024))
                tally.add("serving_changed", int((index / "CURRENT").read_text().strip() != serving))
                tally.add("serving_damaged", int(not verify_generation(index / serving).ok))
            filler.unlink()
            assert turns.ok
    tally.record()
    assert tally["faults_injected"] >= 12
    for name in ("tracebacks", "unclear_messages", "leftovers", "bytes_left_behind", "serving_changed",
                 "serving_damaged"):
        assert tally[name] == 0, (name, tally.counts, tally.samples)
