"""Tests for searchsvc.insights.export: the exported turns are exactly search()'s, and CSV, JSON Lines and Atom built
from them parse back (csv module, json, xml.etree) to the same records."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from support import base_settings, tiny_conferences

from searchsvc.errors import QueryError
from searchsvc.index.build import rebuild_from_conferences
from searchsvc.insights import export
from searchsvc.models import KIND_QA, KIND_STATEMENT, SearchRequest, TurnRecord
from searchsvc.search import SearchService
from searchsvc.serialize import turn_to_dict

A = "{http://www.w3.org/2005/Atom}"


def turn_url(tid: str) -> str:
    return f"https://search.example/turns/{tid}"


def all_ids(service, req: SearchRequest) -> list[str]:
    """Every matching turn id in order, page by page through search()."""
    ids, page = [], 1
    while True:
        got = service.search(replace(req, page=page, per_page=100))
        ids += [h.id for h in got.hits]
        if page >= got.pages:
            return ids
        page += 1


def record(**changes) -> TurnRecord:
    base = dict(id="c-1", conference_id="c", conference_title="A conference", date=date(2021, 3, 4), source="x.md",
                source_url="https://example.org/c", source_format="whitehouse", seq=1, kind=KIND_QA, outlet="Reuters",
                question="A question?", speakers=("Jen Psaki",), answer="An answer.")
    base.update(changes)
    return TurnRecord(**base)


# ---- which turns ---------------------------------------------------------------------------

@pytest.mark.parametrize("req", [SearchRequest(q="trade"), SearchRequest(q="china", sort="newest"),
                                 SearchRequest(q="president", sort="oldest", scope="answer"),
                                 SearchRequest(speakers=("Zhao Lijian",), years=(2020,)),
                                 SearchRequest(q="trade zebra")],
                         ids=["relevance", "newest", "oldest-answers", "filters-only", "relaxed"])
def test_exported_turns_are_searchs_turns_in_order(sample_service, req):
    found = export.export_turns(sample_service, req, 10_000)
    records = list(found.records)
    assert found.total == sample_service.search(req).total == found.rows == len(records)
    assert not found.truncated
    assert [r.id for r in records] == all_ids(sample_service, req)
    assert records[0] == sample_service.get_turn(records[0].id)


def test_export_is_capped(sample_service):
    found = export.export_turns(sample_service, SearchRequest(), 25)
    records = list(found.records)
    assert found.total == sample_service.stats().turns and found.rows == len(records) == 25 and found.truncated
    assert [r.id for r in records] == all_ids(sample_service, SearchRequest())[:25]
    assert list(export.export_turns(sample_service, SearchRequest(q="qqxzzyqqx"), 25).records) == []


def test_export_refuses_what_search_refuses(sample_service):
    with pytest.raises(QueryError):
        export.export_turns(sample_service, SearchRequest(q="x " * 40), 10)


def test_feed_takes_the_newest_whatever_the_sort(sample_service):
    found = export.feed_turns(sample_service, SearchRequest(q="china", sort="oldest"), 7)
    records = list(found.records)
    assert [r.id for r in records] == all_ids(sample_service, SearchRequest(q="china", sort="newest"))[:7]


def test_stream_survives_a_new_generation(tmp_path):
    """Rows are read through a private searcher: a rebuild in the middle of a download changes nothing."""
    settings = base_settings().with_index_dir(tmp_path / "index")
    confs = tiny_conferences()
    rebuild_from_conferences(settings, confs)
    service = SearchService(settings)
    try:
        found = export.export_turns(service, SearchRequest(sort="oldest"), 100)
        rows = iter(found.records)
        first = next(rows)
        rebuild_from_conferences(settings, confs[:1])          # CURRENT moves on ...
        assert service.search(SearchRequest()).total == len(confs[0].turns)   # ... and the service follows it
        rest = list(rows)
        assert [first.id] + [r.id for r in rest] == [f"{c.id}-{t.seq}" for c in confs for t in c.turns]
    finally:
        service.close()


# ---- CSV -----------------------------------------------------------------------------------

def test_csv_parses_back_to_the_records(sample_service):
    found = export.export_turns(sample_service, SearchRequest(q="china"), 10_000)
    records = list(export.export_turns(sample_service, SearchRequest(q="china"), 10_000).records)
    text = "".join(export.csv_chunks(found.records, turn_url))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert len(rows) == len(records) == found.total > 50
    for row, r in zip(rows, records):
        assert row["id"] == r.id and row["url"] == turn_url(r.id) and row["date"] == r.date.isoformat()
        assert row["question"].lstrip("'") == r.question and row["answer"].lstrip("'") == r.answer
        assert row["speakers"].split(export.SPEAKER_SEPARATOR) == list(r.speakers) or not r.speakers
        assert int(row["seq"]) == r.seq and row["kind"] == r.kind and row["outlet"] == r.outlet


def test_csv_keeps_awkward_text_and_defuses_formulas():
    awkward = record(question='=HYPERLINK("http://x")', answer='He said "no",\nthen\r\nyes; 中文 – café',
                     outlet="+Plus", conference_title="-minus", speakers=("A, B", "@C"))
    text = "".join(export.csv_chunks([awkward, record(id="c-2")], turn_url))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 3
    row = dict(zip(export.CSV_COLUMNS, rows[1]))
    assert row["question"] == "'" + awkward.question           # a spreadsheet shows it, never runs it
    assert row["answer"] == awkward.answer                       # quotes, commas, newlines, unicode survive
    assert row["outlet"] == "'+Plus" and row["conference_title"] == "'-minus"
    assert row["speakers"] == "A, B; @C"
    assert text.endswith("\r\n") and "\r\n" in text


def test_csv_comes_in_chunks():
    many = [record(id=f"c-{i}", answer="word " * 200) for i in range(200)]
    chunks = list(export.csv_chunks(many, turn_url))
    assert 1 < len(chunks) < 200
    assert len(list(csv.reader(io.StringIO("".join(chunks), newline="")))) == 201


# ---- JSON Lines ----------------------------------------------------------------------------

def test_jsonl_parses_back_to_the_records(sample_service):
    records = list(export.export_turns(sample_service, SearchRequest(q="trade"), 10_000).records)
    text = "".join(export.jsonl_chunks(iter(records), turn_url))
    lines = text.splitlines()
    assert len(lines) == len(records) > 0 and text.endswith("\n")
    for line, r in zip(lines, records):
        obj = json.loads(line)
        assert obj == dict(turn_to_dict(r), url=turn_url(r.id))
    assert "\n" not in "".join(lines)


def test_jsonl_keeps_line_breaks_inside_values():
    r = record(answer="line one\nline two\u2028three\u2029four\r\nfive", question="中文 – café")
    lines = "".join(export.jsonl_chunks([r, r], turn_url)).splitlines()   # splits on \u2028 too
    assert len(lines) == 2
    assert json.loads(lines[0])["answer"] == r.answer and json.loads(lines[1])["question"] == r.question


# ---- Atom ---------------------------------------------------------------------------------

def parse_feed(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert root.find(A + name) is not None and root.find(A + name).text, name
    for entry in root.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(A + name) is not None and entry.find(A + name).text, name
        datetime.strptime(entry.find(A + "updated").text, "%Y-%m-%dT%H:%M:%SZ")
    return root


def test_atom_feed_lists_the_newest_turns(sample_service):
    found = export.feed_turns(sample_service, SearchRequest(q="china"), 10)
    records = list(export.feed_turns(sample_service, SearchRequest(q="china"), 10).records)
    body = export.atom_feed(found.records, title="China", feed_url="https://s.example/search.atom?q=china",
                            html_url="https://s.example/?q=china", turn_url=turn_url,
                            updated=datetime(2030, 1, 1, tzinfo=UTC))
    root = parse_feed(body)
    entries = root.findall(A + "entry")
    assert [e.find(A + "id").text for e in entries] == [turn_url(r.id) for r in records]
    assert len(entries) == 10
    assert root.find(A + "updated").text == f"{records[0].date.isoformat()}T00:00:00Z"    # the newest entry
    dates = [e.find(A + "updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    self_link = [link for link in root.findall(A + "link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == "https://s.example/search.atom?q=china"
    first = entries[0]
    assert first.find(A + "link").get("href") == turn_url(records[0].id)
    assert records[0].answer[:50] in first.find(A + "content").text


def test_atom_escapes_markup_and_drops_control_characters():
    r = record(question="<script>alert(1)</script> & \x0b\x01 more", answer="]]> <b>x</b>", kind=KIND_QA)
    s = record(id="c-2", question="", answer="Opening remarks.", kind=KIND_STATEMENT, outlet="")
    body = export.atom_feed([r, s], title="<t> & co", feed_url="https://s/f?a=1&b=2", html_url="https://s/?a=1&b=2",
                            turn_url=turn_url, updated=datetime(2030, 1, 1, tzinfo=UTC))
    root = parse_feed(body)
    assert b"<script>" not in body
    assert root.find(A + "title").text == "<t> & co"
    entries = root.findall(A + "entry")
    assert entries[0].find(A + "content").text.startswith("Q (Reuters): <script>alert(1)</script> &  more")
    assert entries[0].find(A + "title").text.startswith("Reuters → Jen Psaki: <script>")
    assert entries[1].find(A + "title").text == "Jen Psaki: Opening remarks."


def test_empty_feed_is_still_valid():
    stamp = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    root = parse_feed(export.atom_feed([], title="Nothing", feed_url="https://s/f", html_url="https://s/",
                                       turn_url=turn_url, updated=stamp))
    assert root.findall(A + "entry") == [] and root.find(A + "updated").text == "2030-01-02T03:04:05Z"
