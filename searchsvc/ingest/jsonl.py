"""Ingest stage: turns as JSON Lines, one object a turn: what `searchsvc parse` writes and `index rebuild` / `index add`
read back (so turns from other tools can be indexed). A bad line is a problem naming its line; the rest loads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..models import KINDS, Conference, ParseProblem, Reading, Turn

REQUIRED = ("conference_id", "conference_title", "date", "kind")
TEXT_FIELDS = ("source", "source_url", "source_format", "outlet", "question", "answer")
SUFFIXES = (".jsonl", ".ndjson")


def turn_row(conf: Conference, turn: Turn) -> dict[str, Any]:
    """One turn with its conference's facts: the schema of `searchsvc parse` output (see README)."""
    return {
        "conference_id": conf.id, "conference_title": conf.title, "date": conf.date.isoformat(),
        "source": conf.source_file, "source_url": conf.source_url, "source_format": conf.source_format,
        "seq": turn.seq, "kind": turn.kind, "outlet": turn.outlet, "question": turn.question,
        "speakers": list(turn.speakers), "answer": turn.answer, "line": turn.line,
        "officials": list(conf.officials), "roles": [list(pair) for pair in conf.roles],
    }


def looks_like_jsonl(path: Path, head: bytes) -> bool:
    """A .jsonl/.ndjson file, or one whose first line is a JSON object."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
    return path.suffix.lower() in SUFFIXES or (first.startswith(b"{") and first.endswith(b"}"))


def _check_row(row: object) -> str:
    """'' for a usable row, else why not."""
    if not isinstance(row, dict):
        return "not a JSON object"
    missing = [f for f in REQUIRED if not isinstance(row.get(f), str) or not row.get(f)]
    if missing:
        return f"missing or empty field(s): {', '.join(missing)}"
    if row["kind"] not in KINDS:
        return f"kind {row['kind']!r} is not one of {', '.join(KINDS)}"
    for name in TEXT_FIELDS:
        if not isinstance(row.get(name, ""), str):
            return f"{name} is not a string"
    if not isinstance(row.get("speakers", []), list) or not all(isinstance(s, str) for s in row.get("speakers", [])):
        return "speakers is not a list of strings"
    for name in ("seq", "line"):
        if name in row and (not isinstance(row[name], int) or isinstance(row[name], bool) or row[name] < 0):
            return f"{name} is not a non-negative integer"
    try:
        date.fromisoformat(row["date"])
    except ValueError:
        return f"date {row['date']!r} is not YYYY-MM-DD"
    if not (row.get("question") or row.get("answer")):
        return "neither question nor answer text"
    return ""


def read_jsonl(path: str, text: str, encoding: str = "UTF-8") -> tuple[list[Conference], list[ParseProblem]]:
    """Conferences from turn rows (grouped by conference_id, in order of first appearance; turns renumbered in the
    order given when seq is missing or repeated)."""
    confs: dict[str, Conference] = {}
    problems: list[ParseProblem] = []
    seen: dict[str, set[int]] = {}
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(ParseProblem(path, f"not JSON ({exc.msg})", n))
            continue
        why = _check_row(row)
        if why:
            problems.append(ParseProblem(path, why, n))
            continue
        cid = row["conference_id"]
        conf = confs.get(cid)
        if conf is None:
            roles = tuple((str(p[0]), str(p[1])) for p in row.get("roles") or []
                          if isinstance(p, list) and len(p) == 2)
            conf = confs[cid] = Conference(
                id=cid, title=row["conference_title"], date=date.fromisoformat(row["date"]),
                source_url=row.get("source_url", ""), source_file=row.get("source") or path,
                source_format=row.get("source_format") or "jsonl",
                officials=tuple(o for o in row.get("officials") or [] if isinstance(o, str)), roles=roles,
                reading=Reading(container="jsonl", encoding=encoding, date_from="jsonl"))
            seen[cid] = set()
        seq = row.get("seq")
        if not isinstance(seq, int) or seq in seen[cid]:
            seq = max(seen[cid], default=-1) + 1
        seen[cid].add(seq)
        conf.turns.append(Turn(seq=seq, kind=row["kind"], outlet=row.get("outlet", ""),
                               question=row.get("question", ""), speakers=tuple(row.get("speakers", [])),
                               answer=row.get("answer", ""), line=row.get("line", n)))
    out = []
    for conf in confs.values():
        conf.turns.sort(key=lambda t: t.seq)
        if not conf.officials:
            conf.officials = tuple(dict.fromkeys(s for t in conf.turns for s in t.speakers))
        out.append(conf)
    if not out and not problems:
        raise TranscriptError(path, "no turns in the JSON Lines file")
    return out, problems
