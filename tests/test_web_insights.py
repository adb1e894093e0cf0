"""Tests for searchsvc.web.insights with Flask's test client over real indexes: matrix and timeline (page and API),
speaker and outlet pages, similar questions, exports and feeds; every link is followed to check its counts."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from searchsvc import serialize
from searchsvc.insights import analytics
from searchsvc.models import SearchRequest
from searchsvc.web import create_app

A = "{http://www.w3.org/2005/Atom}"
PLANTED = "<script>alert(1)</script>"


def soup_of(resp) -> BeautifulSoup:
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return BeautifulSoup(resp.get_data(as_text=True), "lxml")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def total_of(client, href: str) -> int:
    """The total /api/search gives for the search a page link points to."""
    return client.get("/api/search?" + urlsplit(href).query).get_json()["total"]


# ---- JSON ---------------------------------------------------------------------------------

EXPORT_PATHS = ("/search.csv", "/search.jsonl", "/search.atom")
URLS = ["", "q=trade", "q=china&scope=question", "q=china&year=2020&year=2019", "speaker=Zhao+Lijian",
        "q=us&outlet=AFP&outlet=Reuters", "q=china&from=2020-01-01&to=2020-06-30", "q=trade+zebra", "q=qqxzzyqqx"]


@pytest.mark.parametrize("query", URLS)
def test_api_matrix_and_timeline_are_the_analyses(client, api_get, sample_service, query):
    from werkzeug.datastructures import MultiDict

    from searchsvc.web.params import parse_search_args
    req = parse_search_args(MultiDict(parse_qs(query)), sample_service.settings.search)
    matrix = api_get(client, f"/api/matrix?{query}").get_json()
    assert matrix == serialize.Matrix.dump(analytics.who_asked_whom(sample_service, req))
    timeline = api_get(client, f"/api/timeline?{query}").get_json()
    assert timeline == serialize.Timeline.dump(analytics.timeline(sample_service, req))
    total = sample_service.search(req).total
    assert matrix["total"] == timeline["total"] == total


def test_api_matrix_size_and_timeline_interval(client, api_get):
    m = api_get(client, "/api/matrix?rows=2&columns=1").get_json()
    assert len(m["outlets"]) == 2 and len(m["speakers"]) == 1 and len(m["cells"]) == 2 and len(m["cells"][0]) == 1
    t = api_get(client, "/api/timeline?q=china&interval=year").get_json()
    assert t["interval"] == "year" and all(b["label"].isdigit() for b in t["buckets"])


@pytest.mark.parametrize("query", ["from=2020-13-01", "scope=x", "year=abc", "q=" + "x" * 501, "q=a&q=b", "to=",
                                   "speaker=" + "&speaker=".join(f"s{i}" for i in range(21))])
def test_bad_parameters_are_refused_like_search(client, api_get, query):
    """The parameters that choose the matching turns are one contract: the same answer from every route."""
    if query == "to=":       # an empty date is no date, as on the search form
        assert api_get(client, "/api/timeline?to=").get_json() == api_get(client, "/api/timeline").get_json()
        return
    expected = api_get(client, f"/api/search?{query}", status=400).get_json()
    for path in ("/api/matrix", "/api/timeline"):
        assert api_get(client, f"{path}?{query}", status=400).get_json() == expected
    for path in EXPORT_PATHS:
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 400 and resp.mimetype == "application/json" and resp.get_json() == expected


@pytest.mark.parametrize("url, mentions", [("/api/matrix?rows=0", "rows"), ("/api/matrix?columns=51", "columns"),
                                           ("/api/matrix?rows=x", "rows"), ("/api/matrix?rows=1&rows=2", "rows"),
                                           ("/api/timeline?interval=day", "interval")])
def test_insight_parameters_are_checked(client, api_get, url, mentions):
    body = api_get(client, url, status=400).get_json()
    assert mentions in body["error"]["message"]


@pytest.mark.parametrize("facet, name", [("speakers", "Zhao Lijian"), ("outlets", "AFP")])
def test_api_profiles(client, api_get, sample_service, facet, name):
    body = api_get(client, f"/api/{facet}/{quote(name)}").get_json()
    assert body == serialize.Profile.dump(analytics.profile(sample_service, facet[:-1], name))
    assert body["turns"] == sample_service.search(SearchRequest(**{facet: (name,)})).total
    assert body["terms"] and body["timeline"]["total"] == body["turns"]
    api_get(client, f"/api/{facet}/Nobody", status=404)


def test_api_similar_questions(client, api_get, sample_service):
    hit = sample_service.search(SearchRequest(q="china", scope="question")).hits[0]
    body = api_get(client, f"/api/turns/{hit.id}/similar").get_json()
    assert body == serialize.SimilarQuestions.dump(analytics.similar_questions(sample_service, hit.id))
    api_get(client, "/api/turns/none-0/similar", status=404)


# ---- the results page ------------------------------------------------------------------------

def test_results_page_shows_matrix_whose_cells_filter_by_both(client, sample_service):
    soup = soup_of(client.get("/?q=china&sort=newest"))
    cells = soup.select("#matrix td a[data-nav]")
    assert cells, "the sample has MFA turns with outlets"
    matrix = analytics.who_asked_whom(sample_service, SearchRequest(q="china"))
    assert len(soup.select("#matrix tbody tr")) == len(matrix.outlets)
    heads = [a.get_text() for a in soup.select("#matrix thead th a")]
    assert heads == [s.value for s in matrix.speakers]
    for a in cells:
        params = query_of(a["href"])
        assert params["q"] == ["china"] and params["sort"] == ["newest"]
        assert params["outlet"] == [a["data-outlet"]] and params["speaker"] == [a["data-speaker"]]
        assert int(a.get_text().replace(",", "")) == int(a["data-count"])
        assert total_of(client, a["href"]) == int(a["data-count"])
    # shading follows the counts
    top = max(cells, key=lambda a: int(a["data-count"]))
    assert top.parent["class"] == [f"heat-{8}"]
    # headers lead to the speaker and outlet pages
    assert client.get(soup.select_one("#matrix thead th a")["href"]).status_code == 200
    assert client.get(soup.select_one("#matrix tbody th a")["href"]).status_code == 200


def test_results_page_timeline_bars_set_the_dates(client, sample_service):
    soup = soup_of(client.get("/?q=china&speaker=Hua+Chunying"))
    svg = soup.select_one("#timeline svg")
    assert svg is not None and svg["viewbox"]
    bars = soup.select("#timeline a.bar-link")
    tl = analytics.timeline(sample_service, SearchRequest(q="china", speakers=("Hua Chunying",)))
    assert len(bars) == sum(1 for b in tl.buckets if b.count)
    for a in bars:
        params = query_of(a["href"])
        assert params["from"] == [a["data-from"]] and params["to"] == [a["data-to"]]
        assert params["q"] == ["china"] and params["speaker"] == ["Hua Chunying"]
        assert total_of(client, a["href"]) == int(a["data-count"])
        assert a["aria-label"].endswith(("turn", "turns")) and a.select_one("title").get_text() == a["aria-label"]
    heights = [float(a.select_one("rect.bar")["height"]) for a in bars]
    counts = [int(a["data-count"]) for a in bars]
    assert heights.index(max(heights)) == counts.index(max(counts))


def test_timeline_bar_within_a_date_range_stays_within_it(client):
    soup = soup_of(client.get("/?q=china&from=2020-03-10&to=2020-05-20"))
    bars = soup.select("#timeline a.bar-link")
    assert bars
    assert min(a["data-from"] for a in bars) >= "2020-03-10" and max(a["data-to"] for a in bars) <= "2020-05-20"
    for a in bars:
        assert total_of(client, a["href"]) == int(a["data-count"])


def test_results_fragment_carries_the_insights(client):
    soup = soup_of(client.get("/results?q=china"))
    assert soup.select_one("#results #timeline svg") and soup.select_one("#results #matrix")
    assert soup.select_one("#results a.export-csv")


def test_no_results_no_insights(client):
    soup = soup_of(client.get("/?q=qqxzzyqqx"))
    assert not soup.select(".insights") and not soup.select("a.export-csv")


def test_export_links_keep_the_search(client):
    soup = soup_of(client.get("/?q=china&speaker=Zhao+Lijian&sort=oldest&scope=question&page=2&per_page=5"))
    exports = (("export-csv", "/search.csv"), ("export-jsonl", "/search.jsonl"), ("export-atom", "/search.atom"))
    for cls, path in exports:
        href = soup.select_one(f"a.{cls}")["href"]
        assert urlsplit(href).path == path
        assert query_of(href) == {"q": ["china"], "speaker": ["Zhao Lijian"], "sort": ["oldest"], "scope": ["question"]}


@pytest.mark.parametrize("scope, marked", [("question", "question"), ("answer", "answer")])
def test_each_hit_shows_question_and_answer_together(client, sample_service, scope, marked):
    """Issue part 1: scope picks the text searched; each hit still shows the question with its answer."""
    page = sample_service.search(SearchRequest(q="china", scope=scope, per_page=20))
    soup = soup_of(client.get(f"/?q=china&scope={scope}&per_page=20"))
    shown = 0
    for li, hit in zip(soup.select("li.hit"), page.hits):
        turn = sample_service.get_turn(hit.id)
        if not (turn.question and turn.answer):
            continue
        shown += 1
        q, a = li.select_one(".fragment.question"), li.select_one(".fragment.answer")
        assert q is not None and a is not None
        assert (q if marked == "question" else a).select("mark")
        assert not (a if marked == "question" else q).select("mark")
    assert shown


# ---- exports over HTTP ---------------------------------------------------------------------

def test_csv_download_is_every_matching_turn(client, sample_service):
    resp = client.get("/search.csv?q=china&sort=newest")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="search-china.csv"'
    total = sample_service.search(SearchRequest(q="china")).total
    assert resp.headers["X-Total-Count"] == resp.headers["X-Export-Rows"] == str(total)
    assert resp.headers["X-Export-Truncated"] == "false"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True), newline="")))
    assert len(rows) == total
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)
    assert rows[0]["url"] == f"http://localhost/turns/{rows[0]['id']}"
    assert client.get(urlsplit(rows[0]["url"]).path).status_code == 200


def test_jsonl_download(client, sample_service):
    resp = client.get("/search.jsonl?speaker=Jen+Psaki&year=2021")
    assert resp.status_code == 200 and resp.mimetype == "application/jsonl"
    lines = resp.get_data(as_text=True).splitlines()
    assert len(lines) == sample_service.search(SearchRequest(speakers=("Jen Psaki",), years=(2021,))).total
    first = json.loads(lines[0])
    expected = serialize.turn_to_dict(sample_service.get_turn(first["id"]))
    assert {k: v for k, v in first.items() if k != "url"} == expected


def test_export_cap_and_limit(sample_settings, sample_service):
    settings = dataclasses.replace(sample_settings, export=dataclasses.replace(sample_settings.export, max_rows=5))
    client = create_app(settings, service=sample_service).test_client()
    resp = client.get("/search.csv?q=china")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True), newline="")))
    assert len(rows) == 1 + 5
    assert resp.headers["X-Export-Rows"] == "5" and resp.headers["X-Export-Truncated"] == "true"
    assert int(resp.headers["X-Total-Count"]) > 5
    assert len(client.get("/search.jsonl?q=china&limit=3").get_data(as_text=True).splitlines()) == 3
    assert client.get("/search.csv?q=china&limit=6").status_code == 400
    assert client.get("/search.csv?q=china&limit=0").status_code == 400


def export_error(resp, openapi_doc, status: int) -> dict:
    """The JSON error body of an export response, checked against the API's Error schema."""
    from jsonschema import Draft202012Validator
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/json", resp.mimetype
    body = resp.get_json()
    schema = dict(openapi_doc["components"]["schemas"]["Error"], components=openapi_doc["components"])
    Draft202012Validator(schema).validate(body)
    return body["error"]


