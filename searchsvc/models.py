"""Models (between all stages): the dataclasses that are the only currency passed from one stage to the next.

Shape of a parsed transcript:

    Conference(id, title, date, source_url, source_file, source_format, officials, turns)
      turns: [Turn(seq, kind, outlet, question, speakers, answer, line), ...] in order

Turn kinds:
    "question-answer"  a reporter's question (``question``, ``outlet`` if known) and the
                       answer (``answer`` by ``speakers``); the answer may be empty if
                       the next question came before any answer.
    "statement"        an official speaking outside any question (opening remarks,
                       announcements): ``speakers`` + ``answer``, empty ``question``.
    "moderator"        the host/chairperson passing the floor, opening or closing:
                       ``speakers`` + ``answer``, empty ``question``.
Every question label starts a new turn; a ``Follow-up:`` question is its own turn and
inherits the outlet of the question it follows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

# The day a conference is filed under when its document gives no date (ingest warns): pages, citations, trends
# and timelines show it as undated, never as a day of 1900.
UNDATED = date(1900, 1, 1)


def is_dated(day: date) -> bool:
    return day != UNDATED


KIND_QA = "question-answer"
KIND_STATEMENT = "statement"
KIND_MODERATOR = "moderator"
KINDS = (KIND_QA, KIND_STATEMENT, KIND_MODERATOR)


@dataclass(frozen=True)
class Turn:
    seq: int                      # 0-based position in the conference
    kind: str                     # one of KINDS
    outlet: str = ""              # questioner's outlet, "" when unknown
    question: str = ""            # question text ("" for statements)
    speakers: tuple[str, ...] = ()  # who answered / spoke, full names where known
    answer: str = ""              # answer or statement text
    line: int = 0                 # 1-based line in the source file where the turn starts


@dataclass(frozen=True)
class LabelReading:
    """One speaker label of a conference and the role the segmenter gave it, with the evidence."""
    label: str
    role: str             # "official" | "reporter" | "outlet" | "host" | "interpreter" | "follow-up" | "text"
    count: int
    why: str
    name: str = ""        # the name its turns are filed under (officials and hosts), "" for the others


@dataclass(frozen=True)
class Reading:
    """How a conference was read: what `searchsvc inspect` shows."""
    container: str                       # "html" | "markdown" | "text" | "python-bytes"
    encoding: str                        # "UTF-8", "UTF-8 with BOM", "UTF-16", "cp1252", ...
    date_from: str = ""                  # where the date was found ("front matter", "title", "<time>", "none")
    conventions: tuple[str, ...] = ()    # label conventions found ("Q before questions", "NAME: in capitals", ...)
    share: float = 0.0                   # share of the body's words that went into turns
    labels: tuple[LabelReading, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class Conference:
    id: str                       # stable across rebuilds: see make_conference_id
    title: str
    date: date
    source_url: str
    source_file: str              # the path as given to the reader
    source_format: str            # "scio" | "mfa" | "whitehouse"
    officials: tuple[str, ...] = ()
    turns: list[Turn] = field(default_factory=list)
    # (official, job title as the document writes it, normalised: "Press Secretary", "Foreign Ministry Spokesperson")
    # from the title, header blocks ("Mr. X, spokesperson of ...") and labels ("SECRETARY ESPER"); () when unknown
    roles: tuple[tuple[str, str], ...] = ()
    reading: Reading | None = None    # how the file was read (container, conventions, share of text in turns)
    source_name: str = ""         # the file relative to the corpus folder it was read from (what the site shows)


# Who published each transcript format (pages and citations)
PUBLISHERS = {"scio": "State Council Information Office", "mfa": "Ministry of Foreign Affairs of China",
              "whitehouse": "The White House"}


def turn_id(conference_id: str, seq: int) -> str:
    """The public id of a turn: '<conference_id>-<seq>'."""
    return f"{conference_id}-{seq}"


def make_conference_id(source_format: str, day: date, title: str) -> str:
    """'<yyyy-mm-dd>-<slug>-<hash8>': readable and stable across rebuilds (depends only on format, date, title)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha1(f"{source_format}|{day.isoformat()}|{title}".encode()).hexdigest()[:8]
    return f"{day.isoformat()}-{slug}-{digest}" if slug else f"{day.isoformat()}-{digest}"


@dataclass(frozen=True)
class ParseProblem:
    """A file that was skipped (or parsed only in part), with the reason."""
    path: str
    message: str
    line: int | None = None
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class ParseResult:
    conferences: list[Conference] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    files_seen: int = 0


# ---- search stage -> web / cli -------------------------------------------------

SORTS = ("relevance", "newest", "oldest")
SCOPES = ("both", "question", "answer")


@dataclass(frozen=True)
class Facet:
    """One facet. `name` is at once the URL parameter, the key of facet counts and the index column; `field` is
    the SearchRequest field holding its filter values."""
    name: str
    field: str
    title: str                 # what people read
    multi: bool = False        # a turn may have several values (the speakers who answered)
    year: bool = False         # values are years (ints in a SearchRequest, four digits in a URL)
    values: tuple[str, ...] = ()   # the only values a filter may take (() : any)
    column: str = ""           # the index column, when not `name`
    description: str = ""      # what a filter on it selects (API documentation)

    @property
    def index_column(self) -> str:
        return self.column or self.name


