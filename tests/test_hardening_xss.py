"""Hardening of the web edge against planted markup (web views/api and every other page of the app) and of
its headers and request limits: a transcript whose title, speaker, outlet, question, answer or source URL
holds <script>, "onmouseover=, <img onerror>, <svg onload> or a javascript: URL is shown escaped on every
page a crawler reaches from the search page (results, facets, chips, permalinks, conference pages, and
any page added later), in the API's HTML fields, with a CSP that forbids inline scripts on every answer."""

from __future__ import annotations

import json
import socket
from collections import deque
from datetime import date
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hardening_support import PAYLOADS, RAW_MARKERS, Tally, header_problems, html_problems, json_problems

from searchsvc.ingest import parse_paths
from searchsvc.models import KIND_QA, KIND_STATEMENT, Conference, Turn

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
WEB_DATA = ROOT / "tests" / "data" / "web"
SCRIPT, ATTR, IMG, SVG, JS_URL = PAYLOADS


def planted_conferences() -> list[Conference]:
    """Every text field of a conference and its turns carries a payload (the readers are bypassed)."""
    return [Conference(
        id="2022-05-05-planted-cccc3333", title=f"Briefing {SCRIPT} on {ATTR} pandas {IMG}",
        date=date(2022, 5, 5), source_url=JS_URL, source_file="planted/conf.md", source_format="whitehouse",
        officials=(f"Jen {SVG} Psaki", f"Mr {ATTR}"),
        turns=[
            Turn(0, KIND_STATEMENT, "", "", (f"Jen {SVG} Psaki",), f"Opening {SCRIPT} remarks about pandas {IMG}.", 3),
            Turn(1, KIND_QA, f"Daily {SCRIPT} News", f"Question on pandas {ATTR} and {JS_URL}?",
                 (f"Jen {SVG} Psaki", f"Mr {ATTR}"), f"Answer about pandas {SVG} {SCRIPT} <b>bold</b>.", 7),
            Turn(2, KIND_QA, f"{IMG} Times", f"Follow-up on pandas {SVG}?", (f"Mr {ATTR}",),
                 f"Pandas {ATTR} again {JS_URL}.", 11),
        ],
    )]


