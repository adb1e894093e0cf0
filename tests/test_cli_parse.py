"""Tests for the `searchsvc parse` command (cli.py): JSON Lines on stdout, summary on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchsvc.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "transcripts"
FIELDS = {"conference_id", "conference_title", "date", "source", "source_url", "source_format", "seq", "kind",
          "outlet", "question", "speakers", "answer", "line", "officials", "roles"}


def _run(*args):
    runner = CliRunner()
    return runner.invoke(main, ["parse", *map(str, args)], catch_exceptions=False)


def _rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_parse_prints_one_json_object_per_turn():
    result = _run(DATA / "scio")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert len(rows) == 10
    assert all(set(row) == FIELDS for row in rows)
    first = rows[0]
    assert first["source_format"] == "scio" and first["date"] == "2024-06-03"
    assert first["source"] == str(DATA / "scio" / "no-blocks-page-1.txt")
    assert first["outlet"] == "The Poster News APP" and first["speakers"] == ["Li Jiantao"]
    assert first["seq"] == 0 and first["kind"] == "question-answer" and first["line"] == 7
    assert "2 conferences, 10 turns from 3 files; 0 skipped" in result.stderr


def test_non_ascii_is_written_as_is(tmp_path):
    path = tmp_path / "b.md"
    path.write_text("---\ndate: 2021-02-01\ntitle: Press Briefing by Press Secretary Jen Psaki\n---\n\n"
                    "MS. PSAKI:\u00a0 It’s a café — “quoted”.\n", encoding="utf-8")
    result = _run(path)
    assert result.exit_code == 0
    assert "It’s a café — “quoted”." in result.stdout
    assert _rows(result.stdout)[0]["speakers"] == ["Jen Psaki"]


def test_skipped_files_are_reported_and_exit_zero_when_something_parsed():
    result = _run(DATA / "mfa" / "t1000001.html", DATA / "bad" / "unknown.txt", DATA / "bad" / "empty.md")
    assert result.exit_code == 0
    assert len(_rows(result.stdout)) == 4
    assert f"skipped {DATA / 'bad' / 'unknown.txt'}:2: no speaker labels found" in result.stderr
    assert f"skipped {DATA / 'bad' / 'empty.md'}: empty file" in result.stderr
    assert "2 skipped" in result.stderr


def test_strict_fails_when_anything_was_skipped():
    result = _run("--strict", DATA / "mfa" / "t1000001.html", DATA / "bad" / "unknown.txt")
    assert result.exit_code != 0
    assert "skipped" in result.stderr
    assert _run("--strict", DATA / "mfa" / "t1000001.html").exit_code == 0


@pytest.mark.parametrize("paths", [["bad/unknown.txt", "bad/no_date.md"], ["bad/empty.md"], ["does-not-exist"]])
def test_nothing_parsed_exits_non_zero(paths):
    result = _run(*[DATA / p for p in paths])
    assert result.exit_code != 0
    assert "nothing parsed" in result.stderr
    assert result.stdout == ""


def test_parse_requires_a_path():
    result = CliRunner().invoke(main, ["parse"])
    assert result.exit_code == 2
