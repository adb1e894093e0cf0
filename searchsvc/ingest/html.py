"""Ingest stage: the HTML container: a page of any template to a Document (title, date, address, text blocks).

The transcript is the element whose own paragraphs (`<p>`, `<div>`s without block children, text between `<br>`s)
hold the most text outside links; every block of it is kept, in order, with its source line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import lxml.etree
import lxml.html

from ..errors import TranscriptError
from .common import all_dates, clean, find_date, find_month_day, nearest_year
from .dates import date_in_name, find_any_date
from .document import Block, Document
from .publishers import publisher_of

_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 tr table blockquote ul ol section article br hr dd dt".split())
_SKIP_TAGS = frozenset("script style noscript head title nav footer header form button select aside".split())
_PARA_TAGS = frozenset("p div li blockquote dd td pre".split())
_INLINE_TAGS = frozenset("a span b strong em i u font sup sub small big label time abbr cite q mark code".split())
_META_DATES = ("article:published_time", "og:published_time", "published_time", "date", "dc.date", "dcterms.date",
               "pubdate", "publishdate", "publication_date", "datepublished", "dc.date.issued", "sailthru.date",
               "parsely-pub-date", "firstpublishedtime", "publishedtime", "maketime")
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,40}$")


def looks_like_html(text: str) -> bool:
    head = text[:5000].lower()
    if re.search(r"<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]", head):
        return True
    blocks = len(re.findall(r"<(?:p|div|br)[\s/>]", text, re.I))
    return blocks >= 2 and len(re.findall(r"</(?:p|div)>", text, re.I)) >= 1


Element = Any                 # an lxml.html element (lxml ships no type information)
_LABEL_START = re.compile(r"^\s*(?:Q\b|[A-Z][\w.'’ \-]{0,40}[:：])")
_LABEL_BONUS = 200            # a paragraph opening with a speaker label weighs as much as this many characters


def _own_text(el: Element) -> int:
    """Characters of text an element holds in its own paragraphs (not in links, not in nested blocks); paragraphs
    that open with a speaker label count extra, so that the transcript wins over a list of other pages."""
    n = len((el.text or "").strip())
    for child in el:
        if not isinstance(child.tag, str):
            n += len((child.tail or "").strip())
            continue
        tag = child.tag.lower()
        if tag in _PARA_TAGS and not any(isinstance(g.tag, str) and g.tag.lower() in _PARA_TAGS
                                         for g in child.iterdescendants()):
            text = child.text_content()
            n += len(text.strip()) - sum(len(a.text_content().strip()) for a in child.iter("a"))
            n += _LABEL_BONUS if _LABEL_START.match(text) else 0
        elif tag not in _PARA_TAGS and tag not in ("a", "script", "style"):
            n += len(child.text_content().strip()) if tag in ("b", "strong", "span", "em", "i", "font") else 0
        n += len((child.tail or "").strip())
    return n


def find_content(doc: Element) -> Element:
    """The element holding the transcript: the most own paragraph text; ties go to the outer element."""
    best, best_n = None, 0
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in _SKIP_TAGS or el.tag.lower() in _INLINE_TAGS:
            continue
        if any(isinstance(a.tag, str) and a.tag.lower() in ("nav", "footer", "header", "aside")
               for a in el.iterancestors()):
            continue
        n = _own_text(el)
        if n > best_n:
            best, best_n = el, n
    if best is None:
        best = doc.find("body")
    return best if best is not None else doc


def _title(doc: Element) -> tuple[str, str]:
    """(title, site name) from a heading marked as the title, the only <h1>, or <title> less its ' | Site' suffix."""
    for el in doc.iter("h1", "h2"):
        if "title" in str(el.get("class") or "").lower():
            title = clean(el.text_content())
            if title:
                return title, ""
    h1 = [clean(el.text_content()) for el in doc.iter("h1") if clean(el.text_content())]
    found = doc.find(".//title")
    page_title = clean(found.text_content()) if found is not None else ""
    if len(h1) == 1 and (not page_title or h1[0] in page_title or not page_title.startswith(h1[0][:20])):
        return h1[0], ""
    m = _SITE_SUFFIX.search(page_title)
    if m and len(page_title) - len(m.group(0)) > 15:
        return page_title[: m.start()], m.group(0).strip(" |–—-")
    return page_title or (h1[0] if h1 else ""), ""


def _meta_date(doc: Element) -> tuple[date | None, str]:
    for el in doc.iter("meta"):
        key = str(el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key in _META_DATES:
            found = find_any_date(str(el.get("content") or ""))
            if found:
                return found, f"<meta {key}>"
    for el in doc.iter("time"):
        found = find_any_date(str(el.get("datetime") or "")) or find_any_date(clean(el.text_content()))
        if found:
            return found, "<time>"
    return None, ""


def _page_dates(html: str) -> list[date]:
    """Every date a page writes, including dates in image file names (yyyymmdd)."""
    found = all_dates(html)
    for m in re.finditer(r"[/_\-W0]((?:19|20)\d\d)(\d\d)(\d\d)\d*\.(?:jpg|jpeg|png|gif)", html, re.I):
        try:
            found.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            pass
    return found


def pick_date(path: str, title: str, meta: tuple[date | None, str], blocks: list[Block],
              html: str) -> tuple[date | None, str]:
    """The title's date; else meta tags or <time>; else a date line at the top; else the title's month and day in
    the year of the page's dates; else the file name; else the latest date the page shows."""
    found = find_any_date(title)
    if found:
        return found, "title"
    if meta[0]:
        return meta
    for block in blocks[:6]:
        if len(block.text) < 80 and find_date(block.text):
            return find_date(block.text), "a date line at the top"
    others = _page_dates(html)
    md = find_month_day(title)
    if md and others:
        return nearest_year(md[0], md[1], max(others)), "title (year from the page)"
    named = date_in_name(path)
    if named:
        return named, "file name"
    if others:
        return max(others), "latest date on the page"
    return None, ""