def planted_files(folder) -> None:
    """The same payloads in files the real readers parse (White House Markdown, SCIO text)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2021-03-03-planted.md").write_text(
        "---\n"
        f"title: {json.dumps('Press Briefing by Press Secretary Jen Psaki ' + SCRIPT + ', March 3, 2021')}\n"
        "date: '2021-03-03'\n"
        f"source_url: {json.dumps(JS_URL)}\n"
        "---\n\n"
        f"MS. PSAKI:  Good afternoon. Pandas {SCRIPT} and {ATTR} today.\n\n"
        f"Q  What about pandas {IMG} and bamboo?\n\n"
        f"MS. PSAKI:  Bamboo {SVG} grows {JS_URL} quickly.\n", encoding="utf-8")
    (folder / "2023-11-06-planted-page-1.txt").write_text(
        "ㄑ Press Room ㄑ Press Conference Transcripts\n\n"
        f"SCIO press conference on pandas {SCRIPT} {ATTR}\n\n"
        "China.org.cn | November 6, 2023\n\n"
        f"Daily {SCRIPT} {ATTR} News:\n\n"
        f"What is the panda population {IMG}? Thank you.\n\n"
        f"Qiu {SCRIPT} Baoli:\n\n"
        f"Pandas are growing {SVG} in number {JS_URL}. Thank you.\n\n"
        "<  1  >\n", encoding="utf-8")


@pytest.fixture(scope="module")
def planted(tmp_path_factory, sample_settings):
    """(settings, app, conferences) over an index of planted conferences, planted files and tests/data/web."""
    from searchsvc.index.build import rebuild_from_conferences
    from searchsvc.web import EXTENSION, create_app

    base = tmp_path_factory.mktemp("xss")
    planted_files(base / "files")
    parsed = parse_paths([base / "files", WEB_DATA])
    assert not parsed.problems, parsed.problems
    conferences = parsed.conferences + planted_conferences()
    settings = sample_settings.with_index_dir(base / "index")
    rebuild_from_conferences(settings, conferences)
    app = create_app(settings)
    yield settings, app, conferences
    app.extensions[EXTENSION].close()


def test_the_readers_keep_the_payloads(planted):
    """The planted files really carry markup into titles, outlets, speakers, texts and URLs (else the crawl
    below would prove nothing)."""
    _, _, conferences = planted
    read = [c for c in conferences if c.source_file != "planted/conf.md"]
    fields = {
        "title": [c.title for c in read], "source_url": [c.source_url for c in read],
        "outlet": [t.outlet for c in read for t in c.turns],
        "speaker": [s for c in read for t in c.turns for s in t.speakers],
        "question": [t.question for c in read for t in c.turns], "answer": [t.answer for c in read for t in c.turns],
    }
    for name, values in fields.items():
        assert any("<script>" in v or "onmouseover" in v or "javascript:" in v or "<svg" in v or "<img" in v
                   for v in values), f"no payload reached the {name} field: {values[:3]}"


def _seeds(app, conferences) -> list[str]:
    plain = sorted(r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.arguments and r.endpoint != "static")
    conf = conferences[-1]
    queries = ["pandas", "alert", "script", "onmouseover", SCRIPT, ATTR, JS_URL, "pandas -bamboo", '"pandas are"']
    seeds = []
    for route in plain:
        seeds.append(route)
        seeds += [f"{route}?q={quote(q)}" for q in queries]
        seeds.append(f"{route}?q=pandas&speaker={quote(conf.turns[1].speakers[0])}&outlet={quote(conf.turns[1].outlet)}"
                     f"&conference={quote(conf.id)}")
    for turn in conf.turns:
        seeds += [f"/turns/{quote(conf.id)}-{turn.seq}", f"/api/turns/{quote(conf.id)}-{turn.seq}"]
    seeds += [f"/conferences/{quote(conf.id)}", f"/api/conferences/{quote(conf.id)}", "/nowhere/" + quote(SCRIPT)]
    return seeds


def crawl(app, seeds: list[str], max_pages: int, tally: Tally) -> list[str]:
    """Visit the seeds and every same-site link found on them (breadth first, at most max_pages); every
    problem with planted markup or headers, as text."""
    from bs4 import BeautifulSoup

    client = app.test_client()
    queue, seen, problems = deque(seeds), set(seeds), []
    while queue and tally["pages"] < max_pages:
        url = queue.popleft()
        resp = client.get(url)
        tally.add("pages")
        if resp.status_code >= 500:
            tally.add("5xx", sample=url)
            problems.append(f"{url}: HTTP {resp.status_code}")
        bad_headers = header_problems(resp.headers, url)
        tally.add("header_problems", len(bad_headers))
        problems += bad_headers
        body = resp.get_data(as_text=True)
        kind = resp.mimetype or ""
        found = []
        if kind == "text/html":
            found = html_problems(body, url)
            for el in BeautifulSoup(body, "lxml").find_all(href=True):
                link = urljoin(url, el["href"])
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or parts.path.startswith("/static/"):
                    continue
                link = parts.path + ("?" + parts.query if parts.query else "")
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
        elif kind == "application/json":
            found = json_problems(resp.get_json(), url)
        elif "xml" in kind:
            found = [f"{url}: raw {m!r} in {kind}" for m in RAW_MARKERS if m in body]
        tally.add("unescaped", len(found))
        problems += found
        tally.add("escaped_payloads", body.count("&lt;script&gt;alert(1)&lt;/script&gt;"))
    return problems


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_planted_markup_is_escaped_on_every_reachable_page(planted, large):
    _, app, conferences = planted
    tally = Tally("xss.crawl")
    problems = []
    try:
        problems = crawl(app, _seeds(app, conferences), 3000 if large else 150, tally)
    finally:
        tally.record(large=large, problems=problems[:20])
    assert tally["pages"] >= 60
    assert tally["escaped_payloads"] > 0, "the payload was never shown at all (so never checked)"
    assert not problems, "\n".join(problems[:20])


def test_javascript_source_url_is_never_a_link(planted):
    _, app, conferences = planted
    client = app.test_client()
    conf = conferences[-1]
    for url in (f"/conferences/{conf.id}", f"/turns/{conf.id}-1"):
        body = client.get(url).get_data(as_text=True)
        assert "Original transcript" not in body and 'href="javascript' not in body.lower()
    # The API hands the URL back as data (JSON is not HTML; clients must not link it blindly).
    assert client.get(f"/api/conferences/{conf.id}").get_json()["source_url"] == JS_URL


# ---- headers and request limits on the real server --------------------------------------------------

def _raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def test_request_size_limits_on_gunicorn(live_server):
    port = live_server.port
    status, _ = _raw_request(port, b"GET /api/search?q=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status in (400, 414)                      # request line over gunicorn's limit_request_line
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(100))
    status, _ = _raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status in (400, 431)                      # more header fields than limit_request_fields
    status, _ = _raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n")
    assert status in (400, 431)                      # one header over limit_request_field_size
    body = b"x" * 200_000
    status, data = _raw_request(port, b"POST /api/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                      b"Content-Type: application/octet-stream\r\n"
                                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert status in (405, 413)                      # GET-only routes; bodies over MAX_CONTENT_LENGTH refused
    status, data = _raw_request(port, b"GET /api/search?q=" + b"a" * 600 + b" HTTP/1.1\r\nHost: x\r\n"
                                      b"Connection: close\r\n\r\n")
    assert status == 400 and b"longer than" in data  # within the request line limit, over max_query_chars
    status, data = _raw_request(port, b"GET /api/search?q=%ff%fe%00%zz HTTP/1.1\r\nHost: x\r\n"
                                      b"Connection: close\r\n\r\n")
    assert status in (200, 400)
    assert live_server.get("/healthz")[0] == 200     # the server is still fine


@pytest.mark.parametrize("path", ["/", "/?q=trade", "/results?q=trade", "/api/search?q=trade", "/healthz",
                                  "/static/search.js", "/nowhere", "/?page=abc", "/api/turns/nope"])
def test_security_headers_on_gunicorn(live_server, path):
    status, headers, _ = live_server.get(path)
    assert status < 500
    assert not header_problems(headers, path), header_problems(headers, path)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
