"""Tests for searchsvc.ingest.jsonl: the JSON Lines that `searchsvc parse` writes, read back by parse_paths and by
`index rebuild` / `index add` (round trip; a bad line is a problem with its line number, the rest loads)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO

from searchsvc.cli import main
from searchsvc.ingest import parse_paths
from searchsvc.ingest.jsonl import turn_row

DATA = REPO / "tests" / "data"


def _invoke(tmp_path: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "--index", str(tmp_path / "idx"), *args])


def _facts(conferences) -> list:
    return [(c.id, c.title, c.date, c.source_url, c.source_file, c.source_format, c.officials, c.roles,
             [(t.seq, t.kind, t.outlet, t.question, t.speakers, t.answer, t.line) for t in c.turns])
            for c in conferences]


def test_parse_output_reads_back_to_the_same_conferences(tmp_path):
    original = parse_paths([DATA / "transcripts", DATA / "ingest"])
    path = tmp_path / "turns.jsonl"
    path.write_text("".join(json.dumps(turn_row(c, t), ensure_ascii=False) + "\n"
                            for c in original.conferences for t in c.turns), encoding="utf-8")
    again = parse_paths([path])
    assert again.problems == []
    assert _facts(again.conferences) == _facts(original.conferences)
    assert all(c.reading.container == "jsonl" for c in again.conferences)


def test_cli_round_trip_parse_then_parse_the_output(tmp_path):
    first = CliRunner().invoke(main, ["parse", str(DATA / "ingest")])
    path = tmp_path / "out.jsonl"
    path.write_text(first.stdout, encoding="utf-8")
    second = CliRunner().invoke(main, ["parse", str(path)])
    assert second.exit_code == 0 and second.stdout == first.stdout


def test_bad_lines_are_named_and_the_rest_loads(tmp_path):
    rows = CliRunner().invoke(main, ["parse", str(DATA / "ingest" / "scio-gov-inline.txt")]).stdout.splitlines()
    lines = [rows[0], "not json", json.dumps({"conference_id": "x"}), rows[1],
             json.dumps({**json.loads(rows[2]), "kind": "speech"}), json.dumps({**json.loads(rows[2]), "date": "May"}),
             "", *rows[2:]]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = parse_paths([path])
    assert [(p.line, p.message.split(" (")[0]) for p in result.problems] == [
        (2, "not JSON"), (3, "missing or empty field(s): conference_title, date, kind"),
        (5, "kind 'speech' is not one of question-answer, statement, moderator"), (6, "date 'May' is not YYYY-MM-DD")]
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in result.problems)
    [conf] = result.conferences
    assert len(conf.turns) == len(rows)


def test_index_rebuild_and_add_accept_json_lines(tmp_path):
    rows = CliRunner().invoke(main, ["parse", str(DATA / "ingest")]).stdout
    turns = tmp_path / "turns.jsonl"
    turns.write_text(rows + "{broken\n", encoding="utf-8")
    result = _invoke(tmp_path, "index", "rebuild", str(turns))
    assert result.exit_code == 0, result.output
    assert f"skipped {turns}:{len(rows.splitlines()) + 1}: not JSON" in result.output
    stats = json.loads(_invoke(tmp_path, "index", "stats", "--json").output)
    assert stats["conferences"] == 5 and stats["turns"] == len(rows.splitlines())
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"conference_id": "2024-01-02-own-scraper", "conference_title": "My own scrape",
                                 "date": "2024-01-02", "kind": "statement", "speakers": ["Jane Doe"],
                                 "answer": "Words from another tool."}) + "\n", encoding="utf-8")
    assert _invoke(tmp_path, "index", "add", str(extra)).exit_code == 0
    again = json.loads(_invoke(tmp_path, "index", "stats", "--json").output)
    assert again["conferences"] == 6 and again["turns"] == stats["turns"] + 1
    found = json.loads(_invoke(tmp_path, "search", "--json", "another tool").output)
    assert found["total"] == 1 and found["hits"][0]["speakers"] == ["Jane Doe"]
