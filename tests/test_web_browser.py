"""End-to-end tests of the search site in headless Chromium (Playwright) against real gunicorn on 127.0.0.1,
with JavaScript (live updates, history) and without it (plain GET form). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support.browser import is_loopback

from searchsvc.models import SearchRequest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
PLANTED = "<script>alert(1)</script>"


class Session:
    """A browser context on the live server that never leaves the machine: other hosts are answered locally."""

    def __init__(self, browser, base_url: str, javascript: bool, viewport=(1280, 900)):
        self.context = browser.new_context(base_url=base_url, java_script_enabled=javascript,
                                           viewport={"width": viewport[0], "height": viewport[1]})
        self.intercepted: list[str] = []
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(m.text))
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            self.intercepted.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<title>intercepted</title><p>off-machine</p>")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shot(self, name: str, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def js(browser, live_server):
    session = Session(browser, live_server.url, javascript=True)
    yield session
    session.context.close()
    assert not session.problems, f"console errors (CSP?): {session.problems}"
    assert not session.dialogs


@pytest.fixture
def nojs(browser, live_server):
    session = Session(browser, live_server.url, javascript=False)
    yield session
    session.context.close()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def expect_total(page, total: int) -> None:
    from playwright.sync_api import expect
    expect(page.locator("#results[aria-busy=true]")).to_have_count(0)
    if total:
        expect(page.locator("#summary strong")).to_have_text(f"{total:,}")
    else:
        expect(page.locator("#summary")).to_contain_text("No results")


def facet_values(page, facet: str) -> list[str]:
    return page.locator(f"#facet-{facet} input[type=checkbox]").evaluate_all("els => els.map(e => e.value)")


def checked(page) -> set[tuple[str, str]]:
    return {tuple(x) for x in page.locator("#facets input[type=checkbox]:checked").evaluate_all(
        "els => els.map(e => [e.name, e.value])")}


def tick(page, facet: str, value: str) -> None:
    page.locator(f"#facet-{facet} input[type=checkbox][value='{value}']").check()


# ---- with JavaScript -------------------------------------------------------------------------

def test_js_results_update_as_you_type(js, sample_service):
    page = js.page
    page.goto("/")
    page.locator("#q").press_sequentially("trade", delay=40)
    page.wait_for_url(re.compile(r"\?q=trade$"))
    expect_total(page, sample_service.search(SearchRequest(q="trade")).total)
    marks = page.locator(".hits mark").all_inner_texts()
    assert marks and all(m.lower().startswith("trad") for m in marks)
    assert page.title().startswith("trade")
    assert "results" in page.locator("#live-status").inner_text()
    js.shot("js-01-typed-query")
    # typing made one history entry: back returns to the start page
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))
    expect_total(page, sample_service.stats().turns)
    assert page.locator("#q").input_value() == ""


def test_js_facets_update_counts_url_and_history(js, sample_service):
    page = js.page
    page.goto("/?q=trade")
    s1, s2 = facet_values(page, "speaker")[:2]
    states = [SearchRequest(q="trade"), SearchRequest(q="trade", speakers=(s1,)),
              SearchRequest(q="trade", speakers=(s1, s2))]

    tick(page, "speaker", s1)
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1])
    expect_total(page, sample_service.search(states[1]).total)
    tick(page, "speaker", s2)
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1, s2])
    expect_total(page, sample_service.search(states[2]).total)
    year = facet_values(page, "year")[0]
    states.append(SearchRequest(q="trade", speakers=(s1, s2), years=(int(year),)))
    tick(page, "year", year)
    page.wait_for_url(lambda url: params(url).get("year") == [year])
    final = sample_service.search(states[3])
    expect_total(page, final.total)
    assert checked(page) == {("speaker", s1), ("speaker", s2), ("year", year)}
    # the sidebar shows the service's counts for this state
    shown = page.locator("#facet-outlet .count").all_inner_texts()
    assert [int(c.split()[0].replace(",", "")) for c in shown] == [v.count for v in final.facets["outlet"]][:len(shown)]
    assert len(page.locator("ul.chips a.chip").all()) == 3
    js.shot("js-02-three-filters")

    page.go_back()
    page.wait_for_url(lambda url: "year" not in params(url) and params(url).get("speaker") == [s1, s2])
    expect_total(page, sample_service.search(states[2]).total)
    assert checked(page) == {("speaker", s1), ("speaker", s2)}
    page.go_back()
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1])
    expect_total(page, sample_service.search(states[1]).total)
    page.go_forward()
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1, s2] and "year" not in params(url))
    expect_total(page, sample_service.search(states[2]).total)
    assert checked(page) == {("speaker", s1), ("speaker", s2)}


def test_js_chips_sort_and_dates(js, sample_service):
    page = js.page
    speaker = sample_service.search(SearchRequest(q="trade")).facets["speaker"][0].value
    page.goto(f"/?q=trade&speaker={speaker.replace(' ', '+')}")
    page.locator("#sort").select_option("oldest")
    page.wait_for_url(lambda url: params(url).get("sort") == ["oldest"])
    expect_total(page, sample_service.search(SearchRequest(q="trade", speakers=(speaker,), sort="oldest")).total)
    dates = page.locator(".hits time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates)
    page.locator("#from").fill("2019-01-01")
    page.wait_for_url(lambda url: params(url).get("from") == ["2019-01-01"])
    from datetime import date
    expect_total(page, sample_service.search(SearchRequest(q="trade", speakers=(speaker,), sort="oldest",
                                                           date_from=date(2019, 1, 1))).total)
    page.locator("a.chip", has_text=speaker).click()
    page.wait_for_url(lambda url: "speaker" not in params(url) and params(url).get("sort") == ["oldest"])
    expect_total(page, sample_service.search(SearchRequest(q="trade", sort="oldest",
                                                           date_from=date(2019, 1, 1))).total)
    assert page.locator("#sort").input_value() == "oldest"


def test_js_keyboard_use_keeps_focus(js, sample_service):
    page = js.page
    page.goto("/?q=trade")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    box = page.locator("#facet-speaker input[type=checkbox]").first
    value = box.get_attribute("value")
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: params(url).get("speaker") == [value])
    expect_total(page, sample_service.search(SearchRequest(q="trade", speakers=(value,))).total)
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == ["speaker", value]
    # every visible control has a label
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
        .filter(e => e.offsetParent !== null && e.labels.length === 0).map(e => e.outerHTML)""")
    assert unlabelled == []


