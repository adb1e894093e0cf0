"""Ingest stage: reader for SCIO (China.org.cn) plain-text press-conference pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import TranscriptError
from ..models import Conference, make_conference_id
from .common import TurnBuilder, clean, find_date, surname_key
from .labels import (
    has_outlet_word,
    is_follow_up,
    is_questioner_word,
    looks_like_label,
    looks_like_person,
    strip_honorific,
)
from .titles import item_role

FORMAT = "scio"
_PAGER = re.compile(r"^[<‹«]?\s*(?:\d+\s+)*\d+\s*[>›»]?$")
_LABEL_LINE = re.compile(r"^(.{1,80}?)\s*[:：]$")
_SOURCE_LINE = re.compile(r"^\s*(?:china\.org\.cn|[\w.\- ]{1,40})\s*\|\s*(.+)$", re.I)
_INLINE_BLOCK = re.compile(r"^(\w+)\s*[:：]\s*(\S.*)$")
_PAGE_NO = re.compile(r"page[\s_\-]*(\d+)", re.I)
# Header blocks of a first page ("Speakers:" then one item a line).
_BLOCKS = {"speakers": "speakers", "speaker": "speakers", "guests": "speakers", "chairperson": "chair",
           "chair": "chair", "host": "chair", "moderator": "chair", "date": "date", "time": "skip",
           "venue": "skip", "location": "skip", "place": "skip"}
_MODERATOR_WORDS = frozenset("host moderator chairperson chair presenter".split())


@dataclass
class ScioPage:
    """One page file: its header facts and the body lines (number, text) after the date line."""
    path: str
    title: str
    date: date
    page: int
    lines: list[tuple[int, str]] = field(default_factory=list)


def looks_like_scio(text: str) -> bool:
    head = text[:3000]
    return "ㄑ" in head or bool(re.search(r"^\s*china\.org\.cn\s*\|", head, re.I | re.M)) or bool(
        re.search(r"^\s*<\s+1(\s+\d+)*\s+>\s*$", text, re.M))


def read_page(path: str, text: str) -> ScioPage:
    lines = text.split("\n")
    idx = [(i + 1, ln) for i, ln in enumerate(lines)]
    body = [(n, ln) for n, ln in idx if ln.strip()]
    if not body:
        raise TranscriptError(path, "empty file")
    pos = 0
    if "ㄑ" in body[0][1]:                              # breadcrumb
        pos = 1
    if pos >= len(body):
        raise TranscriptError(path, "no title after the breadcrumb", body[0][0])
    title_line, title = body[pos][0], clean(body[pos][1])
    pos += 1
    day = None
    # the 'China.org.cn | <date>' line, within the next few lines
    for j in range(pos, min(pos + 3, len(body))):
        m = _SOURCE_LINE.match(body[j][1])
        if m and find_date(m.group(1)):
            day = find_date(m.group(1))
            pos = j + 1
            break
    rest = body[pos:]
    if day is None:
        day = find_date(title)
    if day is None:                                     # a 'Date:' block
        for k, (n, ln) in enumerate(rest[:-1]):
            if re.fullmatch(r"\s*date\s*[:：]\s*", ln, re.I) and find_date(rest[k + 1][1]):
                day = find_date(rest[k + 1][1])
                break
    if day is None:
        raise TranscriptError(path, "no date (expected a 'China.org.cn | <date>' line)", title_line)
    m = _PAGE_NO.search(Path(path).stem)
    page = int(m.group(1)) if m else 1
    kept = [(n, ln) for n, ln in idx[title_line:] if not _PAGER.match(ln.strip()) or not re.search(r"[<>‹›«»]", ln)]
    # drop everything up to and including the date line
    first_body = rest[0][0] if rest else len(lines) + 1
    kept = [(n, ln) for n, ln in kept if n >= first_body]
    return ScioPage(path=path, title=title, date=day, page=page, lines=kept)


def _item_name(item: str) -> str:
    """'Mr. Qiu Baoli, director general of ...' -> 'Qiu Baoli'."""
    name = re.split(r"[,，;(（]", item, maxsplit=1)[0]
    return clean(strip_honorific(clean(name)))


def build_conference(pages: list[ScioPage]) -> Conference:
    """One conference from its pages (already in page order)."""
    first = pages[0]
    lines = [item for page in pages for item in page.lines]
    officials: list[str] = []
    chairs: list[str] = []
    known: dict[str, str] = {}          # name key -> name
    roles: dict[str, str] = {}          # name -> job title from the header item
    segments: list[tuple[int, str | None, list[str]]] = []   # (line, label or None, paragraphs)
    block = None
    held = None                          # the 'Date:' block: the day the conference was held
    labelled = False                     # header blocks come before the first label
    header: tuple[int, str] | None = None  # the open block's 'Speakers:' line
    items = 0
    for n, raw in lines:
        text = clean(raw)
        if not text:
            continue
        m = _LABEL_LINE.match(text)
        head = m.group(1).strip().lower() if m else ""
        if not labelled and m and head in _BLOCKS:
            block, header, items = _BLOCKS[head], (n, m.group(1).strip()), 0
            continue
        inline = _INLINE_BLOCK.match(text) if not labelled and not m else None
        if inline and inline.group(1).lower() in _BLOCKS:      # 'Date: March 8, 2024' on one line
            block, header, items, text = _BLOCKS[inline.group(1).lower()], None, 0, inline.group(2)
        if block in ("speakers", "chair"):
            name = "" if m else _item_name(text)
            if name and looks_like_person(name):
                (officials if block == "speakers" else chairs).append(name)
                if item_role(text)[1]:
                    roles.setdefault(name, item_role(text)[1])
                known[surname_key(name)] = name
                items += 1
                continue
            if items == 0 and header is not None and header[1].lower() in _MODERATOR_WORDS:
                # 'Host:' followed by words, not names: it was a label after all
                segments.append((header[0], header[1], []))
                labelled = True
        elif block in ("date", "skip") and not m:               # one item
            if block == "date" and held is None:
                held = find_date(text)
            block = None
            continue
        block = None
        if m and looks_like_label(m.group(1)):
            segments.append((n, m.group(1).strip(), []))
            labelled = True
        elif segments:
            segments[-1][2].append(text)
        else:
            segments.append((n, None, [text]))

    builder = TurnBuilder()
    chair_keys = {surname_key(c) for c in chairs}
    for n, label, paras in segments:
        body = "\n\n".join(paras)
        if label is None:
            builder.text(body, n)
            continue
        name = strip_honorific(label)
        key = surname_key(name)
        if is_follow_up(label):
            builder.question(None, body, n)
        elif key in chair_keys or label.lower() in _MODERATOR_WORDS:
            speaker = known.get(key) or (chairs[0] if chairs else name)
            builder.moderator(speaker, body, n)
        elif key in known:
            builder.answer(known[key], body, n)
        elif is_questioner_word(label):
            builder.question("", body, n)
        elif not has_outlet_word(label) and looks_like_person(label) and not (officials and chairs):
            known[key] = name
            builder.answer(name, body, n)
        else:
            builder.question(label, body, n)
    names = list(dict.fromkeys([*builder.speakers(), *officials, *chairs]))
    day = held or first.date
    return Conference(id=make_conference_id(FORMAT, day, first.title), title=first.title, date=day,
                      source_url="", source_file=first.path, source_format=FORMAT,
                      officials=tuple(names), turns=builder.turns(), roles=tuple(roles.items()))


def parse(path: str, text: str) -> list[Conference]:
    return [build_conference([read_page(path, text)])]
