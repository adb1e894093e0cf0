"""Ingest stage: reader for China MFA spokesperson press-conference HTML pages (lxml + bs4)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..errors import TranscriptError
from ..models import Conference, make_conference_id
from .common import TurnBuilder, all_dates, clean, find_date, find_month_day, nearest_year, surname_key
from .labels import is_follow_up, is_questioner_word, looks_like_label, looks_like_person
from .titles import title_roles

FORMAT = "mfa"
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 tr table blockquote ul ol section article br hr".split())
_SKIP_TAGS = frozenset("script style noscript head title".split())
_CONTAINER = re.compile(r"content|article|text|editor|body", re.I)
_SPOKES = re.compile(r"Spokes(?:person|man|woman|persons)\s+(.+?)(?:'s|’s|'|’)?\s+(?:Regular|Daily|Remarks|Press|"
                     r"Answers?|Comments?|Statement|Q&A|Briefing|on\b)", re.I)
# label: text before the first colon; a colon followed by a digit is a time ("24:00"), not a label
_LABEL = re.compile(r"^\s*([^:：]{1,60}?)\s*[:：](?!\d)\s*")


@dataclass
class Block:
    text: str
    bold: bool          # the block's first words are bold
    line: int


def looks_like_mfa(text: str) -> bool:
    head = text[:5000].lower()
    if re.search(r"<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]", head):
        return True
    return len(re.findall(r"<p[\s>]", text, re.I)) >= 2 and len(re.findall(r"</p>", text, re.I)) >= 2


def _container(doc) -> lxml.html.HtmlElement:
    """The element holding the transcript: a 'content'-like container with the most paragraphs."""
    best, best_n = None, 0
    for el in doc.iter("div", "td", "article", "section"):
        if _CONTAINER.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            n = sum(1 for _ in el.iter("p"))
            # more paragraphs wins; with as many, the inner element (less page furniture) wins
            if n > best_n or (n == best_n and best is not None and any(a is best for a in el.iterancestors())):
                best, best_n = el, n
    if best is None:
        best = doc.find("body")
        if best is None:
            best = doc
    return best


def _container_soup(doc) -> Tag:
    """The container as a bs4 tree (lxml builder), each element marked with its source line."""
    root = _container(doc)
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline:
            el.set("data-srcline", str(el.sourceline))
    html = lxml.html.tostring(root, encoding="unicode", with_tail=False)
    soup = BeautifulSoup(html, "lxml")
    body = soup.body or soup
    return next((c for c in body.children if isinstance(c, Tag)), body)


def _blocks(root: Tag) -> list[Block]:
    """Text blocks in document order: split at block elements; inline pieces joined without added spaces."""
    out: list[Block] = []
    parts: list[str] = []
    state: dict[str, bool | int | None] = {"bold": None, "line": 0}

    def flush() -> None:
        text = clean("".join(parts))
        if text:
            out.append(Block(text, bool(state["bold"]), int(state["line"] or 0)))
        parts.clear()
        state["bold"] = None

    def walk(node: Tag, bold: bool, line: int) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if type(child) is not NavigableString:
                    continue                        # CData, doctype, processing instructions
                s = str(child)
                if s.strip() and state["bold"] is None:
                    state["bold"] = bold
                    state["line"] = line
                parts.append(s)
                continue
            if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
                continue
            cline = int(str(child.get("data-srcline") or line))
            block = child.name in _BLOCK_TAGS
            if block:
                flush()
            cbold = bold or child.name in ("b", "strong") or bool(
                re.search(r"font-weight\s*:\s*(bold|[6-9]00)", str(child.get("style") or ""), re.I))
            walk(child, cbold, cline)
            if block:
                flush()
    walk(root, False, int(str(root.get("data-srcline") or 1)))
    flush()
    return out


def read_urls(folder: Path) -> dict[str, str]:
    """file name -> source URL from the folder's pages.tsv (empty if there is none or it is unreadable)."""
    tsv = folder / "pages.tsv"
    try:
        with tsv.open(encoding="utf-8", newline="") as fh:
            return {row["file"]: row.get("url") or "" for row in csv.DictReader(fh, delimiter="\t")
                    if row.get("file")}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error):
        return {}