def test_js_pagination_and_did_you_mean(js, sample_service):
    page = js.page
    page.goto("/?q=tarriffs")
    suggestion = sample_service.search(SearchRequest(q="tarriffs")).suggestion
    page.locator("a.suggestion-link").click()
    page.wait_for_url(lambda url: params(url).get("q") == [suggestion])
    assert page.locator("#q").input_value() == suggestion
    expect_total(page, sample_service.search(SearchRequest(q=suggestion)).total)
    page.goto("/?q=president")
    page.locator(".pager a[rel=next]").click()
    page.wait_for_url(lambda url: params(url).get("page") == ["2"])
    expect_total(page, sample_service.search(SearchRequest(q="president", page=2)).total)
    assert page.locator(".pager a[aria-current=page]").inner_text() == "2"


def test_js_permalink_and_source_link(js, sample_service):
    page = js.page
    page.goto("/?q=trade")
    first = page.locator(".hit-title a").first
    turn_id = first.get_attribute("href").rsplit("/", 1)[1]
    first.click()
    page.wait_for_url(f"**/turns/{turn_id}")
    turn = sample_service.get_turn(turn_id)
    assert page.locator("h1").inner_text() == turn.conference_title
    assert turn.question.split()[0] in page.locator("article.turn-full").inner_text()
    link = page.locator("a.source-link")
    assert turn.source_url.startswith("https://") and link.get_attribute("href") == turn.source_url
    js.shot("js-03-permalink")
    # neighbours and the conference page
    conf = sample_service.get_conference(turn.conference_id)
    pos = [t.id for t in conf.turns].index(turn_id)
    if pos + 1 < len(conf.turns):
        page.locator("a.next-turn").click()
        page.wait_for_url(f"**/turns/{conf.turns[pos + 1].id}")
        page.go_back()
        page.wait_for_url(f"**/turns/{turn_id}")
    page.get_by_role("link", name="Whole conference").click()
    page.wait_for_url(f"**/conferences/{conf.id}#t-{turn.seq}")
    assert page.locator(f"li#t-{turn.seq}").is_visible()
    js.shot("js-04-conference")
    page.go_back()
    # following the source link goes to source_url (answered locally: nothing leaves the machine)
    page.locator("a.source-link").click()
    page.wait_for_url(turn.source_url)
    assert js.intercepted[-1] == turn.source_url


