"""Tests for searchsvc.ingest: format detection, parse_paths over files and folders, bad files, ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from searchsvc.errors import TranscriptError
from searchsvc.ingest import detect_format, parse_paths, parse_transcript
from searchsvc.models import KINDS, make_conference_id

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "transcripts"
SAMPLE = REPO / "sample"


@pytest.mark.parametrize("name, text, expected", [
    ("a.md", "---\ntitle: Briefing\ndate: 2021-01-01\n---\n\nQ  Hi?\n", "markdown"),
    ("a.txt", "---\ntitle: Briefing\ndate: 2021-01-01\n---\n\nQ  Hi?\n", "markdown"),    # content, not suffix
    ("a.html", "<!DOCTYPE html><html><body><p>Q: Hi?</p></body></html>", "html"),
    ("a.md", "<HTML><BODY><P>Q: Hi?</P></BODY></HTML>", "html"),
    ("a.html", "<h1>Briefing</h1>\nb'<p>Q Hi?</p>'", "python-bytes"),
    ("a.txt", "ㄑ Press Room\n\nTitle\n\nChina.org.cn | May 1, 2024\n\nCCTV:\n\nHi?\n", "text"),
    ("a.html", "Title\n\nChina.org.cn | May 1, 2024\n\nCCTV:\n\nHi?\n", "text"),
    ("x.txt", "Just notes.\n", "text"),
    ("x.txt", "---\nnot: front matter\n", "markdown"),               # an unclosed front matter: an error
    ("x.txt", "a <p> tag in prose\n", "text"),
])
def test_detect_format_by_content(name, text, expected):
    assert detect_format(name, text) == expected


@pytest.mark.parametrize("name, message, line", [
    ("empty.md", "empty file", None),
    ("blank.txt", "empty file", None),
    ("unknown.txt", "no speaker labels found", 2),
    ("bad_yaml.md", "bad YAML front matter", 4),
    ("no_date.md", "no date", 1),
    ("no_turns.html", "no transcript text", None),
])
def test_bad_files_raise_with_file_and_line(name, message, line):
    with pytest.raises(TranscriptError) as info:
        parse_transcript(DATA / "bad" / name)
    assert message in info.value.message
    assert info.value.path.endswith(name)
    assert info.value.line == line


def test_parse_paths_keeps_going_past_bad_files():
    result = parse_paths([DATA])
    bad = sorted(Path(p.path).name for p in result.problems)
    assert bad == ["bad_yaml.md", "blank.txt", "empty.md", "no_date.md", "no_turns.html", "unknown.txt"]
    assert all(p.path.startswith(str(DATA)) for p in result.problems)
    formats = sorted(c.source_format for c in result.conferences)
    assert formats == ["markdown", "mfa", "mfa", "mfa", "scio", "scio", "whitehouse", "whitehouse"]   # latin1.md read
    assert result.files_seen == 15                      # pages.tsv is not a transcript
    latin = next(c for c in result.conferences if c.source_file.endswith("latin1.md"))
    assert latin.title == "Café" and latin.reading.encoding == "cp1252"          # Windows-1252 detected, not refused
    unknown = next(p for p in result.problems if p.path.endswith("unknown.txt"))
    assert unknown.line == 2 and str(unknown).startswith(unknown.path + ":2: ")


def test_parse_paths_missing_path_is_a_problem():
    result = parse_paths([DATA / "mfa" / "t1000001.html", DATA / "nope.md"])
    assert len(result.conferences) == 1
    assert [(Path(p.path).name, p.message) for p in result.problems] == [("nope.md", "no such file or folder")]


def test_parse_paths_skips_readme_license_and_dotfiles(tmp_path):
    shutil.copy(DATA / "mfa" / "t1000003.html", tmp_path / "t1000003.html")
    (tmp_path / "README.md").write_text("# readme <p>x</p>", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("CC0", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("junk", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.html").write_text("junk", encoding="utf-8")
    result = parse_paths([tmp_path])
    assert result.files_seen == 1 and result.problems == [] and len(result.conferences) == 1


def test_parse_paths_is_deterministic_and_sorted():
    first = parse_paths([SAMPLE])
    second = parse_paths([SAMPLE / "whitehouse", SAMPLE / "scio", SAMPLE / "mfa"])
    assert first.problems == [] and first.files_seen == len(first.conferences) == 25
    assert sorted(c.id for c in first.conferences) == sorted(c.id for c in second.conferences)
    files = [c.source_file for c in first.conferences]
    assert files == sorted(files)
    again = parse_paths([SAMPLE])
    assert [(c.id, len(c.turns)) for c in again.conferences] == [(c.id, len(c.turns)) for c in first.conferences]


def test_source_file_is_the_path_as_given(monkeypatch):
    monkeypatch.chdir(REPO)
    result = parse_paths(["tests/data/transcripts/mfa"])
    assert all(c.source_file.startswith("tests/data/transcripts/mfa/") for c in result.conferences)


def test_conference_ids_are_stable_and_duplicates_disambiguated(tmp_path):
    for name in ("a.html", "b.html"):
        shutil.copy(DATA / "mfa" / "t1000003.html", tmp_path / name)
    result = parse_paths([tmp_path])
    ids = [c.id for c in result.conferences]
    conf = result.conferences[0]
    base = make_conference_id("mfa", conf.date, conf.title)
    assert ids == [base, base + "-2"]
    assert [c.id for c in parse_paths([tmp_path]).conferences] == ids


def test_turn_invariants_on_sample():
    for conf in parse_paths([SAMPLE]).conferences:
        assert conf.turns, conf.source_file
        assert [t.seq for t in conf.turns] == list(range(len(conf.turns)))
        for turn in conf.turns:
            assert turn.kind in KINDS
            assert turn.line >= 1
            assert "\u00a0" not in turn.question + turn.answer + turn.outlet
            assert "  " not in turn.answer.replace("\n\n", "")
            if turn.kind != "question-answer":
                assert turn.question == "" and turn.outlet == ""
        spoke = {s for t in conf.turns if t.kind != "moderator" for s in t.speakers}
        assert spoke <= set(conf.officials)


def test_parse_paths_in_worker_processes_gives_the_same_result(tmp_path, monkeypatch):
    import searchsvc.ingest as transcripts

    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(SAMPLE, tmp_path / "sample")
    for name in ("dup-a.html", "dup-b.html"):           # duplicate ids are numbered after all files are read
        shutil.copy(DATA / "mfa" / "t1000003.html", tmp_path / "sample" / "mfa" / name)
    serial = parse_paths([tmp_path])
    monkeypatch.setattr(transcripts, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(transcripts, "CHUNK_FILES", 3)
    parallel = parse_paths([tmp_path], processes=2)
    assert parallel.conferences == serial.conferences and len(serial.conferences) > 30
    assert parallel.problems == serial.problems and serial.problems
    assert parallel.files_seen == serial.files_seen
    assert [c.id for c in parallel.conferences] == [c.id for c in serial.conferences]


def _collector_enabled(_: int) -> bool:
    import gc

    return gc.isenabled()


def test_pool_workers_collect_their_garbage_while_the_parent_has_paused_collection():
    """The build pauses the cyclic collector while parsed conferences pile up (index/build.py _parse); the forked
    workers that parse the files still collect their own garbage."""
    import gc

    from searchsvc.workers import fork_executor

    gc.disable()
    try:
        with fork_executor(2) as pool:
            assert list(pool.map(_collector_enabled, range(4))) == [True] * 4
    finally:
        gc.enable()
