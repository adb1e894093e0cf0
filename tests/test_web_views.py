"""Tests for searchsvc.web views (HTML pages) with Flask's test client over a real index of the bundled sample."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from searchsvc.models import FACETS, SearchRequest

PLANTED = "<script>alert(1)</script>"
PLANTED_ATTR = '"onmouseover='


def soup_of(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.get_data(as_text=True), "lxml")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def summary_total(soup: BeautifulSoup) -> int:
    strong = soup.select_one("#summary strong")
    return int(strong.get_text().replace(",", "")) if strong else 0


@pytest.fixture(scope="module")
def trade_page(sample_service):
    return sample_service.search(SearchRequest(q="trade"))


# ---- the search page ---------------------------------------------------------------

def test_search_page_shows_ranked_highlighted_results(client, trade_page):
    resp = client.get("/?q=trade")
    assert resp.status_code == 200
    soup = soup_of(resp)
    assert soup.select_one("input#q")["value"] == "trade"
    assert soup.select_one("label[for=q]") is not None
    hits = soup.select("ol.hits > li.hit")
    assert len(hits) == min(10, trade_page.total) > 0
    assert summary_total(soup) == trade_page.total
    assert "ms)" in soup.select_one("#summary").get_text()
    for li, hit in zip(hits, trade_page.hits):
        title = li.select_one(".hit-title a")
        assert title.get_text() == hit.conference_title
        assert title["href"] == f"/turns/{hit.id}"
        assert li.select_one("time")["datetime"] == hit.date.isoformat()
        for name in hit.speakers:
            assert name in li.select_one(".meta").get_text()
    first = hits[0]
    assert first.select("mark"), "matches are highlighted"
    assert all(m.get_text().lower().startswith("trad") for m in soup.select(".hits mark"))


def test_result_shows_outlet_arrow_speaker(client, sample_service):
    page = sample_service.search(SearchRequest(q="trade", per_page=50))
    hit = next(h for h in page.hits if h.outlet and h.speakers)
    soup = soup_of(client.get("/?q=trade&per_page=50"))
    li = next(li for li in soup.select("li.hit") if li.select_one(".hit-title a")["href"] == f"/turns/{hit.id}")
    who = li.select_one(".who").get_text(" ", strip=True)
    assert who.startswith(hit.outlet) and "→" in who and hit.speakers[-1] in who.split("→", 1)[1]


def test_facet_sidebar_lists_counts_as_checkboxes(client, trade_page):
    soup = soup_of(client.get("/?q=trade"))
    for facet in FACETS:
        values = trade_page.facets[facet]
        if not values:
            continue
        boxes = soup.select(f"#facet-{facet} input[type=checkbox][name={facet}]")
        assert [b["value"] for b in boxes] == [v.value for v in values]
        first = soup.select_one(f"label[for={boxes[0]['id']}]")
        assert first.select_one(".count").get_text(strip=True).startswith(f"{values[0].count:,}")
        assert (values[0].label or values[0].value) in first.get_text()


def test_selected_facet_values_are_checked_with_chips(client, sample_service, trade_page):
    speakers = [v.value for v in trade_page.facets["speaker"][:2]]
    year = trade_page.facets["year"][0].value
    expected = sample_service.search(SearchRequest(q="trade", speakers=tuple(speakers), years=(int(year),)))
    url = "/?q=trade&" + "&".join(f"speaker={s.replace(' ', '+')}" for s in speakers) + f"&year={year}"
    soup = soup_of(client.get(url))
    assert summary_total(soup) == expected.total
    checked = {(b["name"], b["value"]) for b in soup.select("#facets input[type=checkbox][checked]")}
    assert checked == {("speaker", speakers[0]), ("speaker", speakers[1]), ("year", year)}
    chips = soup.select("ul.chips a.chip")
    assert len(chips) == 3
    removed = query_of(chips[0]["href"])
    assert removed["q"] == ["trade"] and removed["speaker"] == [speakers[1]] and removed["year"] == [year]
    assert "page" not in removed
    clear = query_of(soup.select_one("a.clear-all")["href"])
    assert clear == {"q": ["trade"]}


def test_conference_chip_shows_title_not_id(client, trade_page):
    conf = trade_page.facets["conference"][0]
    soup = soup_of(client.get(f"/?q=trade&conference={conf.value}"))
    chip = soup.select_one("a.chip")
    assert conf.label in chip.get_text() and conf.value not in chip.get_text()


def test_date_range_sort_and_scope_controls_keep_state(client, sample_service):
    url = "/?q=trade&from=2019-01-01&to=2020-12-31&sort=newest&scope=question"
    soup = soup_of(client.get(url))
    assert soup.select_one("input#from")["value"] == "2019-01-01"
    assert soup.select_one("input#to")["value"] == "2020-12-31"
    assert soup.select_one("select#sort option[selected]")["value"] == "newest"
    assert soup.select_one("select#scope option[selected]")["value"] == "question"
    from datetime import date
    expected = sample_service.search(SearchRequest(q="trade", date_from=date(2019, 1, 1), date_to=date(2020, 12, 31),
                                                   sort="newest", scope="question"))
    assert summary_total(soup) == expected.total
    dates = [t["datetime"] for t in soup.select(".hits time")]
    assert dates == sorted(dates, reverse=True)
    assert all("2019-01-01" <= d <= "2020-12-31" for d in dates)
    chips = [c.get_text(" ", strip=True) for c in soup.select("a.chip")]
    assert any(c.startswith("From:") for c in chips) and any(c.startswith("To:") for c in chips)


def test_pagination_links_keep_the_search(client, sample_service):
    total = sample_service.search(SearchRequest(q="president", per_page=5)).total
    assert total > 15
    soup = soup_of(client.get("/?q=president&per_page=5&scope=answer"))
    nxt = soup.select_one(".pager a[rel=next]")
    assert query_of(nxt["href"]) == {"q": ["president"], "per_page": ["5"], "scope": ["answer"], "page": ["2"]}
    assert soup.select_one(".pager a[aria-current=page]").get_text() == "1"
    soup2 = soup_of(client.get(nxt["href"]))
    assert soup2.select_one(".pager a[aria-current=page]").get_text() == "2"
    assert "page" not in query_of(soup2.select_one(".pager a[rel=prev]")["href"])
    assert soup2.select_one("ol.hits")["start"] == "6"
    # the form keeps a non-default per_page so a new search stays at 5 a page
    assert soup2.select_one("input[type=hidden][name=per_page]")["value"] == "5"


def test_page_links_never_pass_the_depth_limit(sample_settings):
    from searchsvc.search import SearchService
    from searchsvc.web import create_app
    limits = dataclasses.replace(sample_settings.search, max_page_depth=30)
    settings = dataclasses.replace(sample_settings, search=limits)
    service = SearchService(settings)
    try:
        client = create_app(settings, service=service).test_client()
        assert service.search(SearchRequest(per_page=5)).pages > 6
        soup = soup_of(client.get("/?per_page=5"))
        pages = [int(query_of(a["href"]).get("page", ["1"])[0]) for a in soup.select(".pager a")]
        assert max(pages) == 6
        assert client.get("/?per_page=5&page=6").status_code == 200
        past = client.get("/?per_page=5&page=7")     # typed by hand: no hits, and a notice says why
        assert past.status_code == 200 and "the most that can be paged" in past.get_data(as_text=True)
        assert not soup_of(past).select("ol.hits li")
    finally:
        service.close()


def test_did_you_mean_link(client, sample_service):
    page = sample_service.search(SearchRequest(q="tarriffs"))
    assert page.suggestion, "the sample should suggest a correction for a misspelling"
    soup = soup_of(client.get("/?q=tarriffs&scope=answer"))
    link = soup.select_one("a.suggestion-link")
    assert link.get_text() == page.suggestion
    assert query_of(link["href"]) == {"q": [page.suggestion], "scope": ["answer"]}


def test_optional_terms_and_notices_are_shown(client, sample_service):
    page = sample_service.search(SearchRequest(q="trade zebra"))
    assert page.optional_terms and page.notices
    soup = soup_of(client.get("/?q=trade+zebra"))
    text = soup.select_one("#results").get_text(" ", strip=True)
    assert "Not required:" in text
    for term in page.optional_terms:
        assert term in soup.select_one(".optional").get_text()
    for notice in page.notices:
        assert notice in text


def test_empty_state_helps(client):
    soup = soup_of(client.get("/?q=qqxzzyqqx&speaker=Zhao+Lijian&scope=question"))
    empty = soup.select_one(".empty")
    assert "Nothing found" in empty.get_text()
    links = {a.get_text(" ", strip=True): a["href"] for a in empty.select("a")}
    assert query_of(links["Remove all filters"]) == {"q": ["qqxzzyqqx"], "scope": ["question"]}
    assert query_of(links["Search questions and answers"]) == {"q": ["qqxzzyqqx"], "speaker": ["Zhao Lijian"]}
    assert not soup.select("ol.hits")


def test_landing_page_browses_everything(client, sample_service):
    soup = soup_of(client.get("/"))
    assert "Browsing" in soup.select_one("#summary").get_text()
    assert summary_total(soup) == sample_service.stats().turns
    assert soup.select_one("details.syntax-help") is not None
    assert soup.select("#facets input[type=checkbox]")


def test_results_fragment_is_the_swappable_part(client):
    resp = client.get("/results?q=trade")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html
    soup = soup_of(resp)
    assert soup.select_one("#facets") and soup.select_one("section#results")
    assert soup.select_one("#results")["data-title"].startswith("trade")


def test_form_is_a_plain_get_form_with_labelled_controls(client):
    soup = soup_of(client.get("/?q=trade"))
    form = soup.select_one("form#search-form")
    assert form["method"] == "get" and form["action"] == "/"
    names = {el.get("name") for el in form.select("input, select") if el.get("name")}
    assert {"q", "sort", "scope", "from", "to", "speaker", "outlet", "conference", "year"} <= names
    for el in form.select("input:not([type=hidden]), select"):
        assert soup.select_one(f"label[for={el['id']}]") is not None, el


# ---- permalinks and conference pages -----------------------------------------------

def test_turn_permalink_shows_full_turn_neighbours_and_source(client, sample_service, sample_settings, trade_page):
    hit = next(h for h in trade_page.hits if h.source_url)
    turn = sample_service.get_turn(hit.id)
    conf = sample_service.get_conference(turn.conference_id)
    resp = client.get(f"/turns/{hit.id}")
    assert resp.status_code == 200
    soup = soup_of(resp)
    assert soup.select_one("h1").get_text() == turn.conference_title
    body = soup.select_one("article.turn-full").get_text(" ", strip=True)
    for text in (turn.question, turn.answer):
        assert " ".join(text.split())[-80:] in " ".join(body.split())
    assert soup.select_one("a.source-link")["href"] == turn.source_url
    assert soup.select_one("a.source-link")["rel"] == ["external", "noopener", "noreferrer"]
    assert "Ministry of Foreign Affairs" in soup.select_one(".meta").get_text()
    assert str(sample_settings.base_dir) not in resp.get_data(as_text=True), "no server paths on pages"
    pos = [t.id for t in conf.turns].index(turn.id)
    prev_link, next_link = soup.select_one("a.prev-turn"), soup.select_one("a.next-turn")
    if pos > 0:
        assert prev_link["href"] == f"/turns/{conf.turns[pos - 1].id}"
    else:
        assert prev_link is None
    if pos + 1 < len(conf.turns):
        assert next_link["href"] == f"/turns/{conf.turns[pos + 1].id}"
    else:
        assert next_link is None
    conf_links = [a["href"] for a in soup.select("a") if a["href"].startswith("/conferences/")]
    assert f"/conferences/{conf.id}#t-{turn.seq}" in conf_links


def test_first_and_last_turns_have_one_neighbour(client, sample_service, trade_page):
    conf = sample_service.get_conference(trade_page.hits[0].conference_id)
    first = soup_of(client.get(f"/turns/{conf.turns[0].id}"))
    assert first.select_one("a.prev-turn") is None and first.select_one("a.next-turn") is not None
    last = soup_of(client.get(f"/turns/{conf.turns[-1].id}"))
    assert last.select_one("a.next-turn") is None and last.select_one("a.prev-turn") is not None


def test_conference_page_lists_turns_in_order_with_anchors(client, sample_service, trade_page):
    conf = sample_service.get_conference(trade_page.hits[0].conference_id)
    soup = soup_of(client.get(f"/conferences/{conf.id}"))
    items = soup.select("ol.transcript > li")
    assert [li["id"] for li in items] == [f"t-{t.seq}" for t in conf.turns]
    assert [li.select_one("a.permalink")["href"] for li in items] == [f"/turns/{t.id}" for t in conf.turns]
    assert soup.select_one("h1").get_text() == conf.title
    assert query_of(next(a["href"] for a in soup.select("a") if "Search this conference" in a.get_text())) == {
        "conference": [conf.id]}


@pytest.mark.parametrize("url", ["/turns/nope", "/turns/nope-1", "/turns/-", "/conferences/nope", "/nowhere"])
def test_unknown_ids_are_404_pages(client, url):
    resp = client.get(url)
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert soup_of(resp).select_one(".error-page") is not None


# ---- bad input never yields a 500 ----------------------------------------------------

@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-1", "page=99999999999", "per_page=10000", "per_page=0", "per_page=x",
    "from=2020-13-01", "from=yesterday", "to=2020-02-30", "sort=foo", "sort=", "per_page=",
    "scope=everything", "year=twenty", "year=20201", "q=" + "a" * 600, "page=5000&per_page=100", "q=a&q=b",
    "speaker=" + "&speaker=".join(f"s{i}" for i in range(30)),
])
def test_bad_parameters_are_400_pages(client, query):
    resp = client.get("/?" + query)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    message = soup_of(resp).select_one(".error-message").get_text()
    assert message
    frag = client.get("/results?" + query)
    assert frag.status_code == 400 and "error-box" in frag.get_data(as_text=True)


@pytest.mark.parametrize("q", ['"unclosed', "(((", "AND", "OR OR", "NOT", "*", "a*", "speaker:", "::", "-",
                               "\x00", "trade)", "\u200b", "<script>", "%"])
def test_odd_queries_never_500(client, q):
    resp = client.get("/", query_string={"q": q})
    assert resp.status_code in (200, 400)


def test_unknown_parameters_are_ignored(client):
    assert client.get("/?q=trade&utm_source=x").status_code == 200


# ---- headers and assets ----------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/?q=trade", "/nowhere", "/?page=abc", "/static/style.css", "/api/facets"])
def test_security_headers(client, url):
    resp = client.get(url)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]


def test_every_asset_is_served_by_the_app_without_inline_script(client):
    soup = soup_of(client.get("/?q=trade"))
    assets = [s["src"] for s in soup.select("script[src]")] + [link["href"] for link in soup.select("link[href]")]
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert not [s for s in soup.select("script") if not s.get("src")], "no inline scripts (CSP)"
    assert not soup.select("[style]"), "no inline styles (CSP)"
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_request_body_size_is_limited(client):
    resp = client.post("/", data="x" * 100_000, content_type="application/octet-stream")
    assert resp.status_code in (405, 413)


# ---- planted markup is escaped everywhere ------------------------------------------------

def _assert_no_markup_injection(resp) -> BeautifulSoup:
    html = resp.get_data(as_text=True)
    assert PLANTED not in html
    assert "onmouseover=" not in html.replace("&#34;onmouseover=", "").replace("&quot;onmouseover=", "")
    soup = soup_of(resp)
    assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
    assert {s.get("src") for s in soup.select("script")} <= {"/static/search.js", "/static/research.js"}   # no inline
    return soup


def test_planted_markup_is_escaped_on_the_search_page(planted_client, planted_app):
    resp = planted_client.get("/?q=pandas")
    assert resp.status_code == 200
    soup = _assert_no_markup_injection(resp)
    text = soup.get_text(" ")
    assert PLANTED in text and PLANTED_ATTR in text          # shown as text
    hit = next(li for li in soup.select("li.hit") if "News" in li.select_one(".who").get_text())
    assert PLANTED in hit.select_one(".hit-title").get_text()
    who = hit.select_one(".who").get_text()
    assert who.count(PLANTED) == 2 and who.count(PLANTED_ATTR) == 2       # outlet and speaker
    labels = [lab.get_text() for lab in soup.select("#facets label")]
    assert any(PLANTED in lab and "News" in lab for lab in labels)       # outlet facet
    assert any(PLANTED in lab and "Lijian" in lab for lab in labels)     # speaker facet
    assert [m.get_text() for m in hit.select("mark")] and all("panda" in m.get_text().lower()
                                                             for m in hit.select("mark"))


def test_planted_markup_in_filters_chips_and_fragment(planted_client):
    search = soup_of(planted_client.get("/?q=pandas"))
    speaker = next(b["value"] for b in search.select("#facets input[name=speaker]"))
    outlet = next(b["value"] for b in search.select("#facets input[name=outlet]") if PLANTED in b["value"])
    for url in ("/", "/results"):
        resp = planted_client.get(url, query_string={"q": PLANTED, "speaker": speaker, "outlet": outlet})
        assert resp.status_code == 200
        soup = _assert_no_markup_injection(resp)
        chips = " ".join(c.get_text() for c in soup.select("a.chip"))
        assert PLANTED in chips and PLANTED_ATTR in chips
    page = _assert_no_markup_injection(planted_client.get("/", query_string={"q": PLANTED_ATTR + "x"}))
    assert page.select_one("input#q")["value"] == PLANTED_ATTR + "x"


def test_planted_markup_is_escaped_on_turn_and_conference_pages(planted_client):
    search = soup_of(planted_client.get("/?q=report"))
    turn_url = search.select_one(".hit-title a")["href"]
    turn = _assert_no_markup_injection(planted_client.get(turn_url))
    assert PLANTED in turn.select_one("h1").get_text()
    assert PLANTED in turn.select_one("#question-h").get_text()    # the outlet
    assert PLANTED in turn.select_one("#answer-h").get_text()      # the speaker
    assert "<b>friendly</b>" in turn.select_one(".answer").get_text()
    # the source URL is javascript: and must not become a link
    assert turn.select_one("a.source-link") is None
    assert not [a for a in turn.select("a[href]") if a["href"].lower().startswith("javascript")]
    conf_url = next(a["href"] for a in turn.select("a") if a["href"].startswith("/conferences/"))
    conf = _assert_no_markup_injection(planted_client.get(conf_url.split("#")[0]))
    assert PLANTED in conf.select_one("h1").get_text()
    assert PLANTED in conf.select_one(".officials").get_text()
    assert conf.select_one("a.source-link") is None
