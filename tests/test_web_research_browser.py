"""Browser tests of the research pages (trends chart, concordance, citation box) in headless Chromium (Playwright)
against real gunicorn on 127.0.0.1. Screenshots go to test-artifacts/research/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from support.browser import is_loopback

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "research"


@pytest.fixture
def page_of(browser, live_server):
    """page_of(javascript=True) -> a page on the live server; requests to other hosts are refused locally."""
    contexts = []

    def make(javascript: bool = True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript,
                                      viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_trends_chart_draws_a_line_per_query_with_a_legend_and_point_links(page_of, live_server):
    page = page_of()
    page.goto('/trends?q=vaccine&q=trade&q="one+China"&interval=quarter')
    _, api = live_server.get_json('/api/trends?q=vaccine&q=trade&q="one+China"&interval=quarter')
    assert page.locator("#trend-chart path.trend-line").count() == 3
    legend = page.locator(".legend li")
    assert legend.count() == 3
    for k, series in enumerate(api["series"]):
        assert series["q"] in legend.nth(k).inner_text()
        assert f"{series['total']:,}" in legend.nth(k).inner_text()
        drawn = page.locator(f"#trend-chart g.series:nth-of-type({k + 1}) a.point-link").count()
        assert drawn == sum(1 for p in series["points"] if p["count"])
    shot(page, "trends")
    first = page.locator("#trend-chart a.point-link").first
    label = first.get_attribute("aria-label")
    first.dispatch_event("click")
    page.wait_for_url("**/?*")
    args = parse_qs(urlsplit(page.url).query)
    assert args["q"] == ["vaccine"] and "from" in args and "to" in args
    assert label.split(": ")[1] in {p["period"] for p in api["series"][0]["points"]}
    assert not page.problems


def test_trends_toggle_switches_to_per_1000_and_csv_downloads(page_of):
    page = page_of(javascript=False)
    page.goto("/trends?q=vaccine&q=trade")
    assert page.locator("#trend-chart").get_attribute("data-measure") == "count"
    page.get_by_role("link", name="per 1,000 turns").click()
    assert page.locator("#trend-chart").get_attribute("data-measure") == "per_1000"
    assert "per 1,000" in page.locator("#trends-h").inner_text()
    shot(page, "trends-per-1000")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("period,start,end,turns,vaccine (count)")


def test_concordance_page_lists_occurrences_and_sorts(page_of, live_server):
    page = page_of(javascript=False)
    page.goto('/concordance?q="one+China"')
    _, api = live_server.get_json('/api/concordance?q="one+China"&per_page=500')
    rows = page.locator("#kwic tbody tr")
    assert rows.count() == min(50, api["total_lines"])
    assert all(m.lower().replace("-", " ") == "one china" for m in page.locator("#kwic td.match").all_inner_texts())
    shot(page, "concordance")
    page.get_by_role("link", name="word after").click()
    rights = page.locator("#kwic td.right").all_inner_texts()
    after = [(re.findall(r"\w+", t.casefold()) or ["\uffff"])[0] for t in rights]
    assert after == sorted(after)


def test_turn_page_citation_is_selectable_and_the_copy_button_copies_it(browser, page_of, live_server):
    _, found = live_server.get_json("/api/search?q=vaccine&per_page=1")
    turn_id = found["hits"][0]["id"]
    _, cited = live_server.get_json(f"/api/turns/{turn_id}/cite")
    plain = page_of(javascript=False)
    plain.goto(f"/turns/{turn_id}")
    assert plain.locator("#cite-text").inner_text().strip() == cited["text"]
    assert not plain.locator(".copy-button").first.is_visible()      # no script: no button, the text is there
    page = page_of()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"/turns/{turn_id}")
    page.locator("#cite").scroll_into_view_if_needed()
    button = page.get_by_role("button", name="Copy reference")
    button.click()
    # a locator assertion polls from Playwright's own script world: a string predicate (wait_for_function) is
    # evaluated in the page, where the site's CSP (no 'unsafe-eval') refuses it once it has to poll
    expect(page.locator(".copy-status")).to_have_text(re.compile(r"\S"))
    assert page.evaluate("navigator.clipboard.readText()") == cited["text"]
    shot(page, "turn-cite")
    assert not page.problems