@pytest.mark.parametrize("path", EXPORT_PATHS)
@pytest.mark.parametrize("query, param", [("scope=x", "scope"), ("limit=", "limit"), ("from=2020-02-30", "from"),
                                          ("from=yesterday", "from"), ("q=LONG", "q"), ("limit=0", "limit"),
                                          ("limit=x", "limit")])
def test_export_bad_parameters_are_json_400_naming_them(client, openapi_doc, sample_settings, path, query, param):
    query = query.replace("LONG", "x" * (sample_settings.search.max_query_chars + 1))
    error = export_error(client.get(f"{path}?{query}"), openapi_doc, 400)
    assert error["code"] == "bad_request" and f"'{param}'" in error["message"], error


def test_export_without_an_index_is_json_503(tmp_path, sample_settings, openapi_doc):
    client = create_app(sample_settings.with_index_dir(tmp_path / "no-index")).test_client()
    for path in EXPORT_PATHS:
        assert export_error(client.get(f"{path}?q=china"), openapi_doc, 503)["code"] == "index_missing"
    page = client.get("/?q=china")          # pages keep their HTML errors
    assert page.status_code == 503 and page.mimetype == "text/html"


def test_atom_feed_of_a_search(client, sample_service):
    resp = client.get("/search.atom?q=china&speaker=Zhao+Lijian&sort=oldest&page=3")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    root = ET.fromstring(resp.get_data())
    assert root.tag == A + "feed"
    assert "china" in root.find(A + "title").text and "Zhao Lijian" in root.find(A + "title").text
    links = {link.get("rel"): link.get("href") for link in root.findall(A + "link")}
    assert query_of(links["self"]) == query_of(links["alternate"]) == {"q": ["china"], "speaker": ["Zhao Lijian"]}
    assert urlsplit(links["self"]).path == "/search.atom" and urlsplit(links["alternate"]).path == "/"
    entries = root.findall(A + "entry")
    newest = sample_service.search(SearchRequest(q="china", speakers=("Zhao Lijian",), sort="newest", per_page=50))
    assert [e.find(A + "id").text for e in entries] == [f"http://localhost/turns/{h.id}" for h in newest.hits]
    assert root.find(A + "updated").text.startswith(newest.hits[0].date.isoformat())


