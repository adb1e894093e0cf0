"""Tests for searchsvc.insights.cite: the plain-text reference, BibTeX and CSL-JSON of a turn name who answered
(with role), who asked, the conference, date, publisher, source address and permalink."""

from __future__ import annotations

import json
from datetime import date

import pytest

from searchsvc import serialize
from searchsvc.insights import cite
from searchsvc.models import KIND_QA, KIND_STATEMENT, TurnRecord

PERMALINK = "https://search.example/turns/2020-07-03-regular-press-conference-aaaa1111-1"
ACCESSED = date(2026, 12, 1)


def record(**changes) -> TurnRecord:
    fields = dict(id="2020-07-03-regular-press-conference-aaaa1111-1",
                  conference_id="2020-07-03-regular-press-conference-aaaa1111",
                  conference_title="Regular Press Conference on July 3, 2020", date=date(2020, 7, 3),
                  source="mfa/t1.html",
                  source_url="https://example.org/mfa/1?a=1&b=2", source_format="mfa", seq=1, kind=KIND_QA,
                  outlet="Reuters", question="Will China retaliate?", speakers=("Zhao Lijian",), answer="We will.")
    fields.update(changes)
    return TurnRecord(**fields)


def test_plain_text_reference_names_everything():
    c = cite.cite_turn(record(), PERMALINK, {"Zhao Lijian": "Foreign Ministry Spokesperson"}, ACCESSED)
    assert c.text == ("Zhao Lijian (Foreign Ministry Spokesperson), answering a question from Reuters. "
                      "\u201cRegular Press Conference on July 3, 2020.\u201d Ministry of Foreign Affairs of China, "
                      "July 3, 2020. https://example.org/mfa/1?a=1&b=2. Turn 2, Press conference search, accessed "
                      f"December 1, 2026, {PERMALINK}.")


@pytest.mark.parametrize("changes, start", [
    ({"speakers": ("Jen Psaki", "Jake Sullivan"), "source_format": "whitehouse"},
     "Jen Psaki and Jake Sullivan, answering"),
    ({"speakers": ("A", "B", "C")}, "A, B, and C, answering"),
    ({"outlet": ""}, "Zhao Lijian, answering a question."),
    ({"kind": KIND_STATEMENT, "question": "", "outlet": ""}, "Zhao Lijian, statement."),
    ({"speakers": ()}, "Question from Reuters."),
])
def test_who_answered_and_who_asked(changes, start):
    assert cite.cite_turn(record(**changes), PERMALINK, accessed=ACCESSED).text.startswith(start)


def test_no_source_address_is_left_out():
    text = cite.cite_turn(record(source_url=""), PERMALINK, accessed=ACCESSED).text
    assert "July 3, 2020. Turn 2" in text


def test_bibtex_is_balanced_and_escaped():
    bib = cite.cite_turn(record(conference_title="100% {sure} & more_", outlet="A&B"), PERMALINK,
                         {"Zhao Lijian": "Spokesperson"}, ACCESSED).bibtex
    assert bib.startswith("@misc{lijian2020suret2,\n") and bib.endswith("}\n")
    assert bib.count("{") == bib.count("}")
    assert "title = {{100\\% sure \\& more\\_}, turn 2}" in bib
    assert "author = {{Zhao Lijian}}" in bib and f"url = {{{PERMALINK}}}" in bib and "date = {2020-07-03}" in bib
    assert "a question from A\\&B" in bib and "urldate = {2026-12-01}" in bib


def test_csl_json_item():
    c = cite.cite_turn(record(), PERMALINK, {"Zhao Lijian": "Foreign Ministry Spokesperson"}, ACCESSED)
    item = json.loads(json.dumps(c.csl))
    assert item["type"] == "speech" and item["id"] == record().id
    assert item["author"] == [{"literal": "Zhao Lijian"}]
    assert item["issued"] == {"date-parts": [[2020, 7, 3]]} and item["accessed"] == {"date-parts": [[2026, 12, 1]]}
    assert item["publisher"] == "Ministry of Foreign Affairs of China" and item["URL"] == PERMALINK
    assert "Foreign Ministry Spokesperson" in item["note"] and "https://example.org/mfa/1" in item["note"]
    assert serialize.Citation.dump(c)["csl"] == c.csl


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "  JAVASCRIPT:x", "mfa/t1.html"])
def test_only_http_source_addresses_are_cited(url):
    c = cite.cite_turn(record(source_url=url), PERMALINK, accessed=ACCESSED)
    assert "Original transcript" not in c.bibtex + c.csl["note"] and url.strip() not in c.text
