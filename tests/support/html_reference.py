"""Test support: the HTML reader's block walk as it was before ingest/html.lxml_blocks (the content element written
out, parsed again by BeautifulSoup and walked): the reference lxml_blocks is compared with."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lxml.html
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from searchsvc.ingest.common import clean
from searchsvc.ingest.document import Block
from searchsvc.ingest.html import _BLOCK_TAGS, _SKIP_TAGS

Element = Any


def soup_blocks(root: Element, line_of: Callable[[int], int] | None = None) -> list[Block]:
    """html_blocks(_soup(root)) of the reader before (it marks root's elements with data-srcline)."""
    return html_blocks(_soup(root), line_of)


def _soup(root: Element) -> Tag:
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline:
            el.set("data-srcline", str(el.sourceline))
    html = lxml.html.tostring(root, encoding="unicode", with_tail=False)
    soup = BeautifulSoup(html, "lxml")
    body = soup.body or soup
    return next((c for c in body.children if isinstance(c, Tag)), body)


def _line(tag: Tag, default: int) -> int:
    value = tag.get("data-srcline")
    return int(value) if isinstance(value, str) and value.isdigit() else default


def html_blocks(root: Tag, line_of: Callable[[int], int] | None = None) -> list[Block]:
    """Text blocks in document order: split at block elements and <br>; inline pieces joined without added spaces."""
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

    def walk(node: Tag, bold: bool, line: int) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if type(child) is not NavigableString:
                    continue
                s = str(child)
                if s.strip() and state["bold"] is None:
                    state["bold"], state["line"] = bold, line
                parts.append(s)
                continue
            if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
                continue
            cline = _line(child, line)
            block = child.name in _BLOCK_TAGS
            if block:
                flush()
            style = child.get("style")
            cbold = bold or child.name in ("b", "strong") or bool(
                re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style if isinstance(style, str) else "", re.I))
            walk(child, cbold, cline)
            if block:
                flush()
    walk(root, False, _line(root, 1))
    flush()
    return out