def test_search_page_links_its_feed_and_the_feed_of_nothing_is_valid(client):
    root = ET.fromstring(client.get("/search.atom?q=qqxzzyqqx").get_data())
    assert root.findall(A + "entry") == [] and root.find(A + "updated").text


# ---- speaker and outlet pages ------------------------------------------------------------------

def test_speaker_page(client, sample_service):
    name = "Zhao Lijian"
    prof = analytics.profile(sample_service, "speaker", name)
    soup = soup_of(client.get(f"/speakers/{quote(name)}"))
    assert soup.select_one("h1").get_text() == name
    assert f"{prof.turns:,} turns in {prof.conference_count:,} conferences" in soup.select_one(".meta").get_text()
    assert query_of(soup.select_one("a.search-all")["href"]) == {"speaker": [name]}
    assert total_of(client, soup.select_one("a.search-all")["href"]) == prof.turns
    # outlets that question them: each link searches both, with the listed count
    links = soup.select(".counterparts li > a:first-child")
    assert [a.get_text() for a in links] == [v.value for v in prof.counterparts]
    for a, v in zip(links[:5], prof.counterparts):
        assert query_of(a["href"]) == {"speaker": [name], "outlet": [v.value]}
        assert total_of(client, a["href"]) == v.count
    # distinctive words: the written form, searched within the speaker's turns
    words = soup.select(".term-cloud a")
    assert [a.get_text() for a in words] == [t.word for t in prof.terms]
    assert query_of(words[0]["href"]) == {"q": [prof.terms[0].word], "speaker": [name]}
    assert total_of(client, words[0]["href"]) >= prof.terms[0].docs
    # conferences: title to the conference page, count to the search
    rows = soup.select(".conference-table tbody tr")
    assert len(rows) == len(prof.conferences)
    first = prof.conferences[0]
    assert rows[0].select_one("a")["href"] == f"/conferences/{first.id}"
    count_link = rows[0].select("a")[-1]
    assert query_of(count_link["href"]) == {"speaker": [name], "conference": [first.id]}
    assert total_of(client, count_link["href"]) == first.count
    # timeline bars search the speaker's turns in that period
    bars = soup.select("#timeline a.bar-link")
    assert bars and all(query_of(a["href"])["speaker"] == [name] for a in bars)
    assert total_of(client, bars[0]["href"]) == int(bars[0]["data-count"])


