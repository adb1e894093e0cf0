"""Tests for searchsvc.ingest.text (and the segmenter): SCIO plain-text pages (labels, header blocks, pages joined)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from searchsvc.ingest import parse_paths, parse_transcript
from searchsvc.ingest.labels import has_outlet_word, looks_like_label, looks_like_person
from searchsvc.ingest.text import read_text_document
from searchsvc.models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "transcripts" / "scio"
SAMPLE = REPO / "sample" / "scio"


@pytest.mark.parametrize("label, person, outlet", [
    ("Qiu Baoli", True, False),
    ("Mr. Li Jiantao", True, False),
    ("Nanfang Metropolis Daily", False, True),
    ("The Poster News APP", False, True),
    ("Hong Kong Commercial Daily", False, True),
    ("Phoenix TV", False, True),
    ("CGTN", False, True),
    ("Xinhua News Agency", False, True),
    ("Red Star News", False, True),
])
def test_outlet_or_person(label, person, outlet):
    assert looks_like_person(label) is person
    assert has_outlet_word(label) is outlet
    assert looks_like_label(label)


@pytest.mark.parametrize("line", [
    "Here are three points", "I want to stress this", "In this video", "What the international community knows",
    "As of 24", "A word of advice",
])
def test_sentences_ending_in_colon_are_not_labels(line):
    assert not looks_like_label(line)


def test_sample_page_gives_exactly_two_question_turns():
    [conf] = parse_transcript(next(SAMPLE.glob("*.txt")))
    assert conf.source_format == "scio" and conf.source_url == ""
    assert conf.date == date(2023, 11, 5)
    assert conf.title == "SCIO press conference on safeguarding public safety to ensure high-quality development"
    assert [(t.kind, t.outlet, t.speakers) for t in conf.turns] == [
        (KIND_QA, "Nanfang Metropolis Daily", ("Qiu Baoli",)),
        (KIND_QA, "The Poster News APP", ("Li Jiantao",)),
    ]
    first, second = conf.turns
    assert first.question.startswith("The recently concluded summer crackdown")
    assert first.answer.startswith("I'll take your questions.")
    assert "\n\nIn the next step" in first.answer            # paragraphs kept
    assert second.answer.endswith("building a beautiful China. Thank you.")
    assert first.line == 7 and second.line == 17
    assert set(conf.officials) == {"Qiu Baoli", "Li Jiantao"}
    text = " ".join(t.question + t.answer for t in conf.turns)
    assert "ㄑ" not in text and "China.org.cn" not in text and "<  1" not in text


def test_pager_breadcrumb_and_date_line_are_dropped():
    page = read_text_document("p.txt", (DATA / "no-blocks-page-1.txt").read_text(encoding="utf-8"), "UTF-8")
    kept = " ".join(block.text for block in page.blocks)
    assert page.title == "SCIO press conference on river protection"
    assert page.date == date(2024, 6, 3) and page.page == 1
    assert "ㄑ" not in kept and "China.org.cn" not in kept and "<  1  >" not in kept


def test_pages_are_joined_with_header_blocks_moderator_and_several_officials():
    result = parse_paths([DATA / "tourism-briefing-page-2.txt", DATA / "tourism-briefing-page-1.txt"])
    assert result.problems == []
    [conf] = result.conferences
    assert conf.date == date(2024, 3, 8)                      # the Date: block, not the publication date
    assert conf.source_file.endswith("tourism-briefing-page-1.txt")
    assert set(conf.officials) == {"Wang Dalin", "Zhou Meifang", "Shou Xiaoli"}
    kinds = [(t.kind, t.outlet, t.speakers) for t in conf.turns]
    assert kinds == [
        (KIND_MODERATOR, "", ("Shou Xiaoli",)),
        (KIND_STATEMENT, "", ("Wang Dalin",)),
        (KIND_MODERATOR, "", ("Shou Xiaoli",)),
        (KIND_QA, "China Daily", ("Wang Dalin", "Zhou Meifang")),
        (KIND_MODERATOR, "", ("Shou Xiaoli",)),
        (KIND_QA, "Hong Kong Commercial Daily", ("Zhou Meifang",)),
        (KIND_QA, "Hong Kong Commercial Daily", ("Zhou Meifang",)),   # Follow-up keeps the outlet
        (KIND_MODERATOR, "", ("Shou Xiaoli",)),
    ]
    qa = conf.turns[3]
    assert qa.answer == ("More than two thousand villages joined.\n\n"
                         "I would add that training reached ten thousand hosts.")
    # the answer starts on page 1 and continues on page 2
    assert conf.turns[5].answer == ("Small hosts will receive low-interest loans.\n\n"
                                    "They will also get free marketing help.")
    assert conf.turns[6].question == "When do the loans start?"
    assert [t.seq for t in conf.turns] == list(range(len(conf.turns)))
    assert "Speakers" not in " ".join(t.answer for t in conf.turns)


def test_single_page_of_a_longer_conference_parses_alone():
    [conf] = parse_transcript(DATA / "tourism-briefing-page-2.txt")
    assert conf.turns[0].kind == KIND_STATEMENT and conf.turns[0].speakers == ("Zhou Meifang",)
    assert conf.turns[1].kind == KIND_QA


def test_intro_text_inline_date_host_label_and_honorific_labels(tmp_path):
    page = tmp_path / "water-page-1.txt"
    page.write_text(
        "ㄑ Press Room ㄑ Press Conference Transcripts\n\nSCIO briefing on water\n\nChina.org.cn | July 9, 2024\n\n"
        "The SCIO held a press conference in Beijing.\n\nSpeakers:\nMr. Li Guoying, minister of water resources\n\n"
        "Chairperson:\nMs. Xing Huina, spokesperson of the SCIO\n\nDate: July 8, 2024\n\n"
        "Host:\n\nGood morning.\n\nMr. Li Guoying:\n\nWe built many reservoirs.\n\n"
        "Ta Kung Pao:\n\nHow many?\n\nLi Guoying:\n\nFifty.\n\n<  1  2  >\n", encoding="utf-8")
    [conf] = parse_transcript(page)
    assert conf.date == date(2024, 7, 8)
    rows = [(t.kind, t.outlet, t.speakers, t.question, t.answer) for t in conf.turns]
    assert rows == [
        (KIND_STATEMENT, "", (), "", "The SCIO held a press conference in Beijing."),
        (KIND_MODERATOR, "", ("Xing Huina",), "", "Good morning."),
        (KIND_STATEMENT, "", ("Li Guoying",), "", "We built many reservoirs."),
        (KIND_QA, "Ta Kung Pao", ("Li Guoying",), "How many?", "Fifty."),   # name-shaped outlet
    ]
    assert set(conf.officials) == {"Li Guoying", "Xing Huina"}