_HIDDEN_STRINGS = frozenset(("rt", "rp", "template", "style", "script"))   # BeautifulSoup: other string classes


def _walk_start(root: Element) -> Element:
    """The element the walk starts at: the first element inside the body when root is the page or its body (as the
    BeautifulSoup reader found it in root's markup), else root itself."""
    body = root if root.tag == "body" else root.find("body") if root.tag == "html" else None
    if body is None:
        return root
    return next((child for child in body if isinstance(child.tag, str)), body)


def _lxml_line(el: Element, default: int) -> int:
    """The source line of an element, else its own data-srcline attribute (as the BeautifulSoup reader read it)."""
    if el.sourceline:
        return int(el.sourceline)
    value = el.get("data-srcline")
    return int(value) if isinstance(value, str) and value.isdigit() else default


def lxml_blocks(root: Element, line_of: Callable[[int], int] | None = None) -> list[Block]:
    """Text blocks in document order: split at block elements and <br>; inline pieces joined without added spaces.

    Walks the lxml tree itself (an element's text, then each child and its tail): the blocks the reader made before
    by writing the content element out and parsing it again with BeautifulSoup (tests/support/html_reference.py,
    compared on every page of the test data and both shared corpora), at a quarter of the CPU time."""
    out: list[Block] = []
    parts: list[str] = []
    state: dict[str, Any] = {"bold": None, "line": 0}

    def flush() -> None:
        text = clean("".join(parts))
        if text:
            line = state["line"] if line_of is None else line_of(state["line"])
            out.append(Block(text, line, True, True, bool(state["bold"])))
        parts.clear()
        state["bold"] = None

    def add(s: str, bold: bool, line: int) -> None:
        if s.strip() and state["bold"] is None:
            state["bold"], state["line"] = bold, line
        parts.append(s)

    def walk(node: Element, bold: bool, line: int, hidden: bool) -> None:
        if node.text and not hidden:
            add(node.text, bold, line)
        for child in node:
            name = child.tag
            if isinstance(name, str) and name not in _SKIP_TAGS:
                cline = _lxml_line(child, line)
                block = name in _BLOCK_TAGS
                if block:
                    flush()
                style = child.get("style")
                cbold = bold or name in ("b", "strong") or bool(
                    re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style if isinstance(style, str) else "", re.I))
                walk(child, cbold, cline, hidden or name in _HIDDEN_STRINGS)
                if block:
                    flush()
            if child.tail and not hidden:
                add(child.tail, bold, line)
    start = _walk_start(root)
    walk(start, False, _lxml_line(start, 1), start.tag in _HIDDEN_STRINGS)
    flush()
    return out


def read_html(path: str, text: str, encoding: str, url: str = "", container: str = "html",
              line_of: Callable[[int], int] | None = None) -> Document:
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise TranscriptError(path, f"cannot parse HTML: {exc}") from None
    title, site = _title(doc)
    blocks = lxml_blocks(find_content(doc), line_of)
    if not blocks:
        raise TranscriptError(path, "no transcript text found in the page")
    if blocks[0].text == title:
        blocks = blocks[1:]
    day, where = pick_date(path, title, _meta_date(doc), blocks, text)
    canonical = next((str(el.get("href")) for el in doc.iter("link") if "canonical" in str(el.get("rel") or "")
                      and el.get("href")), "")
    og = next((str(el.get("content")) for el in doc.iter("meta") if el.get("property") == "og:url"), "")
    source_url = url or canonical or og
    return Document(path=path, container=container, encoding=encoding, title=title, date=day, date_from=where,
                    source_url=source_url, publisher=publisher_of(source_url, title, site),
                    blocks=tuple(blocks))
