"""Insights stage: concordance (keyword in context): every occurrence of a query's words or quoted phrases in
the turns it matches, with `width` words of context each side; sortable by date or the words beside it.

The turns are exactly those `search()` counts (one `service.snapshot()`); occurrences are what the search
page marks (the same terms: querying.highlight_terms; the same matching: highlight.find_matches for words,
find_phrase_matches for quoted text). The lines of a request are computed once per index generation
(Generation.analyses), so paging and re-sorting cost a slice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import SearchSettings
from ..errors import QueryError
from ..index import schema as S
from ..models import SearchRequest
from ..search.highlight import find_matches, find_phrase_matches
from ..search.querying import highlight_terms, parse_query

if TYPE_CHECKING:
    from ..search.service import SearchService

DEFAULT_WIDTH = 8
MAX_WIDTH = 30
SORTS = ("date", "left", "right")
MAX_TURNS = 5_000          # turns read for one concordance (the most recent first); beyond: truncated
_WORD = re.compile(r"\w+")
SIDES = (("question", S.QUESTION), ("answer", S.ANSWER))


@dataclass(frozen=True)
class Line:
    turn_id: str
    conference_id: str
    date: date
    who: str           # the answering official(s) for an answer, the questioner's outlet for a question
    side: str          # "question" | "answer"
    left: str
    match: str
    right: str
    seq: int           # turn number (ordering)
    start: int         # where the match starts in the text (ordering)


@dataclass(frozen=True)
class Concordance:
    total_turns: int             # turns the query matches (= search total)
    total_lines: int             # occurrences in the turns read
    lines: tuple[Line, ...]      # the requested page
    page: int
    per_page: int
    sort: str
    width: int
    turns_read: int              # turns whose text was read (all of them unless truncated)
    truncated: bool


def concordance(service: SearchService, request: SearchRequest, limits: SearchSettings, width: int = DEFAULT_WIDTH,
                sort: str = "date", page: int = 1, per_page: int = 50) -> Concordance:
    """The page `page` of the concordance of `request` (its q, scope and filters; its own paging ignored)."""
    if sort not in SORTS:
        raise QueryError(f"parameter 'sort' must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    if not 1 <= width <= MAX_WIDTH:
        raise QueryError(f"parameter 'width' must be between 1 and {MAX_WIDTH}, got {width}")
    if not request.q.strip():
        raise QueryError("give a query (q=...) to see its occurrences in context")
    lines, total, read = all_lines(service, request, limits, width, sort)
    start = (page - 1) * per_page
    return Concordance(total, len(lines), tuple(lines[start:start + per_page]), page, per_page, sort, width, read,
                       read < total)


def all_lines(service: SearchService, request: SearchRequest, limits: SearchSettings, width: int = DEFAULT_WIDTH,
              sort: str = "date") -> tuple[list[Line], int, int]:
    """(every line in `sort` order, matching turns, turns read): cached per index generation."""
    request = replace(request, page=1, per_page=1, sort="relevance")
    with service.snapshot() as snap:
        gen = snap.generation
        key = ("concordance", request, width)
        found = gen.analyses.get(key)
        if found is None:
            mask = snap.mask(request)
            parsed = parse_query(request, gen.schema, gen.reader, limits)
            terms = highlight_terms(parsed.query)
            docs = np.flatnonzero(mask)
            total = len(docs)
            if total > MAX_TURNS:      # the most recent turns
                docs = np.sort(docs[np.argsort(-snap.tables.rank[docs], kind="stable")[:MAX_TURNS]])
            lines = [line for d in docs.tolist() for line in _turn_lines(gen.stored(d), terms, width)]
            found = gen.analyses[key] = (lines, total, len(docs))
    lines, total, read = found
    return sort_lines(lines, sort), total, read


def _turn_lines(stored: dict[str, Any], terms: dict[str, set[Any]], width: int) -> list[Line]:
    out = []
    day = stored[S.DATE].date()
    speakers = ", ".join(s for s in stored.get(S.SPEAKER, "").split(",") if s)
    for side, field in SIDES:
        text = stored.get(field, "")
        wanted = terms.get(field) or set()
        if not text or not wanted:
            continue
        stems = {t for t in wanted if isinstance(t, str)}
        phrases = [t for t in wanted if isinstance(t, tuple)]
        for start, end, _ in sorted(find_matches(text, stems) + find_phrase_matches(text, phrases)):
            out.append(Line(
                turn_id=stored[S.ID_FIELD], conference_id=stored[S.CONFERENCE], date=day,
                who=speakers if side == "answer" else stored.get(S.OUTLET, ""), side=side,
                left=" ".join(text[:start].split()[-width:]), match=text[start:end],
                right=" ".join(text[end:].split()[:width]), seq=stored[S.SEQ], start=start,
            ))
    return out


def _word_key(text: str, last: bool = False) -> str:
    """The first (last) word of a context, casefolded; contexts without words sort last."""
    words = _WORD.findall(text.casefold())
    return (words[-1] if last else words[0]) if words else "\uffff"


def sort_lines(lines: list[Line], sort: str) -> list[Line]:
    """Lines by date (oldest first, then turn and place), by the word just left of the match, or just right."""
    by_date = sorted(lines, key=lambda ln: (ln.date, ln.conference_id, ln.seq, ln.side != "question", ln.start))
    if sort == "left":
        return sorted(by_date, key=lambda ln: (_word_key(ln.left, last=True), ln.match.casefold()))
    if sort == "right":
        return sorted(by_date, key=lambda ln: (_word_key(ln.right), ln.match.casefold()))
    return by_date






CSV_HEADER = ["turn_id", "date", "who", "side", "left", "match", "right"]


def csv_rows(lines: list[Line]) -> list[list[str]]:
    return [CSV_HEADER] + [[ln.turn_id, ln.date.isoformat(), ln.who, ln.side, ln.left, ln.match, ln.right]
                           for ln in lines]
