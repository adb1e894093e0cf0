"""A full disk during `index rebuild` / `index add`, for real: a small tmpfs mounted by the test (root only,
skipped with the reason elsewhere). The command stops with a message saying so (no traceback), removes what
it wrote (the filesystem's use is back where it was), the current generation keeps serving and verifies, and
the next run after space is freed succeeds. Covers the in-process writer, the copy of `add` and Whoosh's
multi-process writer (its child processes fill the disk)."""

from __future__ import annotations

import json
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


# ---- the alerts store (SQLite) on a full disk ------------------------------------------------------

def alerts_cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchsvc.cli", "--config", str(config), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def store_rows(db: Path) -> dict[str, int]:
    """Rows per table and SQLite's own integrity check of the alerts store (read only)."""
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                            "'sqlite_%'")]
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}   # noqa: S608
        rows["integrity_ok"] = int(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    return rows


def checkpoint(db: Path) -> None:
    """Move the write-ahead log into the database and cut it to 0 bytes: the next write needs new space."""
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def assert_store_full_message(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, (done.returncode, done.stdout[-1000:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "alerts store" in done.stderr and "disk is full" in done.stderr, done.stderr[-2000:]


def test_alerts_store_on_a_full_disk_says_so_keeps_what_it_has_and_works_again(small_disk, tmp_path):
    """`alerts add` and `alerts run` with the store on a full disk: a clear message, no row half written,
    the alerts and deliveries already stored intact (PRAGMA integrity_check), and all of it works when freed."""
    from alerts_support import DATA, WebhookReceiver

    db = small_disk / "alerts.sqlite3"
    config = write_alerts_config(tmp_path, db)
    assert alerts_cli(config, "index", "rebuild").returncode == 0
    hook = WebhookReceiver().start()
    try:
        made = alerts_cli(config, "alerts", "add", "wildfire", "--webhook", hook.url, "--json")
        assert made.returncode == 0, made.stderr[-2000:]
        hook.secret = json.loads(made.stdout)["secret"]
        assert alerts_cli(config, "index", "add", str(DATA / "new")).returncode == 0   # 3 new matching turns
        checkpoint(db)
        stored = store_rows(db)
        files = {p.name for p in small_disk.iterdir()}

        filler = fill(small_disk, leave=0)
        assert_store_full_message(alerts_cli(config, "alerts", "add", "economy", "--webhook", hook.url))
        assert_store_full_message(alerts_cli(config, "alerts", "run"))
        assert hook.received == []                               # nothing was sent for turns it could not record
        listed = alerts_cli(config, "alerts", "list", "--json")  # reading still works on the full disk
        assert listed.returncode == 0 and [a["query"] for a in json.loads(listed.stdout)] == ["wildfire"]
        filler.unlink()
        # only SQLite's own files and the run lock (empty, kept by design) beside the store
        sqlite_own = {db.name + suffix for suffix in ("-wal", "-shm", ".lock")}
        assert {p.name for p in small_disk.iterdir()} <= files | sqlite_own
        assert store_rows(db) == stored

        run = alerts_cli(config, "alerts", "run")
        assert run.returncode == 0 and "3 new matches, 3 sent" in run.stdout, (run.stdout, run.stderr[-2000:])
        assert sum(len(r.json["turns"]) for r in hook.wait_for(2)) == 3
        assert alerts_cli(config, "alerts", "add", "economy", "--webhook", hook.url).returncode == 0
        assert store_rows(db)["integrity_ok"] == 1
    finally:
        hook.stop()


def test_alerts_store_created_on_a_full_disk_leaves_nothing_that_breaks_the_next_run(small_disk, tmp_path):
    db = small_disk / "alerts.sqlite3"
    config = write_alerts_config(tmp_path, db)
    assert alerts_cli(config, "index", "rebuild").returncode == 0
    filler = fill(small_disk, leave=0)
    assert_store_full_message(alerts_cli(config, "alerts", "add", "wildfire", "--webhook", "http://127.0.0.1:9/h"))
    filler.unlink()
    again = alerts_cli(config, "alerts", "add", "wildfire", "--webhook", "http://127.0.0.1:9/h")
    assert again.returncode == 0 and "alert 1 saved" in again.stdout, again.stderr[-2000:]
    assert store_rows(db)["integrity_ok"] == 1


def write_alerts_config(folder: Path, db: Path) -> Path:
    from alerts_support import write_config

    return write_config(folder, index_dir=folder / "index", db=str(db))
