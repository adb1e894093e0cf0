"""Tests for searchsvc.ingest.markdown and the segmenter: White House briefings (nbsp Q, capitals labels, END)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from searchsvc.errors import TranscriptError
from searchsvc.ingest import parse_transcript
from searchsvc.ingest.titles import readable, speaker_name, title_names
from searchsvc.models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "transcripts" / "whitehouse"
SAMPLE = REPO / "sample" / "whitehouse"
NB = "\u00a0"


def _write(tmp_path, body: str, title: str = "Press Briefing by Press Secretary Jen Psaki") -> Path:
    path = tmp_path / "b.md"
    path.write_text(f"---\ndate: '2021-02-01'\ntitle: \"{title}\"\nsource_url: https://example.org/b\n---\n\n"
                    + body, encoding="utf-8")
    return path


def test_briefing_fixture():
    [conf] = parse_transcript(DATA / "2021-01-21-press-briefing-by-press-secretary-jen-psaki.md")
    assert conf.title == "Press Briefing by Press Secretary Jen Psaki and Dr. Anthony Fauci, January 21, 2021"
    assert NB not in conf.title
    assert conf.date == date(2021, 1, 21)
    assert conf.source_url.startswith("https://bidenwhitehouse.archives.gov/briefing-room/press-briefings/2021/")
    rows = [(t.kind, t.speakers) for t in conf.turns]
    assert rows == [
        (KIND_STATEMENT, ()),                                 # the place line before the first label
        (KIND_STATEMENT, ("Jen Psaki",)),
        (KIND_STATEMENT, ("Anthony Fauci",)),
        (KIND_QA, ("Anthony Fauci", "Jen Psaki")),            # two officials answer one question
        (KIND_QA, ("Jen Psaki",)),
        (KIND_QA, ()),
        (KIND_QA, ("Mr. Kirby", "The President")),
    ]
    turns = conf.turns
    assert turns[0].answer == "James S. Brady Press Briefing Room"
    # hard-wrapped lines joined, paragraphs kept, nbsp normalised
    assert turns[1].answer == ("Hi, everyone. Today we have a special guest. He will talk about the pandemic "
                               "response.\n\nDr. Fauci will take a few questions.")
    assert turns[3].question == "Dr. Fauci, how many vaccines will be ready by spring?"
    assert turns[3].answer == "We expect about one hundred million doses.\n\nAnd we will share more next week."
    # a label after a hard line break inside a paragraph starts a new segment
    assert turns[4].question == "Can I follow up?" and turns[4].answer == "Go ahead."
    assert turns[5].question == "Is the timeline firm?" and turns[5].answer == ""
    assert turns[6].question == "Thank you."
    every = " ".join(t.question + " " + t.answer for t in turns)
    assert "END" not in every and "P.M." not in every and NB not in every
    assert {"Jen Psaki", "Anthony Fauci", "Mr. Kirby", "The President"} <= set(conf.officials)
    assert turns[3].line == 21


def test_press_call_moderator_and_note_after_the_end():
    [conf] = parse_transcript(DATA / "2022-03-01-background-press-call.md")
    rows = [(t.kind, t.speakers) for t in conf.turns]
    assert rows == [
        (KIND_STATEMENT, ()),
        (KIND_MODERATOR, ("Moderator",)),
        (KIND_STATEMENT, ("Senior Administration Official",)),
        (KIND_MODERATOR, ("Moderator",)),
        (KIND_QA, ("Senior Administration Official",)),
        (KIND_MODERATOR, ("Moderator",)),
        (KIND_STATEMENT, ()),
    ]
    assert conf.turns[-1].answer == "To view the slides, visit the website."
    assert conf.officials == ("Senior Administration Official",)      # the moderator is not an official


@pytest.mark.parametrize("first_line", [
    f"Q{NB}{NB}{NB} Why?", f"Q{NB} Why?", "Q    Why?", "Q\tWhy?", "Q Why?", f"{NB}Q{NB}{NB} Why?", "Q: Why?",
])
def test_question_label_variants(tmp_path, first_line):
    path = _write(tmp_path, f"MS. PSAKI:{NB} Hello.\n\n{first_line}\n\nMS. PSAKI:{NB} Because.\n")
    [conf] = parse_transcript(path)
    qa = [t for t in conf.turns if t.kind == KIND_QA]
    assert [(t.question, t.speakers, t.answer) for t in qa] == [("Why?", ("Jen Psaki",), "Because.")]


@pytest.mark.parametrize("label, title, expected", [
    ("MS. PSAKI", "Press Briefing by Press Secretary Jen Psaki", "Jen Psaki"),
    ("MS. JEAN-PIERRE", "Press Briefing by Press Secretary Karine\u00a0Jean-Pierre", "Karine Jean-Pierre"),
    ("MR. KIRBY", "Press Briefing by Press Secretary Jen Psaki", "Mr. Kirby"),
    ("ADMIRAL KIRBY", "Press Gaggle by NSC Coordinator for Strategic Communications John Kirby", "John Kirby"),
    ("SECRETARY BLINKEN", "Press Briefing by Secretary of State Antony Blinken", "Antony Blinken"),
    ("DR. FAUCI", "Press Briefing by Jen Psaki and Dr. Anthony Fauci", "Anthony Fauci"),
    ("THE PRESIDENT", "Remarks by President Biden", "The President"),
    ("SENIOR ADMINISTRATION OFFICIAL", "Background Press Call by Senior Administration Officials",
     "Senior Administration Official"),
    ("MR. SULLIVAN", "Press Gaggle by APNSA Jake Sullivan En Route Rome, Italy", "Jake Sullivan"),
])
def test_speaker_names(label, title, expected):
    assert speaker_name(label, [n for n, _ in title_names(title)]) == expected


def test_title_names_skip_places_and_topics():
    names = [n for n, role in title_names(
        "Press Gaggle by Press Secretary Karine Jean-Pierre and Secretary of Homeland Security Alejandro Mayorkas "
        "En Route Greenville, SC") if role]
    assert names == ["Karine Jean-Pierre", "Alejandro Mayorkas"]
    assert readable("MS. JEAN-PIERRE") == "Ms. Jean-Pierre"


def test_label_like_words_inside_wrapped_paragraph_are_not_labels(tmp_path):
    body = (f"MS. PSAKI:{NB} We discussed it with allies at\nNATO: We are ready to talk.\n\n"
            f"Q{NB}{NB} And on\nSWIFT: what next?\n")
    [conf] = parse_transcript(_write(tmp_path, body))
    assert conf.turns[0].answer == "We discussed it with allies at NATO: We are ready to talk."
    assert conf.turns[1].question == "And on SWIFT: what next?"


def test_end_and_time_lines_dropped(tmp_path):
    body = f"1:05 P.M. EDT\n\nMS. PSAKI:{NB} Hi.\n\nQ{NB}{NB} Bye?\n\nMS. PSAKI:{NB} Bye.\n\nEND\n\n1:30 P.M. EDT\n"
    [conf] = parse_transcript(_write(tmp_path, body))
    assert [(t.kind, t.question, t.answer) for t in conf.turns] == [
        (KIND_STATEMENT, "", "Hi."), (KIND_QA, "Bye?", "Bye.")]


def test_missing_front_matter_or_date_is_an_error(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("---\ntitle: A briefing\n---\n\nMS. PSAKI:  Hi.\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="no date"):
        parse_transcript(path)


def test_sample_briefings_count_questions():
    for path in sorted(SAMPLE.glob("*.md")):
        [conf] = parse_transcript(path)
        text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        lines = text.split("\n")
        labels = sum(1 for k, line in enumerate(lines) if re.match(r"[ \xa0]*Q(?:[\xa0\t]|\s{2,}|:)", line)
                     or (line.startswith("Q ") and not lines[k - 1].strip(" \xa0")))
        qa = sum(1 for t in conf.turns if t.kind == KIND_QA)
        assert qa >= labels > 0