def test_js_phone_width_has_no_sideways_scroll(browser, live_server):
    session = Session(browser, live_server.url, javascript=True, viewport=(390, 844))
    try:
        page = session.page
        for url in ("/?q=trade&speaker=Zhao+Lijian", "/turns/" + "x"):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
        page.goto("/?q=trade")
        # on a phone, filter groups start closed so results are near the top
        assert page.locator("details.facet[open]").count() == 0
        assert page.locator("ol.hits").bounding_box()["y"] < 1500
        session.shot("js-05-phone", full_page=False)
        page.goto(page.locator(".hit-title a").first.get_attribute("href"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        session.shot("js-06-phone-permalink", full_page=False)
    finally:
        session.context.close()


# ---- without JavaScript ------------------------------------------------------------------------

def test_nojs_search_facets_history_and_pages(nojs, sample_service):
    page = nojs.page
    page.goto("/")
    page.locator("#q").fill("trade")
    page.locator("#q").press("Enter")
    page.wait_for_url(lambda url: params(url).get("q") == ["trade"])
    trade = sample_service.search(SearchRequest(q="trade"))
    expect_total(page, trade.total)
    assert page.locator(".hits mark").count() > 0
    nojs.shot("nojs-01-query")

    s1, s2 = facet_values(page, "speaker")[:2]
    # a year that still has results with both speakers (counts on the page change only after submitting)
    year = next(v.value for v in sample_service.search(SearchRequest(q="trade", speakers=(s1, s2))).facets["year"]
                if v.count)
    tick(page, "speaker", s1)
    tick(page, "speaker", s2)
    tick(page, "year", year)
    assert page.url.endswith("q=trade") or params(page.url).get("speaker") is None   # nothing happens yet
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1, s2] and params(url).get("year") == [year])
    filtered = SearchRequest(q="trade", speakers=(s1, s2), years=(int(year),))
    assert sample_service.search(filtered).total > 0
    expect_total(page, sample_service.search(filtered).total)
    assert checked(page) == {("speaker", s1), ("speaker", s2), ("year", year)}
    nojs.shot("nojs-02-filters")

    page.go_back()
    page.wait_for_url(lambda url: "speaker" not in params(url))
    expect_total(page, trade.total)
    page.go_forward()
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1, s2])
    expect_total(page, sample_service.search(filtered).total)

    page.locator("a.chip", has_text=s2).click()
    page.wait_for_url(lambda url: params(url).get("speaker") == [s1] and params(url).get("year") == [year])
    expect_total(page, sample_service.search(SearchRequest(q="trade", speakers=(s1,), years=(int(year),))).total)

    page.goto("/?q=president")
    page.locator(".pager a[rel=next]").click()
    page.wait_for_url(lambda url: params(url).get("page") == ["2"])
    assert page.locator(".pager a[aria-current=page]").inner_text() == "2"
    assert page.locator(".apply").is_visible()


def test_nojs_permalink_and_source_link(nojs, sample_service):
    page = nojs.page
    page.goto("/?q=trade")
    first = page.locator(".hit-title a").first
    turn_id = first.get_attribute("href").rsplit("/", 1)[1]
    first.click()
    page.wait_for_url(f"**/turns/{turn_id}")
    turn = sample_service.get_turn(turn_id)
    assert page.locator("a.source-link").get_attribute("href") == turn.source_url
    nojs.shot("nojs-03-permalink")
    page.locator("a.source-link").click()
    page.wait_for_url(turn.source_url)
    assert nojs.intercepted == [turn.source_url]


# ---- planted markup never runs -------------------------------------------------------------------

def test_planted_markup_never_runs(browser, start_server, planted_settings):
    server = start_server(planted_settings.index.dir, workers=1)
    session = Session(browser, server.url, javascript=True)
    try:
        page = session.page
        page.goto("/?q=pandas")
        from playwright.sync_api import expect
        expect(page.locator("li.hit").first).to_be_visible()
        assert PLANTED in page.locator("#results").inner_text()
        page.locator("#facet-speaker input[type=checkbox]").first.check()
        page.wait_for_url(lambda url: "speaker" in params(url))
        expect(page.locator("#results[aria-busy=true]")).to_have_count(0)
        assert PLANTED in page.locator("a.chip").first.inner_text()
        session.shot("js-07-planted-escaped")
        page.locator(".hit-title a").first.click()
        page.wait_for_url("**/turns/**")
        assert PLANTED in page.locator("h1").inner_text()
        assert page.locator("a.source-link").count() == 0        # javascript: URL is not linked
        page.get_by_role("link", name="Whole conference").click()
        page.wait_for_url("**/conferences/**")
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
        assert session.dialogs == [] and session.problems == []
    finally:
        session.context.close()