def test_outlet_page(client, sample_service):
    prof = analytics.profile(sample_service, "outlet", "AFP")
    soup = soup_of(client.get("/outlets/AFP"))
    assert soup.select_one("h1").get_text() == "AFP" and "Outlet" in soup.select_one(".profile-kind").get_text()
    assert "Officials it questions" in soup.get_text()
    links = soup.select(".counterparts li > a:first-child")
    assert [a.get_text() for a in links] == [v.value for v in prof.counterparts]
    assert query_of(links[0]["href"]) == {"outlet": ["AFP"], "speaker": [prof.counterparts[0].value]}
    assert total_of(client, links[0]["href"]) == prof.counterparts[0].count
    profile_link = soup.select_one(".counterparts a.profile-link")["href"]
    assert profile_link == f"/speakers/{quote(prof.counterparts[0].value)}"
    assert client.get(profile_link).status_code == 200


def test_unknown_names_are_not_found(client):
    for url in ("/speakers/Nobody", "/outlets/Nobody", "/outlets/Zhao%20Lijian"):
        resp = client.get(url)
        assert resp.status_code == 404 and "Not found" in resp.get_data(as_text=True)


def test_planted_names_are_escaped_and_reachable(planted_client):
    soup = soup_of(planted_client.get("/?q=pandas"))
    row = soup.select_one("#matrix tbody th a")
    assert row is not None and PLANTED in row.get_text()
    page = planted_client.get(row["href"])                       # the outlet name has a "/" in it
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PLANTED not in html and "&lt;script&gt;" in html
    assert PLANTED in BeautifulSoup(html, "lxml").select_one("h1").get_text()
    speaker = soup.select_one("#matrix thead th a")["href"]
    html = planted_client.get(speaker).get_data(as_text=True)
    assert PLANTED not in html and planted_client.get(speaker).status_code == 200
    body = planted_client.get("/search.atom?q=pandas").get_data()
    assert b"<script>" not in body and ET.fromstring(body).findall(A + "entry")


# ---- turn page ------------------------------------------------------------------------------

def test_turn_page_lists_similar_questions(client, sample_service):
    page = sample_service.search(SearchRequest(q="china", scope="question", per_page=100))
    for hit in page.hits:
        found = analytics.similar_questions(sample_service, hit.id)
        if found.earlier and found.later or len(found.earlier + found.later) >= 2:
            break
    else:
        pytest.fail("no sample question with similar ones elsewhere")
    soup = soup_of(client.get(f"/turns/{hit.id}"))
    section = soup.select_one("section#similar")
    before = [a["href"] for a in section.select(".similar-before li > a")]
    after = [a["href"] for a in section.select(".similar-after li > a")]
    assert before == [f"/turns/{q.id}" for q in found.earlier] and after == [f"/turns/{q.id}" for q in found.later]
    for href in before + after:
        assert client.get(href).status_code == 200


def test_turn_without_similar_questions_has_no_section(client, sample_service):
    statement = next(h for h in sample_service.search(SearchRequest(q="good afternoon", per_page=50)).hits
                     if not sample_service.get_turn(h.id).question)
    soup = soup_of(client.get(f"/turns/{statement.id}"))
    assert soup.select_one("section#similar") is None
