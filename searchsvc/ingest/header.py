"""Ingest stage: header blocks before the first turn (`Speakers:` / `Chairperson:` / `Date:` lists, `Chair: Name`
inline, or bare 'Mr. X, minister of ...' lines): the officials, hosts and job titles the document names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .common import find_date
from .finder import Segment
from .labels import looks_like_person
from .titles import item_role

KEYS = {"speakers": "speakers", "speaker": "speakers", "guests": "speakers", "guest": "speakers",
        "panelists": "speakers", "participants": "speakers", "officials": "speakers",
        "chairperson": "chair", "chair": "chair", "host": "chair", "hosts": "chair", "moderator": "chair",
        "moderators": "chair", "presenter": "chair", "emcee": "chair",
        "date": "date", "time": "skip", "venue": "skip", "location": "skip", "place": "skip"}
HOST_WORDS = frozenset("host moderator chairperson chair presenter emcee mc".split())
_BARE_ITEM = re.compile(r"^(?:Mr|Ms|Mrs|Miss|Madam|Dr|Prof|H\.E)\.?\s+[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3}"
                        r"\s*[,，]\s*\S")
_HOST_ROLE = re.compile(r"\b(?:moderat\w*|host\w*|chair\w*|emcee|presid(?:es|ing))\b", re.I)


@dataclass
class Header:
    officials: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)
    held: date | None = None
    used: set[int] = field(default_factory=set)       # indices of the segments that were header, not turns
    line: int = 0                                     # line of the first header block (0: none)


def _add_item(header: Header, kind: str, item: str) -> bool:
    """Record one list item ('Mr. Wang Dalin, vice minister of ...'); False when it is not a person."""
    name, role = item_role(item)
    if not looks_like_person(name):
        return False
    if kind == "chair" or (role and _HOST_ROLE.search(role)):
        header.hosts.append(name)
    else:
        header.officials.append(name)
    if role:
        header.roles.append((name, role))
    return True


def read_header(segments: list[Segment]) -> Header:
    """The header blocks among the segments before the first turn label."""
    header = Header()
    k = 0
    while k < len(segments):
        seg = segments[k]
        key = KEYS.get(seg.label.lower()) if seg.form in ("line", "colon") else None
        if seg.form in ("q",) or (seg.label and key is None):
            break                                             # the first turn
        if key is None:
            if seg.form == "text" and _BARE_ITEM.match(seg.text.strip()) and ":" not in seg.text[:40]:
                for item in seg.text.split("\n"):
                    if _add_item(header, "speakers", item.strip()):
                        header.used.add(k)
                        header.line = header.line or seg.line
            k += 1
            continue
        if seg.form == "colon":                               # 'Date: March 8, 2024', 'Chair: Name'
            values = [i for i in re.split(r"\s*[;；]\s*|\n", seg.text) if i.strip()]
            if key == "date":
                header.held = header.held or find_date(seg.text)
            elif key in ("speakers", "chair") and not all(_add_item(header, key, i) for i in values):
                break                                         # 'Host: Good morning ...' is a turn
            header.used.add(k)
            header.line = header.line or seg.line
            k += 1
            continue
        # a block label alone on its line; its items follow, one a line (on the next lines, or after blank lines)
        j, items = k, 0
        while j < len(segments) and (j == k or segments[j].form == "text"):
            lines = [ln.strip() for ln in segments[j].text.split("\n") if ln.strip()]
            if j == k and not lines:
                j += 1
                continue
            if key == "date":
                header.held = header.held or find_date(segments[j].text)
                items += 1
            elif key == "skip":
                items += 1
            elif all(_add_item(header, key, ln) for ln in lines):
                items += len(lines)
            else:
                break
            j += 1
            if key in ("date", "skip"):
                break
        if items == 0 and key == "chair":
            break                                             # 'Host:' then words: a turn label after all
        header.used.update(range(k, j))
        header.line = header.line or seg.line
        k = j
    return header
