"""Accessibility of every page type in headless Chromium against real gunicorn on 127.0.0.1: zero axe-core
violations (wcag2a, wcag2aa, wcag21aa, best-practice), the search landmark, the live result count while typing,
the `/` key, and a visible focus indicator on everything the keyboard reaches.

axe-core comes from npm (scripts/test.sh installs the pinned version into tests/.node) and is evaluated in the
page from that file: nothing is fetched from the network. Figures and screenshots go to test-artifacts/a11y/.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from support.browser import is_loopback, require

from searchsvc.models import SearchRequest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "a11y"
MAX_TABS = 80


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        require(f"axe-core not found at {AXE} (scripts/test.sh installs it with npm)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert not errors


def page_paths(service, web_app) -> dict[str, str]:
    """One URL of each page type of the site (trends and concordance when the app has them)."""
    hit = next(h for h in service.search(SearchRequest(q="trade", per_page=50)).hits if h.outlet and h.speakers)
    deflected = service.search(SearchRequest(answers=("deflection",))).hits
    paths = {
        "home": "/", "search": "/?q=trade",
        "search-filtered": f"/?q=trade&outlet={quote(hit.outlet)}&answer=substantive",
        "turn": f"/turns/{hit.id}", "conference": f"/conferences/{hit.conference_id}",
        "speaker": f"/speakers/{quote(hit.speakers[0])}", "outlet": f"/outlets/{quote(hit.outlet)}",
        "error-404": "/turns/no-such-turn-1", "error-400": "/?q=trade&per_page=100000",
    }
    if deflected:
        paths["turn-deflection"] = f"/turns/{deflected[0].id}"
    rules = {r.rule for r in web_app.url_map.iter_rules()}
    if "/trends" in rules:
        paths["trends"] = "/trends?q=trade&q=tariffs"
    if "/concordance" in rules:
        paths["concordance"] = "/concordance?q=trade"
    return paths


def axe_violations(tab, axe_source: str) -> list[dict]:
    tab.evaluate(axe_source)          # CDP evaluation: not an inline <script>, so the page's CSP stays as it is
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
             "first": v["nodes"][0]["target"], "summary": v["nodes"][0].get("failureSummary", "")[:300]}
            for v in result["violations"]]


def record(name: str, violations: list[dict]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")


@pytest.mark.parametrize("kind", ["home", "search", "search-filtered", "turn", "turn-deflection", "conference",
                                  "speaker", "outlet", "error-404", "error-400", "trends", "concordance"])
def test_no_axe_violations(page, axe_source, sample_service, web_app, kind):
    paths = page_paths(sample_service, web_app)
    if kind not in paths:
        pytest.skip(f"no {kind} page in this app")
    page.goto(paths[kind])
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, axe_source)
    record(kind, violations)
    page.screenshot(path=str(ARTIFACTS / f"{kind}.png"), full_page=False)
    assert violations == [], json.dumps(violations, indent=1)


def test_no_axe_violations_on_a_narrow_screen_and_after_live_updates(browser, live_server, axe_source):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.goto("/")
        assert axe_violations(tab, axe_source) == []
        tab.locator("#q").press_sequentially("tariffs", delay=30)
        tab.wait_for_url("**/?q=tariffs")
        tab.locator("#results:not([aria-busy=true])").wait_for()
        violations = axe_violations(tab, axe_source)
        record("narrow-live", violations)
        tab.screenshot(path=str(ARTIFACTS / "narrow-live.png"), full_page=False)
        assert violations == []
    finally:
        context.close()


def test_search_form_is_a_search_landmark_and_the_count_is_announced(page, sample_service):
    page.goto("/")
    assert page.locator("form#search-form[role=search]").count() == 1
    assert page.locator("h1").count() == 1
    live = page.locator("#live-status")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    page.locator("#q").press_sequentially("tariffs", delay=30)
    total = sample_service.search(SearchRequest(q="tariffs")).total
    expect(live).to_contain_text(f"{total:,}")   # polled by Playwright, not by a string evaluated under the CSP
    assert "result" in live.inner_text()
    page.goto("/turns/no-such-turn-1")
    assert page.locator("form.mini-search[role=search]").count() == 1


def test_slash_focuses_the_search_box_unless_typing(page, sample_service):
    page.goto("/?q=trade")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("#q").input_value() == "trade"       # the key is not typed into the box
    page.locator("#from").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "from"     # typing in a field: left alone
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("a/b")
    assert page.locator("#q").input_value() == "a/b"
    hit = sample_service.search(SearchRequest(q="trade")).hits[0]
    page.goto(f"/turns/{hit.id}")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "mini-q"


FOCUS_STYLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return {name: name, visible: outline || (s.boxShadow && s.boxShadow !== 'none'), key: e.outerHTML.slice(0, 200)};
}"""


@pytest.mark.parametrize("kind", ["home", "search", "turn", "conference", "speaker", "error-404"])
def test_focus_is_visible_on_everything_the_keyboard_reaches(page, sample_service, web_app, kind):
    page.goto(page_paths(sample_service, web_app)[kind])
    seen, hidden = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STYLE)
        if state is None:
            continue
        if seen and state["key"] == seen[0]:
            break                                     # went round the page
        seen.append(state["key"])
        if not state["visible"]:
            hidden.append(state["name"])
    assert len(seen) >= 5, seen
    assert hidden == [], hidden
