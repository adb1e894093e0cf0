"""Hardening of the transcript readers (transcripts/*) and of `index rebuild` over bad files: truncated HTML,
binary files, wrong encodings, huge files and lines, files without labels or with labels only, odd front
matter (empty, lists, YAML alias bombs). Each gives a clear, named error or a best-effort parse, never a
crash of the whole rebuild, and the rebuild lists the skipped files. Plus Hypothesis mutations of real
transcripts. Default: small sizes; dedicated run (-m slow): a 50 MB file, 20 MB lines, thousands of mutants."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_support import Tally, fuzz
from hypothesis import given, settings
from hypothesis import strategies as st

from searchsvc.errors import TranscriptError
from searchsvc.ingest import parse_paths, parse_transcript

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
MFA = SAMPLE / "mfa" / "t1600384.html"
WH = min((SAMPLE / "whitehouse").glob("*.md"), key=lambda p: p.stat().st_size)
SCIO = sorted((SAMPLE / "scio").glob("*.txt"))[0]
FRONT = "---\ntitle: Press Briefing by Press Secretary Jen Psaki\ndate: '2022-01-05'\n---\n\n"
QA = "MS. PSAKI:  Good afternoon.\n\nQ  Why?\n\nMS. PSAKI:  Because.\n"


def _grow(text: str, size: int) -> str:
    """The text with its body repeated until it is about `size` characters long."""
    head, body = text[: len(text) // 10], text[len(text) // 10:]
    return head + body * max(1, (size - len(head)) // len(body) + 1)


def bad_files(large: bool) -> dict[str, tuple[bytes, str]]:
    """name -> (content, expected): expected is "parsed", "error:<words in the message>" or "either"."""
    mfa, wh, scio_text = MFA.read_text("utf-8"), WH.read_text("utf-8"), SCIO.read_text("utf-8")
    title = scio_text.split("\n\n")[1]

    def scio(tag: str) -> str:
        """The SCIO page under a title of its own (pages sharing title and date are joined into one conference)."""
        return scio_text.replace(title, f"{title} {tag}", 1)
    big = 50_000_000 if large else 300_000
    line = 20_000_000 if large else 300_000
    labels = 20_000 if large else 1_000
    rng = random.Random(7)
    bomb = "---\na: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")) + \
        "title: *i\ndate: '2022-01-05'\n---\n\n" + QA
    files = {
        "truncated-10.html": (mfa[: len(mfa) // 10].encode(), "either"),
        "truncated-70.html": (mfa[: len(mfa) * 7 // 10].encode(), "parsed"),    # cut inside the transcript
        "truncated-95.html": (mfa[: len(mfa) * 95 // 100].encode(), "either"),
        "truncated-front.md": (wh[:40].encode(), "either"),
        "truncated-body.md": (wh[: len(wh) // 2].encode(), "parsed"),
        "truncated.txt": (scio("truncated")[: len(scio_text) // 2].encode(), "either"),
        "binary.html": (os.urandom(4096) if not large else os.urandom(5_000_000), "error:binary"),
        "binary.md": (b"\x00\x01\x02" + bytes(rng.randrange(256) for _ in range(2000)), "error:binary"),
        "latin1.html": (mfa.replace("the", "th\u00e9").encode("latin-1", "replace"), "parsed"),   # encoding found
        "cp1252.md": ((FRONT + QA.replace("Because", "Caf\u00e9 \u2019s")).encode("cp1252"), "parsed"),
        "utf16-bom.md": (wh.encode("utf-16"), "parsed"),
        "utf16-bom.html": (mfa.encode("utf-16"), "parsed"),
        "utf16-nobom.txt": (scio("utf16").encode("utf-16-le"), "parsed"),
        "utf16-broken.md": (wh.encode("utf-16")[:-1] + b"\x00\xd8", "error:UTF-16"),
        "utf8-bom.md": (b"\xef\xbb\xbf" + wh.encode(), "parsed"),
        "empty-front.md": (("---\n---\n\n" + QA).encode(), "error:"),
        "front-only.md": (FRONT.encode(), "error:no turns"),
        "front-list.md": (("---\n- a\n- b\n---\n\n" + QA).encode(), "error:"),
        "front-title-list.md": (("---\ntitle: [a, b]\ndate: '2022-01-05'\n---\n\n" + QA).encode(), "error:title"),
        "front-python-tag.md": (("---\ntitle: !!python/object/apply:os.system ['true']\ndate: '2022-01-05'\n---\n\n"
                                 + QA).encode(), "error:YAML"),
        "front-alias-bomb.md": (bomb.encode(), "error:title"),
        "front-unclosed.md": (("---\ntitle: x\ndate: '2022-01-05'\n\n" + QA).encode(), "error:"),
        "no-labels.md": ((FRONT + "Just prose without any speaker labels.\n\n" * 200).encode(), "either"),
        "no-labels.txt": (("\n\n".join(scio("no labels").split("\n\n")[:3]) + "\n\n" + "Plain prose here.\n\n" * 200)
                          .encode(), "either"),
        "no-labels.html": (("<html><head><title>Regular Press Conference on July 3, 2020</title></head><body>"
                            + "<p>Prose only.</p>" * 500 + "</body></html>").encode(), "either"),
        "labels-only.md": ((FRONT + "MS. PSAKI:\n\nQ\n\nMR. KIRBY:\n\n" * 300).encode(), "either"),
        "labels-only.txt": (("\n\n".join(scio("labels only").split("\n\n")[:3]) + "\n\n"
                             + "Reuters:\n\nQiu Baoli:\n\n" * 300).encode(), "either"),
        "labels-only.html": (("<html><head><title>Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference "
                              "on July 3, 2020</title></head><body>" + "<p>Q:</p><p>A:</p>" * 300 + "</body></html>")
                             .encode(), "either"),
        "huge-line.md": ((FRONT + "MS. PSAKI:  " + "word " * (line // 5) + "\n\nQ  Why?\n\nMS. PSAKI:  Because.\n")
                         .encode(), "parsed"),
        "huge-line.html": (mfa.replace("</p>", "x" * line + "</p>", 1).encode(), "either"),
        "huge-label-run.txt": ((scio("label run")[:3000] + ("Reporter:\n" + "x " * 5 + "\n") * labels).encode(),
                               "either"),
        "big.md": (_grow(wh, big).encode(), "parsed"),
        "big.html": (_grow(mfa, big).encode(), "either"),
        "deep.html": (("<html><head><title>Regular Press Conference on July 3, 2020</title></head><body>"
                       + "<div>" * (100_000 if large else 5_000) + "<p>Q: x</p>" + "</div>" * 5_000).encode(),
                      "either"),
        "nul-bytes.md": ((FRONT + QA).replace("afternoon", "after\x00noon").encode(), "either"),
        "cr-only.md": (wh.replace("\n", "\r").encode(), "parsed"),
        "script-only.html": (b"<html><head><script>var x = '<p>Q: hi</p>';</script></head></html>", "error:"),
        "empty.md": (b"", "error:empty"),
        "whitespace.txt": (b" \n\t\n" * 100, "error:empty"),
        "unknown.txt": (b"hello world, this is not a transcript\n" * 10, "error:no speaker labels"),
    }
    return files


@pytest.fixture(scope="module", params=[pytest.param(False, id="default"),
                                        pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def bad_folder(request, tmp_path_factory):
    large = request.param
    folder = tmp_path_factory.mktemp("bad-large" if large else "bad")
    expected = {}
    for name, (content, outcome) in bad_files(large).items():
        (folder / name).write_bytes(content)
        expected[str(folder / name)] = outcome
    (folder / "pages.tsv").write_bytes(os.urandom(3000))       # a broken URL list next to MFA pages
    return folder, expected, large


def test_each_bad_file_is_a_named_error_or_a_best_effort_parse(bad_folder):
    folder, expected, large = bad_folder
    tally = Tally("transcripts.bad-files")
    result = parse_paths([folder])                               # never raises for a bad file
    problems = {p.path: p for p in result.problems}
    parsed = {c.source_file for c in result.conferences}
    for path, outcome in sorted(expected.items()):
        tally.add("files")
        name = Path(path).name
        assert (path in problems) != (path in parsed), f"{name}: neither parsed nor reported (or both)"
        if path in problems:
            tally.add("errors")
            message = problems[path].message
            assert message and not message.startswith("cannot parse: "), f"{name}: unnamed error {message!r}"
            assert outcome != "parsed", f"{name} should parse: {message}"
            if outcome.startswith("error:"):
                assert outcome[6:] in message, f"{name}: {message!r}"
        else:
            tally.add("parsed")
            assert not outcome.startswith("error:"), f"{name} should be an error"
            assert all(c.turns for c in result.conferences if c.source_file == path)
    assert result.files_seen == len(expected)
    tally.record(large=large, problems=[f"{Path(p.path).name}: {p.message}" for p in result.problems])


def test_utf16_with_bom_reads_like_utf8(tmp_path):
    for original in (WH, MFA):
        copy = tmp_path / original.name
        copy.write_bytes(original.read_text("utf-8").encode("utf-16"))
        a, b = parse_transcript(original), parse_transcript(copy)
        assert [(t.question, t.answer, t.speakers) for t in a[0].turns] == \
               [(t.question, t.answer, t.speakers) for t in b[0].turns]


def test_rebuild_over_bad_files_lists_them_and_keeps_the_rest(bad_folder, tmp_path):
    folder, expected, large = bad_folder
    corpus = [folder, SAMPLE / "whitehouse"]
    cmd = [sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"), "--index",
           str(tmp_path / "index"), "index", "rebuild", *map(str, corpus)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = parse_paths(corpus)
    skipped = re.findall(r"^skipped (\S+?)(?::\d+)?: ", out.stderr, re.M)
    assert sorted(skipped) == sorted(p.path for p in result.problems) and skipped
    assert f"{len(result.problems)} file(s) skipped" in out.stderr
    turns = sum(len(c.turns) for c in result.conferences)
    assert re.search(rf"^turns\s+{turns:,}$", out.stdout, re.M), out.stdout
    Tally("transcripts.rebuild").record(large=large, skipped=len(skipped), turns=turns)


# ---- mutants of real transcripts -------------------------------------------------------------------

SOURCES = {p.suffix: p.read_bytes() for p in (MFA, WH, SCIO)}
_mutation = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(max_size=64)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.text(max_size=64).map(lambda s: s.encode("utf-8"))),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(
        [b"\n---\n", b"<p>", b"</p>", b"<b>Q:</b>", b"Q:", b"A:", b"\n\nMS. PSAKI:  ", b"\n\nQ  ", b"\n\nReuters:\n\n",
         b"<  1  2  >", b"&#0;", b"<!--", b"<![CDATA[", b"\xff\xfe", b"\x00", b"\r", b"title: [", b"date: x"])),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 2000).map(lambda n: b"x" * n)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 50).map(lambda n: b"x" * n)),
)


def mutate(data: bytes, mutations) -> bytes:
    for kind, where, extra in mutations:
        at = int(where * len(data))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + extra + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(extra):]
        else:
            data = data[:at] + data[at:at + 200] * len(extra) + data[at:]
    return data


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_mutated_transcripts_never_crash_a_reader(tmp_path, large):
    tally = Tally("transcripts.mutants")
    profile = settings.get_profile("hardening") if large and not os.environ.get("SEARCHSVC_HYPOTHESIS_PROFILE") \
        else fuzz()

    @settings(profile, max_examples=max(5, profile.max_examples // 2))
    @given(suffix=st.sampled_from(sorted(SOURCES)), mutations=st.lists(_mutation, min_size=1, max_size=4))
    def run(suffix, mutations):
        tally.add("cases")
        path = tmp_path / f"mutant{suffix}"
        path.write_bytes(mutate(SOURCES[suffix], mutations))
        try:
            conferences = parse_transcript(path)
        except TranscriptError as exc:
            tally.add("errors")
            assert exc.message
        except Exception as exc:
            tally.add("crashes", sample=f"{type(exc).__name__}: {exc} ({suffix} {mutations!r})"[:300])
            raise
        else:
            tally.add("parsed")
            assert conferences and all(c.turns and c.title for c in conferences)
        assert parse_paths([path]).files_seen == 1

    try:
        run()
    finally:
        tally.record(large=large)