def _spokespeople(title: str) -> list[str]:
    m = _SPOKES.search(title)
    if not m:
        return []
    names = re.split(r"\s*(?:,|\band\b|&)\s*", m.group(1))
    return [clean(n) for n in names if looks_like_person(clean(n)) or len(clean(n).split()) == 2]


def _conference_date(path: str, title: str, html: str) -> date:
    """The title's date; else the title's month and day in the year of the page's other dates; else the latest
    date the page shows (its list of other briefings). Images named W0<yyyymmdd>... count as dates too."""
    day = find_date(title)
    if day:
        return day
    others = all_dates(html)
    for m in re.finditer(r"W0(20\d\d)(\d\d)(\d\d)\d", html):
        try:
            others.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            pass
    md = find_month_day(title)
    near = nearest_year(md[0], md[1], max(others)) if md and others else None
    if near:
        return near
    if others:
        return max(others)
    raise TranscriptError(path, "no date in the title or the page")


def _title(doc) -> str:
    for el in doc.iter("h1", "h2"):
        if "title" in (el.get("class") or "").lower():
            title = clean(el.text_content())
            if title:
                return title
    found = doc.find(".//title")
    return clean(found.text_content()) if found is not None else ""


def _unlabelled(builder: TurnBuilder, block: Block, question_bold: bool, main: str) -> None:
    """A paragraph without a label continues the turn above; after a bold question, plain text is the answer."""
    if builder.part == "question" and question_bold and not block.bold:
        builder.answer(main, block.text, block.line)
    else:
        builder.text(block.text, block.line)


def parse(path: str, text: str, urls: dict[str, str] | None = None) -> list[Conference]:
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8"),
                                            parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise TranscriptError(path, f"cannot parse HTML: {exc}") from None
    title = _title(doc)
    if not title:
        raise TranscriptError(path, "no title")
    body = _container_soup(doc)
    blocks = _blocks(body)
    if not blocks:
        raise TranscriptError(path, "no transcript text found in the page")
    day = _conference_date(path, title, text)
    spokes = _spokespeople(title)
    main = spokes[0] if spokes else ""
    answerers = {surname_key(s): s for s in spokes}
    # names that label non-bold paragraphs and look like people also answer (a second spokesperson)
    for b in blocks:
        m = _LABEL.match(b.text)
        if m and not b.bold and looks_like_person(m.group(1)) and looks_like_label(m.group(1)):
            answerers.setdefault(surname_key(m.group(1)), clean(m.group(1)))

    builder = TurnBuilder(default_speaker=main)
    q_bold = False
    for b in blocks:
        if builder.part != "question":
            q_bold = False
        m = _LABEL.match(b.text)
        label = m.group(1).strip() if m else ""
        rest = b.text[m.end():] if m else b.text
        key = surname_key(label)
        if not m or not label:
            _unlabelled(builder, b, q_bold, main)
        elif label.upper() == "A":
            builder.answer(main, rest, b.line)
        elif key in answerers:
            builder.answer(answerers[key], rest, b.line)
        elif is_follow_up(label):
            builder.question(None, rest, b.line)
        elif label.upper() == "Q" or (is_questioner_word(label) and looks_like_label(label)):
            if any(w[:1].islower() for w in label.split()[1:]):
                # a descriptive label ("Journalist clarifies", "Question raised after the press
                # conference"): the same or an unnamed questioner; the words are kept with the question
                builder.question(None if re.search(r"journalist|reporter|correspondent", label, re.I) else "",
                                 b.text, b.line)
            else:
                builder.question("", rest, b.line)
        elif looks_like_label(label) and (b.bold or not looks_like_person(label)):
            builder.question(label, rest, b.line)
        else:
            _unlabelled(builder, b, q_bold, main)
        if builder.part == "question" and m and label:
            q_bold = b.bold
    officials = list(dict.fromkeys([*builder.speakers(), *spokes]))
    url = (urls or {}).get(Path(path).name, "")
    return [Conference(id=make_conference_id(FORMAT, day, title), title=title, date=day, source_url=url,
                       source_file=path, source_format=FORMAT, officials=tuple(officials), turns=builder.turns(),
                       roles=tuple(title_roles(title, spokes)))]
