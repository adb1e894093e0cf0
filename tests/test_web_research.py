"""Tests for searchsvc.web.research with the Flask test client: /api/trends, /api/concordance, /api/turns/<id>/cite
(validated against the OpenAPI document), the CSV downloads, the pages and the turn page's citation box."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

QUERIES = ["vaccine", '"one China"', "trade tariffs"]


def test_trends_series_add_up_to_search_totals_with_filters(client, api_get):
    filters = "&from=2019-01-01&to=2023-12-31&scope=answer"
    url = "/api/trends?" + "&".join(f"q={quote(q)}" for q in QUERIES) + filters + "&interval=month"
    data = api_get(client, url).get_json()
    assert list(data) == ["interval", "series"] and data["interval"] == "month"
    assert [s["q"] for s in data["series"]] == QUERIES
    periods = [p["period"] for p in data["series"][0]["points"]]
    for s in data["series"]:
        total = client.get(f"/api/search?q={quote(s['q'])}{filters}").get_json()["total"]
        assert s["total"] == total == sum(p["count"] for p in s["points"])
        assert [p["period"] for p in s["points"]] == periods
    assert periods[0] >= "2019-01" and periods[-1] <= "2023-12"


def test_trends_points_link_to_the_search_for_their_period(client):
    html = client.get("/trends?q=vaccine&interval=year").get_data(as_text=True)
    assert 'class="point-link" href="/?q=vaccine&amp;from=' in html


@pytest.mark.parametrize("query, message", [
    ("q=a&q=b&q=c&q=d&q=e&q=f&q=g", "at most 6"), ("q=china&interval=decade", "interval"),
    ("q=china&from=2020-13-01", "from"), ("q=china&year=20", "year"),
])
def test_trends_bad_parameters_are_400(client, api_get, query, message):
    body = api_get(client, "/api/trends?" + query, 400).get_json()
    assert message in body["error"]["message"]


def test_trends_csv(client):
    resp = client.get("/trends.csv?q=vaccine&q=trade&interval=year")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="trends-vaccine-trade.csv"' in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    api = client.get("/api/trends?q=vaccine&q=trade&interval=year").get_json()
    assert [r[0] for r in rows[1:]] == [p["period"] for p in api["series"][0]["points"]]
    assert [int(r[4]) for r in rows[1:]] == [p["count"] for p in api["series"][0]["points"]]
    assert client.get("/trends.csv").get_json()["error"]["code"] == "bad_request"


def test_trends_page_without_and_with_queries(client):
    empty = client.get("/trends")
    assert empty.status_code == 200 and "<h1>Trends</h1>" in empty.get_data(as_text=True)
    page = client.get("/trends?q=vaccine&q=%22one+China%22&measure=per_1000").get_data(as_text=True)
    assert page.count('class="trend-line"') == 2 and 'data-measure="per_1000"' in page
    assert "&#34;one China&#34;" in page or "&quot;one China&quot;" in page
    assert client.get("/trends?q=x&measure=weird").status_code == 400


def test_concordance_api_matches_search_and_pages(client, api_get):
    total = client.get('/api/search?q="one China"').get_json()["total"]
    data = api_get(client, '/api/concordance?q="one+China"&width=4&per_page=5&sort=right').get_json()
    assert data["total_turns"] == total and data["total_lines"] >= total
    assert len(data["lines"]) == min(5, data["total_lines"]) and data["width"] == 4 and data["sort"] == "right"
    assert list(data["lines"][0]) == ["turn_id", "date", "who", "side", "left", "match", "right"]
    second = api_get(client, '/api/concordance?q="one+China"&width=4&per_page=5&sort=right&page=2').get_json()
    assert second["lines"] != data["lines"]


@pytest.mark.parametrize("query, message", [
    ("q=china&width=99", "width"), ("q=china&sort=relevance", "sort"),
    ('q="unclosed', None), ("q=china&per_page=0", "per_page"),
])
def test_concordance_bad_parameters(client, api_get, query, message):
    resp = client.get("/api/concordance?" + query)
    if message is None:                     # odd syntax is searched as words, never a 500
        assert resp.status_code == 200
        return
    assert api_get(client, "/api/concordance?" + query, 400).get_json()["error"]["message"].count(message)


def test_concordance_csv_and_page(client):
    resp = client.get('/concordance.csv?q="one+China"&sort=left')
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    api = client.get('/api/concordance?q="one+China"&sort=left&per_page=500').get_json()
    assert rows[0] == ["turn_id", "date", "who", "side", "left", "match", "right"]
    assert [r[5] for r in rows[1:]] == [ln["match"] for ln in api["lines"]]
    page = client.get('/concordance?q="one+China"').get_data(as_text=True)
    assert f"{api['total_lines']} occurrences" in page and page.count("<mark>") == min(50, api["total_lines"])
    assert client.get("/concordance").status_code == 200


def test_cite_formats(client, api_get):
    turn_id = client.get("/api/search?q=vaccine&per_page=1").get_json()["hits"][0]["id"]
    data = api_get(client, f"/api/turns/{turn_id}/cite").get_json()
    permalink = f"http://localhost/turns/{turn_id}"
    assert permalink in data["text"] and data["csl"]["URL"] == permalink and permalink in data["bibtex"]
    text = client.get(f"/api/turns/{turn_id}/cite?format=text")
    assert text.mimetype == "text/plain" and text.get_data(as_text=True) == data["text"] + "\n"
    bib = client.get(f"/api/turns/{turn_id}/cite?format=bibtex")
    assert bib.mimetype == "application/x-bibtex" and bib.get_data(as_text=True) == data["bibtex"]
    csl = client.get(f"/api/turns/{turn_id}/cite?format=csl")
    assert csl.mimetype == "application/vnd.citationstyles.csl+json" and json.loads(csl.data) == [data["csl"]]
    api_get(client, f"/api/turns/{turn_id}/cite?format=ris", 400)
    api_get(client, "/api/turns/no-such-turn-1/cite", 404)


def test_turn_page_shows_the_citation(client):
    turn_id = client.get("/api/search?q=vaccine&per_page=1").get_json()["hits"][0]["id"]
    data = client.get(f"/api/turns/{turn_id}/cite").get_json()
    page = client.get(f"/turns/{turn_id}").get_data(as_text=True)
    assert 'id="cite-text"' in page and "Cite this turn" in page
    from html import escape
    assert escape(data["text"]) in page or escape(data["text"], quote=False) in page


@pytest.mark.parametrize("path, empty", [
    ("/api/concordance", {"total_turns": 0, "total_lines": 0, "lines": []}),
    ("/api/trends", {"series": []}),
])
def test_research_api_without_a_query_answers_an_empty_result(client, path, empty):
    resp = client.get(path)
    assert resp.status_code == 200 and empty.items() <= resp.get_json().items()
