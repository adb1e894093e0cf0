"""Tests for `searchsvc index rebuild|add|stats` (click CliRunner, real index in a tmp dir)."""

import json
import os

import pytest
from click.testing import CliRunner
from support import REPO, SAMPLE, base_settings

from searchsvc.cli import main
from searchsvc.index.store import index_lock


def run(tmp_path, *args):
    return CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index", str(tmp_path / "idx"), *args])


def test_rebuild_prints_stats_and_lists_skipped_files(tmp_path):
    bad = tmp_path / "junk.txt"
    bad.write_text("not a transcript\n")
    result = run(tmp_path, "index", "rebuild", str(SAMPLE / "scio"), str(bad))
    assert result.exit_code == 0, result.output
    assert "turns" in result.output and "generation   gen-" in result.output
    assert f"skipped {bad}" in result.output
    assert "1 file(s) skipped" in result.output


def test_rebuild_defaults_to_config_paths_then_stats_and_add(tmp_path):
    assert run(tmp_path, "index", "rebuild").exit_code == 0
    stats = json.loads(run(tmp_path, "index", "stats", "--json").output)
    assert stats["conferences"] == 25 and stats["turns"] > 500
    result = run(tmp_path, "index", "add", str(SAMPLE / "mfa" / "t1794629.html"))
    assert result.exit_code == 0, result.output
    again = json.loads(run(tmp_path, "index", "stats", "--json").output)
    assert again["turns"] == stats["turns"] and again["generation"] != stats["generation"]
    plain = run(tmp_path, "index", "stats")
    assert plain.exit_code == 0 and "conferences  25" in plain.output


def test_stats_without_index_is_a_clear_error(tmp_path):
    result = run(tmp_path, "index", "stats")
    assert result.exit_code == 1
    assert "no index" in result.output and "index rebuild" in result.output


def test_rebuild_while_locked_is_busy(tmp_path):
    with index_lock(base_settings().with_index_dir(tmp_path / "idx")):
        result = run(tmp_path, "index", "rebuild", str(SAMPLE / "scio"))
    assert result.exit_code == 1 and "another rebuild" in result.output


def test_rebuild_of_nothing_fails_and_add_needs_paths(tmp_path):
    result = run(tmp_path, "index", "rebuild", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "skipped" in result.output and "left unchanged" in result.output
    assert run(tmp_path, "index", "add").exit_code == 2   # click usage error: PATHS required


def _niceness_after_rebuild(tmp_path, niceness: int | None) -> int:
    """`index rebuild` run by the real command in a fresh interpreter (niceness cannot be undone in this one);
    the niceness that process has afterwards (what its parse and writer processes ran at)."""
    import subprocess
    import sys

    config = tmp_path / "config.toml"
    config.write_text('[index]\ndir = "idx"\n' + (f"build_niceness = {niceness}\n" if niceness is not None else ""))
    args = ["--config", str(config), "index", "rebuild", str(SAMPLE / "scio")]
    code = ("import os; from click.testing import CliRunner; from searchsvc.cli import main; "
            f"r = CliRunner().invoke(main, {args!r}); "
            "assert r.exit_code == 0, r.output; print(os.getpriority(os.PRIO_PROCESS, 0))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


@pytest.mark.parametrize("niceness, expected", [(None, 10), (0, 0), (3, 3), (19, 19)])
def test_a_build_runs_nicer_than_the_site_as_configured(tmp_path, niceness, expected):
    """[index] build_niceness (default 10): a rebuild on a machine that also serves leaves searches the CPU."""
    already = os.getpriority(os.PRIO_PROCESS, 0)        # never made less nice than the test run itself
    assert _niceness_after_rebuild(tmp_path, niceness) == max(expected, already)
