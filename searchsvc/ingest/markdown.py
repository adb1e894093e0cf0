"""Ingest stage: the Markdown container: a YAML front matter (title, date, source_url) and the body's lines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from ..errors import TranscriptError
from .common import clean
from .dates import date_in_name, find_any_date
from .document import Block, Document
from .publishers import publisher_of

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_SCALARS = (str, int, float, dt.date)
_HARD_BREAK = ("  ", " \u00a0", "\u00a0 ", "\u00a0\u00a0", "\\")     # a line ending so breaks it (Markdown)
_SENTENCE_END = frozenset(".?!\"”)]—")     # a line whose last non-space character is one of these ends a sentence


def looks_like_front_matter(text: str) -> bool:
    """A front matter block, or a file that opens one ('---' then 'key:' lines) without closing it."""
    return bool(_FRONT.match(text)) or bool(re.match(r"\A---[ \t]*\n(?:[\w\-]+\s*:|---)", text))


def _load_yaml(text: str) -> Any:
    """yaml.safe_load with libyaml's parser when PyYAML has it (the same values, about 10x faster); a text it
    refuses is read again by the pure-Python parser, whose error (message and line) is the one reported."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def _front_matter(path: str, text: str) -> tuple[dict[str, Any], str, int]:
    m = _FRONT.match(text)
    if not m:
        raise TranscriptError(path, "no YAML front matter", 1)
    try:
        meta = _load_yaml(m.group(1)) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise TranscriptError(path, f"bad YAML front matter: {getattr(exc, 'problem', exc)}",
                              (line + 2) if line is not None else 1) from None
    if not isinstance(meta, dict):
        raise TranscriptError(path, "front matter is not a mapping", 1)
    # only plain values: a list or mapping (a YAML alias bomb) would become a string of any size
    meta = {key: value for key, value in meta.items() if isinstance(value, _SCALARS)}
    return meta, text[m.end():], m.group(0).count("\n") + 1


def line_blocks(body: str, first_line: int) -> list[Block]:
    """One block per non-blank line: `para` after a blank line, `brk` after a hard break (two trailing spaces, a
    backslash, or a line ending a sentence), so that a label can only open a line that may start a turn."""
    out: list[Block] = []
    prev_blank, prev = True, ""
    for i, raw in enumerate(body.split("\n")):
        if not raw.strip(" \u00a0\t"):
            prev_blank = True
            continue
        brk = prev_blank or prev.endswith(_HARD_BREAK) or prev.rstrip()[-1:] in _SENTENCE_END
        out.append(Block(raw.strip(" \u00a0\t").rstrip("\\"), first_line + i, prev_blank, brk))
        prev_blank, prev = False, raw
    return out


def read_markdown(path: str, text: str, encoding: str) -> Document:
    meta, body, first_line = _front_matter(path, text)
    title = clean(str(meta.get("title") or ""))
    if not title:
        raise TranscriptError(path, "no title in the front matter", 1)
    value = meta.get("date")
    day: dt.date | None
    if isinstance(value, dt.datetime):
        day, where = value.date(), "front matter"
    elif isinstance(value, dt.date):
        day, where = value, "front matter"
    else:
        day = find_any_date(str(value)) if value else None
        where = "front matter" if day else ""
    if day is None and find_any_date(title):
        day, where = find_any_date(title), "title"
    if day is None and date_in_name(path):
        day, where = date_in_name(path), "file name"
    if day is None:
        raise TranscriptError(path, "no date in the front matter, the title or the file name", 1)
    url = clean(str(meta.get("source_url") or meta.get("url") or ""))
    return Document(path=path, container="markdown", encoding=encoding, title=title, date=day, date_from=where,
                    source_url=url, publisher=publisher_of(url, title), blocks=tuple(line_blocks(body, first_line)))
