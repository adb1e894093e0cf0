"""Tests for searchsvc.insights.deflections (the detector and its shipped patterns) and for what the index, search,
matrix, profiles, pages and API do with the marks, over a real index of tests/roles_support.py's conferences."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from support.roles import DEFLECTING, KJP, LONG_HEDGE, PSAKI, build_role_index

from searchsvc.insights import analytics
from searchsvc.insights.deflections import (
    DeflectionRules,
    default_rules,
    deflection_mark,
    find_deflection,
    load_rules,
    parse_patterns,
)
from searchsvc.models import KIND_QA, KIND_STATEMENT, SearchRequest, Turn
from searchsvc.search import SearchService
from searchsvc.web import create_app

SENTENCE = "China and ASEAN agreed to deepen trade, expand green energy projects and open new air routes."
SUBSTANCE = " ".join([SENTENCE] * 12)


@pytest.mark.parametrize("answer, pattern", [
    ("I'm not aware of the specifics.", "not-aware"),
    ("I am not aware of the situation you mentioned.", "not-aware"),
    ("I would refer you to the competent authorities.", "refer"),
    ("I'd refer you to the Department of Justice on that.", "refer"),
    ("I don't have anything for you on that.", "nothing-to-share"),
    ("I’m not going to get ahead of the President.", "not-ahead"),           # typographic apostrophe
    ("I'm not going to go into — into what he thinks.", "no-comment"),      # spoken repeat
    ("We have nothing to announce at this time.", "nothing-to-share-2"),
    ("I'm not going to get into hypotheticals. He tested negative today.", "no-comment"),
    ("I'm not aware of the specifics. China's position on the issue is consistent and clear.", "not-aware"),
    ("I'd refer you to the PLA. " + SUBSTANCE[:400], "refer"),              # little follows the opening: still one
    (SUBSTANCE, None),
    (SUBSTANCE + " I'd refer you to the competent authorities for more.", None),   # a late hedge in a long answer
    ("I'm not aware of the details, but here is what we know. " + SUBSTANCE, None),  # an answer follows the hedge
    ("Yes.", None),
    ("", None),
])
def test_find_deflection(answer, pattern):
    found = find_deflection(answer)
    assert (found.pattern if found else None) == pattern


def test_a_match_reports_length_and_what_follows():
    found = find_deflection("I don't have anything for you on that. We will keep you posted.")
    assert found is not None and found.words == 13 and found.words_after == 5
    assert found.sentence == "I don't have anything for you on that."


def test_only_answers_to_questions_are_marked():
    assert deflection_mark(Turn(0, KIND_QA, "AP", "Q?", ("X",), DEFLECTING)) == "not-ahead"
    assert deflection_mark(Turn(0, KIND_STATEMENT, "", "", ("X",), DEFLECTING)) == ""
    assert deflection_mark(Turn(0, KIND_QA, "AP", "Q?", (), "")) == ""


def test_the_shipped_list_loads_with_unique_names():
    names = [p.name for p in default_rules().patterns]
    assert len(names) >= 10 and len(names) == len(set(names))
    assert load_rules().patterns == default_rules().patterns


@pytest.mark.parametrize("text, message", [
    ("no colon here", ":1: expected `name: regular expression`"),
    ("# comment\n\nbad: (unclosed", ":3: bad regular expression"),
    ("Upper Case: x", ":1: expected"),
])
def test_bad_pattern_files_name_the_line(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_patterns(text, "p.txt")


def test_benchmark_figures_hold_on_the_hand_labels():
    from bench.deflections.__main__ import read_labels, score
    rows = read_labels()
    assert len(rows) == 150 and {r["source"] for r in rows} == {"scio", "mfa", "whitehouse"}
    s = score(rows)
    assert s["tp"] + s["fn"] == sum(r["label"] == "deflection" for r in rows)
    assert s["precision"] >= 0.8 and s["recall"] >= 0.6, s


# ---- marks in the index ----------------------------------------------------------------

@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from support import base_settings
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("deflections-index"))
    build_role_index(settings)
    svc = SearchService(settings)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service):
    return create_app(service.settings, service=service).test_client()


DEFLECTED = {"2021-05-03-briefing-psaki-aaaa0001-2", "2021-06-01-briefing-psaki-sullivan-aaaa0002-1",
             "2023-03-01-briefing-jean-pierre-aaaa0003-1", "2020-07-03-regular-press-conference-aaaa0004-0"}


def test_answer_filter_and_facet(service):
    deflected = service.search(SearchRequest(answers=("deflection",), per_page=50))
    assert {h.id for h in deflected.hits} == DEFLECTED and all(h.deflection for h in deflected.hits)
    substantive = service.search(SearchRequest(answers=("substantive",), per_page=50))
    assert not {h.id for h in substantive.hits} & DEFLECTED and all(not h.deflection for h in substantive.hits)
    statements = service.search(SearchRequest()).total - deflected.total - substantive.total
    assert statements == 1                     # the opening statement is neither
    counts = {v.value: v.count for v in deflected.facets["answer"]}
    assert counts == {"deflection": 4, "substantive": substantive.total}     # disjunctive: the search's rate
    assert service.get_turn("2021-06-01-briefing-psaki-sullivan-aaaa0002-2").deflection == ""   # LONG_HEDGE
    assert LONG_HEDGE


def test_api_answer_filter_and_bad_value(client, api_get):
    body = api_get(client, "/api/search?answer=deflection&per_page=50").get_json()
    assert {h["id"] for h in body["hits"]} == DEFLECTED and {h["deflection"] for h in body["hits"]} >= {"not-ahead"}
    err = api_get(client, "/api/search?answer=evasive", status=400).get_json()
    assert "answer" in err["error"]["message"]


def test_matrix_cells_give_the_share_deflected(service, client, api_get):
    m = analytics.who_asked_whom(service, SearchRequest())
    cell = {(o.value, s.value): (m.cells[i][j], m.answered[i][j], m.deflected[i][j])
            for i, o in enumerate(m.outlets) for j, s in enumerate(m.speakers)}
    assert cell[("AP", PSAKI)] == (1, 1, 1) and cell[("AP", KJP)] == (2, 2, 1)
    assert cell[("Reuters", PSAKI)] == (2, 2, 0)
    body = api_get(client, "/api/matrix").get_json()
    assert body["deflected"] == [list(r) for r in m.deflected]
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "lxml")
    shares = [span.get_text() for span in soup.select("#matrix td .cell-share")]
    assert "50%" in shares and "100%" in shares
    rate = soup.select_one(".deflection-rate").get_text(" ", strip=True)
    assert rate.startswith("Deflections: 4 of 10 answers (40%)")


def test_profiles_give_rates_per_official_and_outlet(service, client, api_get):
    psaki = analytics.profile(service, "speaker", PSAKI)
    assert (psaki.answers.answers, psaki.answers.deflections) == (3, 1)
    per_outlet = dict(zip((v.value for v in psaki.counterparts), psaki.counterpart_answers))
    assert per_outlet["AP"].rate == 1.0 and per_outlet["Reuters"].rate == 0.0
    ap = api_get(client, "/api/outlets/AP").get_json()
    assert ap["answers"] == {"answers": 3, "deflections": 2, "rate": 0.6667}
    soup = BeautifulSoup(client.get("/outlets/AP").get_data(as_text=True), "lxml")
    text = soup.select_one(".profile-deflections").get_text(" ", strip=True)
    assert "2 of 3 answers to its questions (67%)" in text
    link = soup.select_one(".profile-deflections a")["href"]
    assert client.get("/api/search?" + link.split("?", 1)[1]).get_json()["total"] == 2


def test_turn_page_marks_a_deflection(client):
    soup = BeautifulSoup(client.get("/turns/2021-05-03-briefing-psaki-aaaa0001-2").get_data(as_text=True), "lxml")
    note = soup.select_one(".deflection-note")
    assert note and "not-ahead" in note.get_text()
    plain = BeautifulSoup(client.get("/turns/2021-05-03-briefing-psaki-aaaa0001-1").get_data(as_text=True), "lxml")
    assert plain.select_one(".deflection-note") is None


@pytest.mark.parametrize("text", [
    "I won't go into — into that", "go into — into — into it", "the the — the the — end", "a — a b — b",
    "— — lead", "we — we", "one two three — one two three four", "x — y", "Well — well, — well", "no dash here",
    "into —into", "into — intolerable", "ab — a", "a b c d — b c d e",
])
def test_the_windowed_stutter_rule_gives_what_the_regex_over_the_whole_text_gives(text):
    """normalise tries the spoken-repeat regex only around each " —" (_unstutter): the same result as running
    it over the whole text, on cases at the window's edges and on seeded random texts of a few words and dashes."""
    import random

    from searchsvc.insights.deflections import _STUTTER, _unstutter

    rng = random.Random(text)
    words = ["a", "ab", "into", "go", "the", "we", "—", "—", "—"]
    for sample in [text] + [" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))) for _ in range(300)]:
        assert _unstutter(sample) == _STUTTER.sub(r"\1", sample), sample


@pytest.mark.parametrize("text", [
    "i'm not aware of the specifics.", "so — i'm not aware of the details", "café: no comment", "écoute no comment",
    "naïve — i'd refer you to the ministry", "ğno comment", "no commenté", "1\u0663 get back to you", "nothing here",
    "we have no comment — none", "i haven't seen those three new reports",
])
def test_the_patterns_are_found_where_python_finds_them(text):
    """find_deflection's first search (search_start) runs RE2 where its classes are Python's: the same start as
    Python's re over the combined pattern, on edge cases (non-ASCII word characters next to a match) and on seeded
    random texts of pattern words, accented words and dashes."""
    import random

    rules = default_rules()
    assert rules._dfa is not None                        # the shipped patterns are RE2's
    rng = random.Random(text)
    words = ["i", "i'm", "not", "aware", "of", "the", "specifics", "no", "comment", "get", "back", "to", "you",
             "é", "café", "ğ", "—", "–", "…", "refer", "ministry", "3", "\u0663", "_", "details"]
    for sample in [text] + [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(300)]:
        found = rules.combined.search(sample)
        assert rules.search_start(sample) == (found.start() if found else None), sample


def test_patterns_re2_cannot_read_are_searched_by_python():
    rules = DeflectionRules(parse_patterns("look-behind: (?<=not )aware\nbounded: no{,2} comment"))
    assert rules._dfa is None
    assert rules.search_start("i am not aware") == 9 and rules.search_start("no comment") == 0
    assert rules.search_start("i am aware") is None
