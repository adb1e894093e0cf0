"""Insights stage: citations of one turn: a plain-text reference (Chicago style), BibTeX and CSL-JSON.

Who answered (with the job title the transcript gives, when known), who asked (the outlet), the conference
title, its date, the publisher, the original transcript's address when known, the permalink and the date
it was accessed. Pure functions of a TurnRecord: the web edge supplies the permalink and the roles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ..models import KIND_QA, PUBLISHERS, TurnRecord, is_dated

SITE = "Press conference search"
_BIBTEX_SPECIAL = re.compile(r"([&%#_$])")
_KEY_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Citation:
    turn_id: str
    text: str          # plain-text reference, Chicago notes-bibliography style
    bibtex: str
    csl: dict[str, Any]          # one CSL-JSON item


def _answerers(turn: TurnRecord, roles: Mapping[str, str]) -> list[str]:
    """'Name (Role)' of each answering official."""
    return [f"{name} ({roles[name]})" if roles.get(name) else name for name in turn.speakers]


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def describe(turn: TurnRecord, roles: Mapping[str, str]) -> str:
    """What the turn is: 'Zhao Lijian (Foreign Ministry Spokesperson), answering a question from Reuters'."""
    who = _join(_answerers(turn, roles))
    if turn.kind == KIND_QA and turn.question:
        asked = f"a question from {turn.outlet}" if turn.outlet else "a question"
        return f"{who}, answering {asked}" if who else f"Question from {turn.outlet}" if turn.outlet else "Question"
    return f"{who}, statement" if who else "Statement"


def safe_source(url: str) -> str:
    """The transcript's address when it is an http(s) URL, else '' (a citation never carries javascript: etc.)."""
    try:
        return url if urlsplit(url.strip()).scheme in ("http", "https") else ""
    except ValueError:
        return ""


def long_date(day: date) -> str:
    """'March 3, 2021'; 'n.d.' (no date, as citation styles write it) for a document that gives none."""
    return f"{day:%B} {day.day}, {day.year}" if is_dated(day) else "n.d."


def cite_turn(turn: TurnRecord, permalink: str, roles: Mapping[str, str] | None = None,
              accessed: date | None = None) -> Citation:
    """The citations of `turn`; `roles` maps an official's name to the job title the transcript gives."""
    roles = roles or {}
    accessed = accessed or date.today()
    turn = replace(turn, source_url=safe_source(turn.source_url))
    publisher = PUBLISHERS.get(turn.source_format, "")
    title = turn.conference_title or "Press conference"
    parts = [f"{describe(turn, roles)}.", f"\u201c{title.rstrip('.')}.\u201d"]
    parts.append(", ".join(p for p in (publisher, long_date(turn.date)) if p) + ".")
    if turn.source_url:
        parts.append(f"{turn.source_url}.")
    parts.append(f"Turn {turn.seq + 1}, {SITE}, accessed {long_date(accessed)}, {permalink}.")
    return Citation(turn.id, " ".join(parts), _bibtex(turn, permalink, roles, publisher, accessed),
                    _csl(turn, permalink, roles, publisher, accessed))


def _bib(value: str) -> str:
    """A BibTeX field value: braces dropped, special characters escaped."""
    return _BIBTEX_SPECIAL.sub(r"\\\1", value.replace("{", "").replace("}", "").replace("\\", ""))


def bibtex_key(turn: TurnRecord) -> str:
    first = _KEY_WORD.findall((turn.speakers[0] if turn.speakers else turn.outlet or "turn").lower())
    title = [w for w in _KEY_WORD.findall(turn.conference_title.lower()) if len(w) > 3][:1]
    year = str(turn.date.year) if is_dated(turn.date) else "nd"
    return "".join(first[-1:] or ["turn"]) + year + "".join(title) + f"t{turn.seq + 1}"


def _bibtex(turn: TurnRecord, permalink: str, roles: Mapping[str, str], publisher: str, accessed: date) -> str:
    authors = " and ".join("{" + _bib(n) + "}" for n in turn.speakers) or "{" + _bib(publisher or SITE) + "}"
    note = describe(turn, roles) + (f". Original transcript: {turn.source_url}" if turn.source_url else "")
    fields = [
        ("author", authors),
        ("title", f"{{{_bib(turn.conference_title or 'Press conference')}}}, turn {turn.seq + 1}"),
        ("howpublished", _bib(publisher or SITE)),
        *([("date", turn.date.isoformat()), ("year", str(turn.date.year)), ("month", str(turn.date.month))]
          if is_dated(turn.date) else []),
        ("note", _bib(note)),
        ("url", permalink),
        ("urldate", accessed.isoformat()),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(turn)},\n{body}\n}}\n"


def _csl(turn: TurnRecord, permalink: str, roles: Mapping[str, str], publisher: str, accessed: date) -> dict[str, Any]:
    item = {
        "id": turn.id,
        "type": "speech",
        "title": f"{turn.conference_title or 'Press conference'}, turn {turn.seq + 1}",
        "author": [{"literal": n} for n in turn.speakers],
        "issued": ({"date-parts": [[turn.date.year, turn.date.month, turn.date.day]]} if is_dated(turn.date)
                   else {"literal": "n.d."}),
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "genre": "Press conference transcript",
        "event-title": turn.conference_title,
        "publisher": publisher,
        "note": describe(turn, roles) + (f". Original transcript: {turn.source_url}" if turn.source_url else ""),
        "URL": permalink,
    }
    return {k: v for k, v in item.items() if v}
