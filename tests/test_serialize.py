"""Tests for searchsvc.serialize: the JSON shapes other tools rely on."""

import json
from datetime import date

from searchsvc.models import (
    ConferenceRecord,
    FacetValue,
    Hit,
    IndexStats,
    SearchPage,
    SearchRequest,
    TurnRecord,
)
from searchsvc.serialize import conference_to_dict, search_page_to_dict, stats_to_dict, turn_to_dict


def _turn(seq=0):
    return TurnRecord(id=f"c-{seq}", conference_id="c", conference_title="T", date=date(2020, 1, 2), source="f.md",
                      source_url="https://x", source_format="whitehouse", seq=seq, kind="question-answer",
                      outlet="AFP", question="Q?", speakers=("A B",), answer="Ans")


def test_search_page_to_dict_shape_and_values():
    hit = Hit(id="c-0", conference_id="c", conference_title="T", date=date(2020, 1, 2), source="f.md",
              source_url="https://x", seq=0, kind="question-answer", outlet="AFP", speakers=("A B", "C D"),
              question_html="<mark>Q</mark>", answer_html="a &amp; b", score=1.5)
    page = SearchPage(request=SearchRequest(q="q", page=2, per_page=1), total=3, hits=[hit],
                      facets={"speaker": [FacetValue("A B", 1, True)], "outlet": [],
                              "conference": [FacetValue("c", 3, False, "T")], "year": [FacetValue("2020", 3)]},
                      suggestion=None, optional_terms=("x",), notices=("n",), took_ms=1.25)
    d = search_page_to_dict(page)
    json.dumps(d)  # serialisable
    assert d["total"] == 3 and d["page"] == 2 and d["per_page"] == 1 and d["pages"] == 3 and d["query"] == "q"
    assert d["hits"][0]["date"] == "2020-01-02" and d["hits"][0]["speakers"] == ["A B", "C D"]
    assert d["facets"]["speaker"] == [{"value": "A B", "count": 1, "selected": True, "label": "A B"}]
    assert d["facets"]["conference"][0]["label"] == "T"
    assert d["optional_terms"] == ["x"] and d["notices"] == ["n"] and d["suggestion"] is None
    assert d["took_ms"] == 1.25


def test_records_and_stats():
    t = turn_to_dict(_turn())
    assert t["date"] == "2020-01-02" and t["speakers"] == ["A B"] and t["answer"] == "Ans"
    c = conference_to_dict(ConferenceRecord(id="c", title="T", date=date(2020, 1, 2), source="f.md",
                                            source_url="https://x", source_format="whitehouse",
                                            officials=("A B",), turns=[_turn(0), _turn(1)]))
    assert [x["seq"] for x in c["turns"]] == [0, 1] and c["officials"] == ["A B"]
    json.dumps(c)
    s = stats_to_dict(IndexStats("gen-1", 7, 2, 3, 2, 100, "2020-01-01T00:00:00+00:00", 0.5))
    assert s == {"generation": "gen-1", "turns": 7, "conferences": 2, "speakers": 3, "outlets": 2,
                 "size_bytes": 100, "built_at": "2020-01-01T00:00:00+00:00", "build_seconds": 0.5,
                 "schema_version": 1}


def test_real_page_round_trips_through_json(sample_service):
    d = search_page_to_dict(sample_service.search(SearchRequest(q="china")))
    assert json.loads(json.dumps(d)) == d
