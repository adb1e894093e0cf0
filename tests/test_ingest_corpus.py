"""Corpus tests for searchsvc.ingest: every real file parses, no text is lost, every question is a turn."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.html_reference import html_blocks

from searchsvc.ingest import parse_paths
from searchsvc.models import KIND_QA

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}"),
]
WORD = re.compile(r"[A-Za-z0-9]+")
MIN_COVERAGE = 0.995


@pytest.fixture(scope="module")
def parsed():
    result = parse_paths([CORPUS])
    return result, {c.source_file: c for c in result.conferences}


@lru_cache(maxsize=4)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def _words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text))


def _body_text(path: Path) -> str:
    """The transcript body, extracted independently of the readers (labels and dropped lines removed)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        body = re.split(r"\n---[ \t]*\n", text, maxsplit=1)[1]
        body = re.sub(r"(?m)^[ \xa0]*Q(?=[\s:])", "", body)                            # question labels
        body = re.sub(r"(?m)^[ \xa0]*[A-Z][A-Z.'’\- ]+(\([^)]*\))?:", "", body)       # speaker labels
        body = re.sub(r"(?m)^\s*(END\b.*|\(?\d{1,2}:\d\d\s*([AaPp]\.?\s?[Mm]\.?)?\s*[A-Z]{0,5}\)?\.?)\s*$", "", body)
        return body
    if path.suffix == ".html":
        content = _soup(path).select_one("div.content")
        body = content.get_text("")
        return re.sub(r"\b(Q|A|Follow[- ]up|Journalist|Reporter)\s*:", "", body)
    lines = [ln for ln in text.split("\n")
             if "ㄑ" not in ln and not re.fullmatch(r"\s*<[\s\d]*>\s*", ln) and "China.org.cn |" not in ln]
    return "\n".join(lines)


def _conference_words(conf) -> Counter:
    words = _words(conf.title)
    for t in conf.turns:
        words += _words(" ".join([t.outlet, t.question, " ".join(t.speakers), t.answer]))
    return words


def test_every_corpus_file_parses(parsed):
    """Every transcript reads; the two press releases filed among the White House briefings (no speaker labels at
    all) are named problems, not turns."""
    result, by_file = parsed
    assert len(result.problems) <= 2
    assert all("no speaker labels" in p.message and p.line for p in result.problems)
    assert result.files_seen == len(result.conferences) + len(result.problems) > 1400
    assert len(by_file) == len(result.conferences)
    assert all(conf.turns for conf in result.conferences)
    assert len({c.id for c in result.conferences}) == len(result.conferences)


def test_no_text_lost_and_every_question_label_is_a_turn(parsed):
    """Per file: turn words (plus title) cover >= 99.5% of body words; question turns == question labels."""
    _, by_file = parsed
    low, wrong = [], []
    for source, conf in by_file.items():
        path = Path(source)
        body = _words(_body_text(path))
        got = _conference_words(conf)
        total = sum(body.values())
        covered = sum(min(n, got[w]) for w, n in body.items())
        if total and covered / total < MIN_COVERAGE:
            low.append((round(covered / total, 4), source))
        if conf.source_format in ("mfa", "whitehouse"):
            expected = (_mfa_question_labels(path) if conf.source_format == "mfa" else _wh_question_labels(path))
            questions = sum(1 for t in conf.turns if t.kind == KIND_QA)
            if questions != expected:
                wrong.append((path.name, expected, questions))
    assert low == []
    assert wrong == []


def _mfa_question_labels(path: Path) -> int:
    """Question labels: 'Q:', 'Follow-up:', and bold (or capitalised) labels that are not an answerer's name."""
    soup = _soup(path)
    spokes = re.search(r"Spokesperson (.+?)['’]s", soup.title.get_text()).group(1).lower()
    items = []
    for block in html_blocks(soup.select_one("div.content")):
        m = re.match(r"^\s*([^:：]{1,60}?)\s*[:：](?!\d)", block.text)
        if m:
            items.append((m.group(1).strip(), block.bold))
    answerers = {spokes, "a"} | {label.lower() for label, bold in items
                                 if not bold and re.fullmatch(r"[A-Z][a-z]+ [A-Za-z]+", label)}
    return sum(1 for label, bold in items
               if label in ("Q", "Follow-up") or ((bold or all(w[0].isupper() for w in label.split()))
                                                   and len(label.split()) <= 8 and label.lower() not in answerers))


def _wh_question_labels(path: Path) -> int:
    """Lines opening with Q and spaces (or nbsp); 'Q ' with one space only at a paragraph or line break."""
    lines = re.split(r"\n---[ \t]*\n", path.read_text(encoding="utf-8"), maxsplit=1)[1].split("\n")
    count = 0
    for k, line in enumerate(lines):
        text = line.lstrip(" \xa0\t")
        prev = lines[k - 1] if k else ""
        brk = not prev.strip(" \xa0\t") or prev.endswith("  ") or re.search(r"[.?!\"”)\]—]\s*$", prev)
        if re.match(r"Q(?::|[\xa0\t]|\s\s|\s*$)", text) or (re.match(r"Q (?=\S)", text) and brk):
            count += 1
    return count


