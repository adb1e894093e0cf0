"""Browser tests of the insights (headless Chromium via Playwright, real gunicorn on 127.0.0.1): a click on a
matrix cell or a timeline bar filters the search (with JavaScript: in place, without: as a plain link), and the
speaker page leads into search. Screenshots go to test-artifacts/insights/."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from support import CORPUS
from test_web_browser import Session, expect_total, params

from searchsvc.models import SearchRequest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "insights"


def shot(session: Session, name: str, selector: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if selector:
        session.page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))
    else:
        session.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def js(browser, live_server):  # noqa: F811
    session = Session(browser, live_server.url, javascript=True)
    yield session
    session.context.close()
    assert not session.problems, f"console errors (CSP?): {session.problems}"


@pytest.fixture
def nojs(browser, live_server):  # noqa: F811
    session = Session(browser, live_server.url, javascript=False)
    yield session
    session.context.close()


def mark_page(page) -> None:
    """Set a flag a full page load would wipe: it survives only if the script swapped the results in place."""
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


def test_js_click_on_matrix_cell_filters_by_outlet_and_speaker(js, sample_service):
    page = js.page
    page.goto("/?q=china")
    shot(js, "sample-matrix", "#insight-matrix")
    cell = page.locator("#matrix td a").first
    outlet, speaker, count = (cell.get_attribute(a) for a in ("data-outlet", "data-speaker", "data-count"))
    mark_page(page)
    cell.click()
    page.wait_for_url(lambda url: params(url).get("outlet") == [outlet] and params(url).get("speaker") == [speaker])
    req = SearchRequest(q="china", outlets=(outlet,), speakers=(speaker,))
    assert sample_service.search(req).total == int(count)
    expect_total(page, int(count))
    assert stayed(page), "the script should swap the results in, not reload the page"
    assert page.locator("#facets input[name=outlet]:checked").evaluate_all("els => els.map(e => e.value)") == [outlet]
    assert page.locator("#matrix td a").count() == 1       # the matrix now shows just that pair
    page.go_back()
    page.wait_for_url(lambda url: "outlet" not in params(url) and params(url).get("q") == ["china"])
    expect_total(page, sample_service.search(SearchRequest(q="china")).total)


def test_js_click_on_timeline_bar_sets_the_dates(js, sample_service):
    page = js.page
    page.goto("/?q=china")
    shot(js, "sample-timeline", "#insight-timeline")
    bars = page.locator("#timeline a.bar-link")
    bar = bars.nth(bars.count() // 2)
    start, end, count = (bar.get_attribute(a) for a in ("data-from", "data-to", "data-count"))
    mark_page(page)
    bar.click()
    page.wait_for_url(lambda url: params(url).get("from") == [start] and params(url).get("to") == [end])
    from datetime import date
    req = SearchRequest(q="china", date_from=date.fromisoformat(start), date_to=date.fromisoformat(end))
    assert sample_service.search(req).total == int(count)
    expect_total(page, int(count))
    assert stayed(page)
    assert page.locator("#from").input_value() == start and page.locator("#to").input_value() == end
    assert page.locator("a.chip", has_text=start).count() == 1
    shot(js, "sample-after-bar-click")


def test_nojs_matrix_and_timeline_are_plain_links(nojs, sample_service):
    page = nojs.page
    page.goto("/?q=china")
    cell = page.locator("#matrix td a").first
    outlet, speaker, count = (cell.get_attribute(a) for a in ("data-outlet", "data-speaker", "data-count"))
    cell.click()
    page.wait_for_url(lambda url: params(url).get("outlet") == [outlet] and params(url).get("speaker") == [speaker])
    expect_total(page, int(count))
    page.goto("/?q=china")
    bar = page.locator("#timeline a.bar-link").first
    start, count = bar.get_attribute("data-from"), bar.get_attribute("data-count")
    bar.click()
    page.wait_for_url(lambda url: params(url).get("from") == [start])
    expect_total(page, int(count))
    assert page.locator("#from").input_value() == start


def test_speaker_page_leads_into_search(js, sample_service):
    page = js.page
    page.goto("/?q=china")
    page.locator("#matrix thead th a").first.click()
    page.wait_for_url("**/speakers/**")
    name = page.locator("h1").inner_text()
    shot(js, "sample-speaker")
    word = page.locator(".term-cloud a").first
    text = word.inner_text()
    word.click()
    page.wait_for_url(lambda url: params(url).get("q") == [text] and params(url).get("speaker") == [name])
    expect_total(page, sample_service.search(SearchRequest(q=text, speakers=(name,))).total)
    page.goto("/outlets/AFP")
    assert page.locator("h1").inner_text() == "AFP"
    shot(js, "sample-outlet")
    page.locator(".counterparts li > a").first.click()
    page.wait_for_url(lambda url: params(url).get("outlet") == ["AFP"] and "speaker" in params(url))


def test_phone_width_matrix_scrolls_inside_its_box(browser, live_server):  # noqa: F811
    session = Session(browser, live_server.url, javascript=True, viewport=(390, 844))
    try:
        page = session.page
        for url in ("/?q=china", "/speakers/Zhao%20Lijian", "/outlets/AFP"):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
        page.goto("/?q=china")
        shot(session, "sample-phone")
    finally:
        session.context.close()


# ---- the whole shared corpus (slow: needs a full index) -------------------------------------------

@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    """An index of the whole shared corpus: $SEARCHSVC_CORPUS_INDEX if set (an index dir), else built here."""
    given = os.environ.get("SEARCHSVC_CORPUS_INDEX")
    if given:
        return Path(given)
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    from support import base_settings

    from searchsvc.index.build import rebuild_index
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("corpus-index"))
    rebuild_index(settings, [CORPUS])
    return settings.index.dir


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_screenshots(browser, start_server, corpus_index):  # noqa: F811
    server = start_server(corpus_index, workers=1)
    session = Session(browser, server.url, javascript=True)
    try:
        page = session.page
        page.goto("/?q=taiwan")
        shot(session, "corpus-results")
        shot(session, "corpus-timeline", "#insight-timeline")
        shot(session, "corpus-matrix", "#insight-matrix")
        cell = page.locator("#matrix td a").first
        count = int(cell.get_attribute("data-count"))
        cell.click()
        page.wait_for_url(lambda url: "outlet" in params(url) and "speaker" in params(url))
        expect_total(page, count)
        page.goto("/?q=vaccine")
        bar = page.locator("#timeline a.bar-link").first
        count = int(bar.get_attribute("data-count"))
        bar.click()
        page.wait_for_url(lambda url: "from" in params(url))
        expect_total(page, count)
        for name, url in (("corpus-speaker", "/speakers/" + quote("Zhao Lijian")),
                          ("corpus-speaker-whitehouse", "/speakers/" + quote("Jen Psaki")),
                          ("corpus-outlet", "/outlets/Reuters")):
            page.goto(url)
            assert page.locator(".term-cloud a").count() > 5
            shot(session, name)
        page.goto("/?q=taiwan+arms+sales&scope=question")
        page.locator(".hit-title a").first.click()
        page.wait_for_url("**/turns/**")
        shot(session, "corpus-turn-similar")
    finally:
        session.context.close()
