"""Tests for searchsvc.ingest.html and the segmenter: MFA spokesperson pages (Q/A and outlet styles, dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from searchsvc.ingest import parse_transcript
from searchsvc.ingest.reader import read_urls
from searchsvc.ingest.segmenter import UNDATED
from searchsvc.models import KIND_QA, KIND_STATEMENT

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "transcripts" / "mfa"
SAMPLE = REPO / "sample" / "mfa"


def _page(body: str, title: str = "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on "
                                  "July 3, 2020") -> str:
    return (f"<html><head><title>{title}</title></head><body><div class='content'>{body}</div>"
            f"<div class='footer'><p>Copyright</p></div></body></html>")


def test_q_and_a_style():
    [conf] = parse_transcript(DATA / "t1000001.html")
    assert conf.title == "Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on May 14, 2018"
    assert conf.date == date(2018, 5, 14)
    assert conf.source_url == "https://www.fmprc.gov.cn/mfa_eng/t1000001.shtml"
    assert conf.officials == ("Lu Kang",)
    kinds = [(t.kind, t.speakers) for t in conf.turns]
    assert kinds == [(KIND_STATEMENT, ("Lu Kang",))] + [(KIND_QA, ("Lu Kang",))] * 3
    assert conf.turns[0].answer.startswith("At the invitation of the government of Peru")
    # unlabelled paragraphs continue the answer above
    assert conf.turns[1].answer == ("The two sides will sign several agreements.\n\n"
                                    "We will release more information in due course.")
    # split <span>s join without stray spaces; 'A :' is a label too
    assert conf.turns[2].question == "Usually such talks are closed, so how come this time they are open?"
    assert conf.turns[2].answer == "Openness is a sign of confidence."
    # <br> separates paragraphs; '24:00' is a time, not a label
    assert conf.turns[3].question == "What about the trade figures?"
    assert conf.turns[3].answer.split("\n\n") == [
        "Trade grew by ten percent.", "Imports grew faster than exports.",
        "As of 24:00 on May 13, all figures were final."]
    assert "Copyright" not in " ".join(t.answer for t in conf.turns)
    assert [t.line for t in conf.turns] == [13, 14, 17, 19]


def test_outlet_style_with_follow_up_split_spans_and_two_spokespeople():
    [conf] = parse_transcript(DATA / "t1000002.html")
    assert conf.date == date(2020, 4, 7)
    assert set(conf.officials) == {"Zhao Lijian", "Hua Chunying"}
    rows = [(t.kind, t.outlet, t.speakers) for t in conf.turns]
    assert rows == [
        (KIND_STATEMENT, "", ("Hua Chunying",)),
        (KIND_STATEMENT, "", ("Zhao Lijian",)),
        (KIND_QA, "CCTV", ("Zhao Lijian",)),
        (KIND_QA, "Fuji TV", ("Zhao Lijian",)),          # "Fuji T" + "V :" in two spans
        (KIND_QA, "Fuji TV", ("Zhao Lijian",)),          # Follow-up inherits the outlet; "Zhao lijian:" matches
        (KIND_QA, "Reuters", ()),                        # answered only after the clarification
        (KIND_QA, "Reuters", ("Zhao Lijian",)),
    ]
    assert conf.turns[1].answer == ("Thank you, Director-General Hua Chunying. I have two announcements.\n\n"
                                    "First, the Foreign Minister will attend a video conference on Friday.")
    assert conf.turns[3].question == "Will Japan attend?"
    assert conf.turns[4].question == "Has Japan confirmed?" and conf.turns[4].answer == "Not yet."
    assert conf.turns[6].question == "Journalist clarifies: I mean the ministerial meeting."
    # a sentence ending in a colon inside an answer is not a label
    assert conf.turns[6].answer.endswith("What I want to stress is as follows: the meeting will go ahead.")


@pytest.mark.parametrize("body, expected", [
    ("<p><b>Q: One?</b></p><p>A: Yes.</p>", [("", "One?", ("Zhao Lijian",), "Yes.")]),
    ("<p><b>AFP: One?</b></p><p>Zhao Lijian: Yes.</p>", [("AFP", "One?", ("Zhao Lijian",), "Yes.")]),
    ("<p><strong>The Paper: One?</strong></p><p>Zhao Lijian: Yes.</p>",
     [("The Paper", "One?", ("Zhao Lijian",), "Yes.")]),
    ("<p><b>Bloomberg: One?</b></p><p>Zhao Lijian: Yes.</p><p><b>Follow-up: Two?</b></p><p>Zhao Lijian: No.</p>",
     [("Bloomberg", "One?", ("Zhao Lijian",), "Yes."), ("Bloomberg", "Two?", ("Zhao Lijian",), "No.")]),
    ("<p>Xinhua News Agency: One?</p><p>Zhao Lijian: Yes.</p>",       # outlet label not bold
     [("Xinhua News Agency", "One?", ("Zhao Lijian",), "Yes.")]),
    ("<p><b>Q: One? </b></p><p><b>And a second part.</b></p><p>A: Both.</p>",
     [("", "One?\n\nAnd a second part.", ("Zhao Lijian",), "Both.")]),
    ("<P><B><SPAN>Q: Split </SPAN></B><B><SPAN>spans</SPAN></B><B><SPAN>&nbsp;here?</SPAN></B></P><P>A: Ok.</P>",
     [("", "Split spans here?", ("Zhao Lijian",), "Ok.")]),
    ("<p><b>Reporter: One?</b></p><p>A: Yes.</p>", [("", "One?", ("Zhao Lijian",), "Yes.")]),
    ("<p><b>Q: One?</b></p><p>Our position is clear: yes.</p><p>More.</p>",      # answer label missing
     [("", "One?", ("Zhao Lijian",), "Our position is clear: yes.\n\nMore.")]),
    ("<p>Q: One?</p><p>More question.</p><p>A: Yes.</p>",                        # nothing bold
     [("", "One?\n\nMore question.", ("Zhao Lijian",), "Yes.")]),
])
def test_label_cases(tmp_path, body, expected):
    path = tmp_path / "t1.html"
    path.write_text(_page(body), encoding="utf-8")
    [conf] = parse_transcript(path)
    assert [(t.outlet, t.question, t.speakers, t.answer) for t in conf.turns if t.kind == KIND_QA] == expected


def test_remarks_page_without_date_in_title_takes_the_page_listing_date(tmp_path):
    path = tmp_path / "t2.html"
    path.write_text(_page("<p><b>Q: Comment?</b></p><p>A: We oppose it.</p>"
                          "</div><ul><li>Foreign Ministry Spokesperson Hua Chunying's Remarks on August 6, 2019</li>"
                          "<li>Remarks on August 5, 2019</li></ul><div>",
                          title="Foreign Ministry Spokesperson Hua Chunying's Remarks on US Statements"),
                    encoding="utf-8")
    [conf] = parse_transcript(path)
    assert conf.date == date(2019, 8, 6)
    assert conf.turns[0].speakers == ("Hua Chunying",)


def test_title_without_year_takes_the_nearest_year():
    [conf] = parse_transcript(DATA / "t1000003.html")
    assert conf.date == date(2018, 9, 10)
    assert conf.source_url == ""                 # not listed in pages.tsv


def test_title_with_missing_space_before_day(tmp_path):
    path = tmp_path / "t3.html"
    path.write_text(_page("<p><b>Q: Hi?</b></p><p>A: Hello.</p>",
                          title="Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on June4, 2019"),
                    encoding="utf-8")
    assert parse_transcript(path)[0].date == date(2019, 6, 4)


def test_page_without_any_date_is_filed_undated_with_a_warning(tmp_path):
    path = tmp_path / "t4.html"
    path.write_text(_page("<p><b>Q: Hi?</b></p><p>A: Hello.</p>",
                          title="Foreign Ministry Spokesperson Geng Shuang's Remarks"), encoding="utf-8")
    [conf] = parse_transcript(path)
    assert conf.date == UNDATED and conf.reading.date_from == "none"
    assert any("no date" in w for w in conf.reading.warnings)


def test_page_without_a_title_is_named_after_its_file_with_a_warning(tmp_path):
    """No <title>, no heading (a page cut short at the top): the file name is the title, and the reading says so
    (a conference never has an empty title; found by the hardening run's mutated transcripts)."""
    path = tmp_path / "briefing_2019-06-04.html"
    path.write_text("<html><body><div><p><b>Q: Hi?</b></p><p>A: Hello.</p></div></body></html>", encoding="utf-8")
    [conf] = parse_transcript(path)
    assert conf.title == "briefing 2019 06 04" and conf.turns
    assert any("no title" in w for w in conf.reading.warnings)


def test_pages_tsv_maps_files_to_urls():
    urls = read_urls(DATA)
    assert urls["t1000002.html"] == "https://www.fmprc.gov.cn/mfa_eng/t1000002.shtml"
    assert read_urls(DATA / "missing") == {}


def test_sample_pages_attribute_answers_to_the_spokesperson():
    for path in sorted(SAMPLE.glob("*.html")):
        [conf] = parse_transcript(path)
        assert conf.source_url.startswith("https://www.fmprc.gov.cn/")
        for turn in conf.turns:
            for speaker in turn.speakers:
                assert speaker in conf.officials
        spokes = conf.title.split("Spokesperson ", 1)[1].split("'s")[0]
        assert spokes in conf.officials


def _html_pages() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    return sorted(p for folder in (root / "tests" / "data", root / "sample") for p in folder.rglob("*.htm*"))


def _content_roots(page: str) -> list:
    import lxml.html

    from searchsvc.ingest.html import find_content

    try:
        doc = lxml.html.document_fromstring(page.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except lxml.etree.ParserError:          # no element at all: the reader reports it, nothing to walk
        return []
    return [root for root in (find_content(doc), doc, doc.find("body")) if root is not None]


@pytest.mark.parametrize("path", _html_pages(), ids=lambda p: p.name)
def test_the_lxml_walk_gives_the_blocks_of_the_beautifulsoup_walk(path):
    """lxml_blocks walks the parsed page itself; the reader before wrote the content element out and walked
    BeautifulSoup's parse of it (tests/support/html_reference.py): the same blocks for every page of the test data
    (also compared on every page of both shared corpora: 440 pages, 0 differences)."""
    from support.html_reference import soup_blocks

    from searchsvc.ingest.decode import read_decoded
    from searchsvc.ingest.html import lxml_blocks

    for root in _content_roots(read_decoded(path).text):
        new = lxml_blocks(root)
        assert new == soup_blocks(root), root.tag


@pytest.mark.parametrize("seed", range(4))
def test_the_lxml_walk_matches_on_random_markup(seed):
    """Seeded random markup: skipped elements as the walk's start, text BeautifulSoup files as other classes
    (template, rt, rp, style, script), comments and processing instructions with tails, bold by tag and style,
    data-srcline attributes of the page's own. Markup that parsing again restructures (nesting lxml closes one way
    and re-parsing another) may differ and is left out of the words used here."""
    import random

    from support.html_reference import soup_blocks

    from searchsvc.ingest.html import lxml_blocks

    rng = random.Random(seed)
    tags = ["p", "div", "b", "strong", "span", "br", "template", "rt", "rp", "script", "style", "h2", "section", "nav",
            "o:p", "font", "em", "title", "noscript"]
    words = ["Q:", "MR. PRICE:", "Thank you.", "  ", "\n", "\u00a0", "&amp;", "&foo;", "<!-- c -->", "<?pi x?>", "é",
             "—", "\u200b", "1,000"]

    def fragment(depth: int) -> str:
        out = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.45 and depth < 5:
                tag = rng.choice(tags)
                attrs = rng.choice(["", ' style="font-weight: bold"', ' style="font-weight:700"', ' data-srcline="7"'])
                out.append(f"<{tag}{attrs}>{fragment(depth + 1)}</{tag}>")
            else:
                out.append(rng.choice(words))
        return "".join(out)

    for _ in range(150):
        body = fragment(0)
        page = f"<html><head><title>T</title></head><body>{body}</body></html>" if rng.random() < 0.7 else body
        for root in _content_roots(page):
            new = lxml_blocks(root)
            assert new == soup_blocks(root), page