def test_mfa_answers_come_from_the_spokesperson_or_a_labelled_name(parsed):
    _, by_file = parsed
    for conf in by_file.values():
        if conf.source_format != "mfa":
            continue
        spokes = re.search(r"Spokesperson (.+?)['’]s", conf.title).group(1)
        assert spokes in conf.officials
        html = Path(conf.source_file).read_text(encoding="utf-8")
        for turn in conf.turns:
            for speaker in turn.speakers:
                assert speaker == spokes or re.search(re.escape(speaker) + r"\s*[:：]", html, re.I), (
                    conf.source_file, speaker)


def test_whitehouse_answers_use_full_names_from_the_title(parsed):
    _, by_file = parsed
    checked = 0
    for conf in by_file.values():
        if conf.source_format != "whitehouse":
            continue
        for name in ("Jen Psaki", "Karine Jean-Pierre"):
            if name in conf.title:
                surname = name.split()[-1].upper()
                short = f"Ms. {name.split()[-1]}"
                speakers = {s for t in conf.turns for s in t.speakers}
                assert short not in speakers, conf.source_file
                if re.search(rf"^MS\. {surname}:", Path(conf.source_file).read_text(encoding="utf-8"), re.M):
                    assert name in speakers, conf.source_file
                    checked += 1
    assert checked > 500


def test_outlets_and_follow_ups_in_mfa(parsed):
    result, _ = parsed
    outlets = Counter(t.outlet for c in result.conferences if c.source_format == "mfa" for t in c.turns if t.outlet)
    for outlet in ("Reuters", "AFP", "CCTV", "Bloomberg", "The Paper"):
        assert outlets[outlet] > 10
    assert not any(o.lower() in ("zhao lijian", "hua chunying", "geng shuang", "a", "q") for o in outlets)


# ---- ../shared/corpus-more: other templates, other years, other people's scrapes ------------------------------------

MORE = CORPUS.parent / "corpus-more"
MORE_FOLDERS = ("whitehouse-2020-html", "whitehouse-obama-2009-2016", "whitehouse-press-conferences")


@pytest.fixture(scope="module", params=MORE_FOLDERS)
def more(request):
    folder = MORE / request.param
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return folder, parse_paths([folder])


def test_corpus_more_reads_every_transcript(more):
    """Only pages without a single speaker label (a written statement, remarks without questions) are problems."""
    folder, result = more
    assert len(result.problems) <= 1
    assert all("no speaker labels" in p.message and p.line for p in result.problems)
    assert len(result.conferences) + len(result.problems) == result.files_seen
    assert all(c.reading and c.reading.share >= 0.9 for c in result.conferences)


def test_corpus_more_every_question_label_is_a_turn_and_no_text_is_lost(more):
    from ingest_corpus_support import questions_and_body, words

    folder, result = more
    expected = got = covered = total = 0
    for conf in result.conferences:
        labels, body = questions_and_body(Path(conf.source_file))
        expected += labels
        got += sum(1 for t in conf.turns if t.kind == KIND_QA)
        body_words, conf_words = words(body), _conference_words(conf)
        total += sum(body_words.values())
        covered += sum(min(n, conf_words[w]) for w, n in body_words.items())
    assert abs(got - expected) <= 0.01 * expected
    assert covered / total >= MIN_COVERAGE


def test_corpus_more_answers_are_attributed_and_officials_are_never_outlets(more):
    _, result = more
    answered = [t for c in result.conferences for t in c.turns if t.kind == KIND_QA and t.answer]
    assert sum(1 for t in answered if t.speakers) >= 0.98 * len(answered)
    for conf in result.conferences:
        officials = {o.casefold() for o in conf.officials}
        for turn in conf.turns:
            assert turn.outlet.casefold() not in officials, (conf.source_file, turn.line)
            assert not re.match(r"(?i)(mr|ms|mrs|dr|the|president|secretary)\b", turn.outlet), (conf.source_file, turn)


def test_corpus_more_dates_come_from_the_pages(more):
    folder, result = more
    if folder.name == "whitehouse-2020-html":
        by_name = {Path(c.source_file).name: c for c in result.conferences}
        assert by_name["white_house_briefing_April-01-2020.html"].date.isoformat() == "2020-04-01"
        assert all(c.reading.date_from == "<time>" for c in result.conferences)
        assert len({c.id for c in result.conferences}) == len(result.conferences)    # one title, told apart
    undated = [c for c in result.conferences if c.reading.date_from == "none"]
    assert all(any("no date" in w for w in c.reading.warnings) for c in undated)
