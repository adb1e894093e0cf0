"""Insights stage: every turn a search matches as CSV, JSON Lines or an Atom feed, streamed.

The rows are the turns `search()` counts for the same SearchRequest, in its sort order, at most
`limit` of them (the web caps it with [export] max_rows). Builders take TurnRecords and a function
giving a turn's permalink, so they know nothing of Flask.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ..models import SearchRequest, TurnRecord
from ..serialize import turn_to_dict

if TYPE_CHECKING:
    from ..search.service import SearchService

CSV_COLUMNS = ("id", "url", "date", "conference_id", "conference_title", "source_format", "seq", "kind", "outlet",
               "speakers", "question", "answer", "source_url", "roles", "deflection")
SPEAKER_SEPARATOR = "; "
CHUNK_BYTES = 64 * 1024          # rows are sent in chunks of about this size
FEED_ENTRIES = 50                # newest turns in an Atom feed
ATOM_NS = "http://www.w3.org/2005/Atom"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # spreadsheet formula triggers (CSV injection)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

TurnUrl = Callable[[str], str]


@dataclass
class TurnExport:
    """The turns to export: `rows` of the `total` matching ones, read lazily (iterate once)."""
    total: int
    rows: int
    records: Iterator[TurnRecord]

    @property
    def truncated(self) -> bool:
        return self.rows < self.total


def export_turns(service: SearchService, request: SearchRequest, limit: int) -> TurnExport:
    """The first `limit` turns matching `request`, in its sort order, for streaming (no lock held while read)."""
    with service.snapshot() as snap:
        total, docs = snap.ordered(request, limit)
        return TurnExport(total=total, rows=len(docs), records=snap.detached_records(docs))


def feed_turns(service: SearchService, request: SearchRequest, limit: int = FEED_ENTRIES) -> TurnExport:
    """The newest `limit` turns matching `request` (whatever its sort), for a feed."""
    return export_turns(service, replace(request, sort="newest"), limit)


# ---- CSV and JSON Lines ------------------------------------------------------------------

def _cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading ' is added before = + - @)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def turn_row(t: TurnRecord, turn_url: TurnUrl) -> list[Any]:
    return [t.id, turn_url(t.id), t.date.isoformat(), t.conference_id, _cell(t.conference_title), t.source_format,
            t.seq, t.kind, _cell(t.outlet), _cell(SPEAKER_SEPARATOR.join(t.speakers)), _cell(t.question),
            _cell(t.answer), t.source_url, _cell(SPEAKER_SEPARATOR.join(t.roles)), t.deflection]


def _chunked(lines: Iterable[str]) -> Iterator[str]:
    buffer, size = [], 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def csv_chunks(records: Iterable[TurnRecord], turn_url: TurnUrl) -> Iterator[str]:
    """A header row, then one row per turn (RFC 4180 quoting, CRLF line ends), in chunks."""
    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        yield out.getvalue()
        for t in records:
            out.seek(0)
            out.truncate()
            writer.writerow(turn_row(t, turn_url))
            yield out.getvalue()
    return _chunked(lines())


def _json_line(obj: dict[str, Any]) -> str:
    """Compact UTF-8 JSON on one line; U+2028/U+2029 escaped too (str.splitlines would split on them)."""
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def jsonl_chunks(records: Iterable[TurnRecord], turn_url: TurnUrl) -> Iterator[str]:
    """One JSON object per line: the turn as /api/turns/<id> gives it, plus its `url`."""
    return _chunked(_json_line(dict(turn_to_dict(t), url=turn_url(t.id))) for t in records)


# ---- Atom ---------------------------------------------------------------------------------

def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text or "")


def _stamp(day: date | datetime) -> str:
    if isinstance(day, datetime):
        return day.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{day.isoformat()}T00:00:00Z"


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def entry_title(t: TurnRecord) -> str:
    """'Outlet → Speaker: question…' (or 'Speaker: statement…')."""
    names = ", ".join(t.speakers)
    if t.question:
        if t.outlet and names:
            who = f"{t.outlet} → {names}"
        else:
            who = t.outlet or (f"To {names}" if names else "Question")
        return f"{who}: {_shorten(t.question)}"
    return f"{names or 'Statement'}: {_shorten(t.answer)}"


def entry_text(t: TurnRecord) -> str:
    parts = []
    if t.question:
        parts.append(f"Q{' (' + t.outlet + ')' if t.outlet else ''}: {t.question}")
    if t.answer:
        label = "A" if t.question else ("Statement" if t.kind == "statement" else "Moderator")
        parts.append(f"{label}{' (' + ', '.join(t.speakers) + ')' if t.speakers else ''}: {t.answer}")
    return "\n\n".join(parts)


def atom_feed(records: Iterable[TurnRecord], *, title: str, feed_url: str, html_url: str, turn_url: TurnUrl,
              updated: datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `records`; `updated` is used when there are none (else the newest date)."""
    ET.register_namespace("", ATOM_NS)
    def tag(name: str) -> str:
        return f"{{{ATOM_NS}}}{name}"

    feed = ET.Element(tag("feed"))

    def sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, tag(name), {k: _xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = _xml_text(text)
        return el

    sub(feed, "title", title)
    sub(feed, "id", feed_url)
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    sub(sub(feed, "author"), "name", "searchsvc")
    sub(feed, "generator", "searchsvc")
    stamp = sub(feed, "updated", _stamp(updated))
    newest = None
    for t in records:
        newest = t.date if newest is None or t.date > newest else newest
        entry = sub(feed, "entry")
        sub(entry, "id", turn_url(t.id))
        sub(entry, "title", entry_title(t))
        sub(entry, "updated", _stamp(t.date))
        sub(entry, "published", _stamp(t.date))
        sub(entry, "link", rel="alternate", type="text/html", href=turn_url(t.id))
        if t.speakers:
            sub(sub(entry, "author"), "name", ", ".join(t.speakers))
        sub(entry, "category", term=t.source_format) if t.source_format else None
        sub(entry, "summary", _shorten(t.question or t.answer, 300), type="text")
        sub(entry, "content", entry_text(t), type="text")
    if newest is not None:
        stamp.text = _stamp(newest)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
