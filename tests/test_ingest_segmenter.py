"""Tests for searchsvc.ingest.segmenter (with finder, header, roles): one turn segmenter for every container, on
small files of conventions the three corpus sources do not use (tests/data/ingest/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchsvc.errors import TranscriptError
from searchsvc.ingest import parse_paths, parse_transcript
from searchsvc.ingest.segmenter import join_variants
from searchsvc.models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT

DATA = Path(__file__).resolve().parent / "data" / "ingest"


def _roles(conf) -> dict[str, str]:
    return {lr.label: lr.role for lr in conf.reading.labels}


def test_plain_text_with_timestamps_in_cp1252_joins_name_variants():
    [conf] = parse_transcript(DATA / "rev-style-cp1252.txt")
    assert conf.reading.container == "text" and conf.reading.encoding == "cp1252"
    assert conf.title.startswith("Coronavirus Task Force") and conf.date.isoformat() == "2020-03-21"
    assert "timestamps after labels" in conf.reading.conventions
    roles = _roles(conf)
    assert {label for label, role in roles.items() if role == "reporter"} == {
        "Speaker 7", "Reporter", "Jim", "Audience Member"}
    assert set(conf.officials) == {"Mike Pence", "Donald Trump", "Anthony Fauci"}   # Dr./Tony/Anthony joined
    questions = [t for t in conf.turns if t.kind == KIND_QA]
    assert len(questions) == 4 and all(t.speakers and t.outlet == "" for t in questions)
    assert questions[1].question == "Dr. Fauci, is the drug safe for people with heart problems?"
    assert questions[1].speakers == ("Anthony Fauci",)
    assert "we’re grateful" in conf.turns[0].answer and "café owners" in conf.turns[0].answer
    assert "(02:18)" not in " ".join(t.answer for t in conf.turns)


def test_utf16_gaggle_press_and_numbered_speaker_are_reporters():
    [conf] = parse_transcript(DATA / "gaggle-utf16.txt")
    assert conf.reading.encoding == "UTF-16"
    roles = _roles(conf)
    assert roles["Press"] == "reporter" and roles["Speaker 2"] == "reporter"
    assert roles["GOVERNOR WALZ"] == "official" and roles["MS. ALLEN"] == "official"
    assert ("Governor Walz", "Governor") in conf.roles
    assert [t.kind for t in conf.turns].count(KIND_QA) == 3
    assert "Speaker 2" not in conf.officials and "Campaign Bus" not in conf.officials


def test_scio_gov_layout_with_header_blocks_caption_and_repeated_host():
    [conf] = parse_transcript(DATA / "scio-gov-blocks.txt")
    assert conf.title == "SCIO briefing on the development of the digital economy"
    assert conf.date.isoformat() == "2024-05-08" and conf.source_format == "scio"
    assert dict(conf.roles)["Xi Yanchun"] == "Spokesperson of the SCIO"
    rows = [(t.kind, t.outlet, t.speakers) for t in conf.turns]
    assert rows == [
        (KIND_MODERATOR, "", ("Xi Yanchun",)),
        (KIND_STATEMENT, "", ("Zhao Hongwei",)),
        (KIND_MODERATOR, "", ("Xi Yanchun",)),
        (KIND_QA, "China Daily", ("Liu Ning",)),
        (KIND_MODERATOR, "", ("Xi Yanchun",)),
        (KIND_QA, "Hubei Radio and Television", ("Zhao Hongwei", "Liu Ning")),
        (KIND_MODERATOR, "", ("Xi Yanchun",)),
    ]
    assert "[Photo by Chen Jie/China.org.cn]" in conf.turns[1].answer          # captions are kept, not turns
    assert "Read in Chinese" not in " ".join(t.answer for t in conf.turns)


def test_scio_gov_layout_without_block_labels_and_inline_chair():
    [conf] = parse_transcript(DATA / "scio-gov-inline.txt")
    assert conf.date.isoformat() == "2024-03-20"
    assert set(conf.officials) == {"Tang Renjian", "Wang Lixia", "Shou Xiaoli"}
    questions = [t for t in conf.turns if t.kind == KIND_QA]
    assert [(t.outlet, t.speakers) for t in questions] == [
        ("Farmers' Daily", ("Tang Renjian",)), ("CGTN", ("Wang Lixia",)), ("CGTN", ("Wang Lixia",))]
    assert "header blocks" in conf.reading.conventions and "Follow-up:" in conf.reading.conventions


@pytest.mark.parametrize("name, line", [("scio-gallery.txt", 1), ("scio-notice.txt", 3)])
def test_pages_without_a_transcript_are_named_problems(name, line):
    with pytest.raises(TranscriptError, match="no speaker labels") as info:
        parse_transcript(DATA / name)
    assert info.value.line == line


def test_html_of_an_unseen_template_with_br_runs_and_bold_labels():
    [conf] = parse_transcript(DATA / "other-template.html")
    assert conf.title == "Transcript: Mayor's weekly press conference"
    assert conf.date.isoformat() == "2023-06-14" and conf.reading.date_from == "<meta article:published_time>"
    assert conf.source_url == "https://city.example.org/news/mayor-weekly-press-conference-june-14"
    kinds = [(t.kind, t.speakers) for t in conf.turns]
    assert kinds == [(KIND_MODERATOR, ("Moderator",)), (KIND_STATEMENT, ("Mayor Green",)),
                     (KIND_QA, ("Mayor Green",)), (KIND_MODERATOR, ("Moderator",)), (KIND_QA, ("Mayor Green",))]
    assert conf.turns[1].answer == "Thank you. The new bus lines open on Monday.\n\nThey will run every ten minutes." \
                                   "\n\nFares stay the same."
    words = " ".join(t.answer + t.question for t in conf.turns)
    assert "Copyright" not in words and "Home" not in words


def test_folder_of_mixed_sources_reads_all_and_names_the_problems():
    result = parse_paths([DATA])
    assert sorted(Path(p.path).name for p in result.problems) == ["scio-gallery.txt", "scio-notice.txt"]
    assert len(result.conferences) == 5
    assert all(c.reading and c.reading.share > 0.8 for c in result.conferences)


def _write(tmp_path, text: str, name: str = "t.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_officials_are_never_outlets_and_questions_marked_q_keep_capitals_labels_official(tmp_path):
    path = _write(tmp_path, "Remarks by President Hichilema and Vice President Harris\n\nDate: March 31, 2023\n\n"
                            "THE VICE PRESIDENT:  Welcome.\n\nQ  Madam Vice President, a question?\n\n"
                            "PRESIDEN HICHILEMA:  Is that for me?  Thank you.\n\nQ  And for you, sir?\n\n"
                            "THE VICE PRESIDENT:  Thank you all.\n")
    [conf] = parse_transcript(path)
    assert all(t.outlet == "" for t in conf.turns)
    assert _roles(conf)["PRESIDEN HICHILEMA"] == "official"


def test_a_sentence_with_a_colon_is_not_a_label(tmp_path):
    path = _write(tmp_path, "Briefing, May 2, 2024\n\nMS. LEE:  Two things.\n\nQ  What about it?\n\n"
                            "MS. LEE:  Well.\nSo our question to them would be: why not?\n\n"
                            "One on Senator Smith: he holds the bill.\n\nQ  Thanks.\n\nMS. LEE:  Sure.\n")
    [conf] = parse_transcript(path)
    assert [t.kind for t in conf.turns] == [KIND_STATEMENT, KIND_QA, KIND_QA]
    assert "One on Senator Smith: he holds the bill." in conf.turns[1].answer
    assert "So our question to them would be: why not?" in conf.turns[1].answer


def test_interpreter_and_host_words(tmp_path):
    path = _write(tmp_path, "Joint Press Conference by President Lee and Prime Minister Sato, June 1, 2024\n\n"
                            "MODERATOR:  Welcome.  The first question.\n\nQ  For the Prime Minister: will you go?\n\n"
                            "PRIME MINISTER SATO:  (As interpreted.)  Yes.\n\nINTERPRETER:  I will go next week.\n\n"
                            "PRESIDENT LEE:  Good.\n")
    [conf] = parse_transcript(path)
    roles = _roles(conf)
    assert roles["MODERATOR"] == "host" and roles["INTERPRETER"] == "interpreter"
    qa = next(t for t in conf.turns if t.kind == KIND_QA)
    assert qa.speakers == ("Sato", "President Lee") or "I will go next week." in qa.answer
    assert "Interpreter" not in conf.officials and "interpreter" in conf.reading.conventions


def test_join_variants_keeps_different_people_apart():
    joined = join_variants(["Dr. Fauci", "Tony Fauci", "Anthony Fauci", "Joe Biden", "Jill Biden", "Biden"],
                           ["Anthony Fauci"])
    assert joined["Dr. Fauci"] == joined["Tony Fauci"] == "Anthony Fauci"
    assert "Jill Biden" not in joined or joined["Jill Biden"] == "Jill Biden"