ANSWER_TYPES = ("deflection", "substantive")   # values of the `answer` facet (insights/deflections.py)

# The facet table: every layer (request parsing, OpenAPI, search, facet counts, insights, pages) reads this one.
FACET_TABLE: tuple[Facet, ...] = (
    Facet("speaker", "speakers", "Speaker", multi=True, description="Official who answered"),
    Facet("role", "roles", "Role", multi=True,
          description='Role of the answering official in that conference ("Press Secretary")'),
    Facet("outlet", "outlets", "Outlet", description="Outlet of the questioner"),
    Facet("conference", "conferences", "Conference", description="Conference id"),
    Facet("year", "years", "Year", year=True, description="Year"),
    Facet("answer", "answers", "Answer", values=ANSWER_TYPES, column="answer_type",
          description="Answers that decline to answer (deflection) or the others (substantive)"),
)
FACETS = tuple(f.name for f in FACET_TABLE)


def facet(name: str) -> Facet:
    """The facet called `name`; ValueError for any other name."""
    for f in FACET_TABLE:
        if f.name == name:
            return f
    raise ValueError(f"no facet {name!r} (facets: {', '.join(FACETS)})")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    speakers: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    conferences: tuple[str, ...] = ()   # conference ids
    years: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()         # roles of the answering officials ("Press Secretary")
    answers: tuple[str, ...] = ()       # ANSWER_TYPES: deflections or substantive answers
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    scope: str = "both"
    page: int = 1
    per_page: int = 10

    def filter_values(self, name: str) -> tuple[str | int, ...]:
        """The selected values of facet `name` (years as ints)."""
        values: tuple[str | int, ...] = getattr(self, facet(name).field)
        return values

    def filters(self) -> dict[str, tuple[str, ...]]:
        """Facet name -> selected values as strings, for every facet."""
        return {f.name: tuple(str(v) for v in getattr(self, f.field)) for f in FACET_TABLE}

    def with_filter(self, name: str, values: Iterable[str | int]) -> SearchRequest:
        """A copy whose facet `name` selects `values` (strings or ints; years become ints)."""
        f = facet(name)
        chosen: dict[str, Any] = {f.field: tuple(int(v) for v in values) if f.year else tuple(str(v) for v in values)}
        return replace(self, **chosen)


@dataclass(frozen=True)
class FacetValue:
    value: str            # what a filter takes (conference id, speaker name, "2020")
    count: int
    selected: bool = False
    label: str = ""       # what people read (conference title); "" means same as value


@dataclass(frozen=True)
class Hit:
    id: str
    conference_id: str
    conference_title: str
    date: date
    source: str
    source_url: str
    seq: int
    kind: str
    outlet: str
    speakers: tuple[str, ...]
    question_html: str    # escaped text, matches wrapped in <mark>; fragments joined by " … "
    answer_html: str
    score: float
    roles: tuple[str, ...] = ()           # roles[i]: speakers[i]'s role in that conference ("" unknown)
    deflection: str = ""                  # name of the deflection pattern the answer matched ("" none)


@dataclass(frozen=True)
class SuggestedFilter:
    """A filter the query's words point to ("Speaker: Zhao Lijian?"): a name in the query matched this value."""
    facet: str            # one of FACETS
    value: str
    count: int            # turns of the result set that have it


@dataclass(frozen=True)
class SearchPage:
    """One page of results; shared by every caller of a cached search, so nothing in it can change."""
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]   # a read-only mapping (types.MappingProxyType)
    suggestion: str | None = None          # did-you-mean query, or None
    optional_terms: tuple[str, ...] = ()   # words that were not required (relaxed matching)
    notices: tuple[str, ...] = ()          # e.g. "query syntax error; searched plain terms"
    took_ms: float = 0.0
    cached: bool = False                   # served from the per-generation cache of repeated queries
    suggested_filters: tuple[SuggestedFilter, ...] = ()   # names in the query, offered as filters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.request.per_page)))


@dataclass(frozen=True)
class TurnRecord:
    """A stored turn with its conference's facts, for permalinks and conference pages."""
    id: str
    conference_id: str
    conference_title: str
    date: date
    source: str
    source_url: str
    source_format: str
    seq: int
    kind: str
    outlet: str
    question: str
    speakers: tuple[str, ...]
    answer: str
    roles: tuple[str, ...] = ()           # roles[i]: speakers[i]'s role in that conference ("" unknown)
    deflection: str = ""                  # name of the deflection pattern the answer matched ("" none)


@dataclass(frozen=True)
class ConferenceRecord:
    id: str
    title: str
    date: date
    source: str
    source_url: str
    source_format: str
    officials: tuple[str, ...]
    turns: tuple[TurnRecord, ...]


@dataclass(frozen=True)
class IndexStats:
    generation: str
    turns: int
    conferences: int
    speakers: int
    outlets: int
    size_bytes: int
    built_at: str          # ISO timestamp
    build_seconds: float
    schema_version: int = 1   # index.schema.SCHEMA_VERSION it was built with (1 before it was recorded)
