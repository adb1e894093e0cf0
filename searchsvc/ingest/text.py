"""Ingest stage: the plain-text container: pasted or copied transcripts (a title line, an optional source line
'Site | date', pager lines of multi-page copies) to a Document with one block per line."""

from __future__ import annotations

import re
from pathlib import Path

from .common import clean, find_date, title_from_file
from .dates import date_in_name, find_any_date
from .document import Block, Document
from .publishers import publisher_of

_BREADCRUMB = re.compile(r"ㄑ|(?:\S.*\s[>»›]\s.*\S.*\s[>»›]\s)")
_PAGER = re.compile(r"^[<‹«]\s*(?:\d+\s+)*\d+\s*[>›»]$|^(?:[<‹«]\s*)?(?:\d+\s+){2,}\d+(?:\s*[>›»])?$")
_SOURCE_LINE = re.compile(r"^\s*([\w.\- ]{1,40}?)\s*\|\s*(.+)$")
_LANGUAGE_LINK = re.compile(r"^(?:read (?:it )?in (?:chinese|english|french|spanish|russian|arabic)|中文|english)$",
                            re.I)
_PAGE_NO = re.compile(r"page[\s_\-]*(\d+)", re.I)
_LABEL_LIKE = re.compile(r"^[^:：]{1,70}[:：]")


def read_text_document(path: str, text: str, encoding: str) -> Document:
    lines = text.split("\n")
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()]
    notes: list[str] = []
    pos = 0
    if numbered and _BREADCRUMB.search(numbered[0][1]):
        pos, notes = 1, ["breadcrumb line dropped"]
    title = ""
    if pos < len(numbered) and not _LABEL_LIKE.match(numbered[pos][1].strip()) and len(numbered[pos][1]) < 250:
        title = clean(numbered[pos][1])
        pos += 1
    day, where, site = None, "", ""
    for j in range(pos, min(pos + 3, len(numbered))):
        m = _SOURCE_LINE.match(numbered[j][1])
        if m and find_date(m.group(2)):
            day, where, site, pos = find_date(m.group(2)), "source line", m.group(1), j + 1
            break
    if day is None and find_any_date(title):
        day, where = find_any_date(title), "title"
    if day is None and date_in_name(path):
        day, where = date_in_name(path), "file name"
    paged = False
    blocks: list[Block] = []
    prev = 0
    skip_until = numbered[pos][0] if pos < len(numbered) else len(lines) + 1
    for n, raw in numbered:
        if n < skip_until:
            prev = n
            continue
        stripped = clean(raw)
        if _PAGER.match(stripped) and re.search(r"[<>‹›«»]", stripped) or _LANGUAGE_LINK.match(stripped):
            paged = paged or bool(_PAGER.match(stripped))
            prev = n
            continue
        blocks.append(Block(raw.strip(" \u00a0\t"), n, para=n > prev + 1 or not blocks, brk=True))
        prev = n
    if not title:
        title = title_from_file(path)
        notes.append("no title line: the file name is the title")
    m = _PAGE_NO.search(Path(path).stem)
    page = int(m.group(1)) if m else (1 if paged else 0)
    return Document(path=path, container="text", encoding=encoding, title=title, date=day, date_from=where,
                    publisher=publisher_of(site, title), blocks=tuple(blocks), page=page, notes=tuple(notes))
