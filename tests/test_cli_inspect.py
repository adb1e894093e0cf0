"""Tests for `searchsvc inspect` (cli/inspect.py): how a file was understood, readable, with problems named."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from searchsvc.cli import main

DATA = Path(__file__).resolve().parent / "data" / "ingest"


def _run(*args):
    return CliRunner().invoke(main, ["inspect", *map(str, args)])


def test_inspect_shows_container_encoding_people_labels_turns_and_warnings():
    result = _run(DATA / "rev-style-cp1252.txt", "--turns", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in ("container     text (cp1252)", "date          2020-03-21 (from title)",
                     "officials     Mike Pence, Donald Trump, Anthony Fauci", "host          -",
                     "timestamps after labels", "labels", "first turns (of 6)", "warnings"):
        assert expected in out, expected
    table = out[out.index("labels"):out.index("first turns")]
    assert "Tony Fauci" in table and "Anthony Fauci; a person's name" in table
    assert "Speaker 7" in table and "unnamed speaker (reporter)" in table
    assert out.count("  #") == 3 and "question from reporter: Mr. President, what do you say" in out


def test_inspect_shows_host_and_job_titles():
    out = _run(DATA / "scio-gov-blocks.txt").stdout
    assert "host          Xi Yanchun" in out
    assert "Zhao Hongwei: Vice Minister of Industry and Information Technology" in out
    assert "China Daily" in out and "in the list of news outlets" in out


def test_inspect_names_the_problem_and_exits_non_zero():
    result = _run(DATA / "other-template.html", DATA / "scio-gallery.txt")
    assert result.exit_code == 1
    assert "container     html (UTF-8)" in result.stdout
    assert f"{DATA / 'scio-gallery.txt'}:1: no speaker labels found" in result.stdout
    assert "1 of 2 file(s) could not be read" in result.stderr


def test_inspect_needs_a_file():
    assert CliRunner().invoke(main, ["inspect"]).exit_code == 2
