"""Search and insights stages -> web / cli: the JSON shape of every answer, as pydantic models that read the
stages' frozen dataclasses. The OpenAPI document takes its schemas from these models (web/openapi.py), and every
JSON answer, `searchsvc ... --json` and JSON Lines export is dumped through them: one description of each shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from .models import FACETS, KINDS, IndexStats
from .models import FacetValue as FacetValueRecord
from .models import SearchPage as SearchPageRecord

Count = Annotated[int, Field(ge=0)]


def one_of(values: Iterable[str]) -> Any:
    """A string type that must be one of `values` (an enum in the JSON schema)."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {value[:40]!r}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "enum": list(allowed)})]


if TYPE_CHECKING:      # the checker reads these as the plain types they validate
    Kind = str
else:
    Kind = one_of(KINDS)


def public_source(source: str) -> str:
    """A transcript's source as shown to the world: relative to the corpus folder it was read from. A path that
    is absolute or climbs out (an index built before sources were stored relative) is cut to its file name."""
    text = source.replace("\\", "/")
    if ":" not in source and ".." not in text and not text.startswith("/"):
        return text     # the usual relative path, decided without parsing it (no drive, no part "..")
    if text.startswith("/") or PureWindowsPath(source).drive or ".." in PurePosixPath(text).parts:
        return PurePosixPath(text).name
    return text


PublicSource = Annotated[str, AfterValidator(public_source),
                         Field(description="The transcript file, relative to the corpus folder it was read from")]
Roles = Annotated[list[str], Field(description=(
    "roles[i] is speakers[i]'s role in that conference ('' when the transcript does not say); empty when no "
    "speaker's role is known"))]
DeflectionName = Annotated[str, Field(description=(
    "Name of the deflection pattern the answer matched (searchsvc/data/deflections_en.txt); '' for a substantive "
    "answer or no answer"))]


class Shape(BaseModel):
    """A JSON answer: read from a dataclass's attributes, every property required, nothing else allowed."""
    model_config = ConfigDict(from_attributes=True, extra="forbid", frozen=True, populate_by_name=True)

    @classmethod
    def dump(cls, obj: Any) -> dict[str, Any]:
        """`obj` (a stage's dataclass, or a dict) as the plain JSON-ready dict of this shape."""
        return cls.model_validate(obj).model_dump(mode="json", by_alias=True)

    @classmethod
    def dump_json(cls, obj: Any) -> str:
        """`obj` as this shape's JSON text (what json.dumps(dump(obj)) says, serialised by pydantic-core in one
        step: no intermediate dict)."""
        return cls.model_validate(obj).model_dump_json(by_alias=True)


class FacetValue(Shape):
    """One value of a facet; `value` goes into the filter parameter, `label` is what people read (a conference's
    title)."""
    value: str
    count: Count
    selected: bool
    label: str

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        if isinstance(data, FacetValueRecord):
            return {"value": data.value, "count": data.count, "selected": data.selected,
                    "label": data.label or data.value}
        return data


if TYPE_CHECKING:
    Facets = dict[str, list[FacetValue]]
    FacetName = str
else:
    FacetName = one_of(FACETS)
    Facets = Annotated[dict[one_of(FACETS), list[FacetValue]],
                       Field(description="Values of each facet with their counts (names from the facet table)")]


class Hit(Shape):
    """One matching turn."""
    id: str
    conference_id: str
    conference_title: str
    date: date
    source: PublicSource
    source_url: str
    seq: Count
    kind: Kind
    outlet: str
    speakers: list[str]
    question_html: str = Field(description="Escaped HTML: matches wrapped in <mark>, fragments joined by ' … '")
    answer_html: str = Field(description="Escaped HTML, as question_html")
    score: float
    roles: Roles
    deflection: DeflectionName


class SuggestedFilter(Shape):
    """A filter the query's words name (a speaker or outlet): offer it ("Speaker: Zhao Lijian?")."""
    facet: FacetName
    value: str
    count: Count


class SearchPage(Shape):
    """One page of ranked results with facet counts."""
    total: Count
    hits: list[Hit]
    facets: Facets
    suggestion: str | None = Field(description="A did-you-mean query, or null")
    optional_terms: list[str] = Field(description="Words that were not required (few turns had them all)")
    suggested_filters: list[SuggestedFilter]
    notices: list[str]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    pages: int = Field(ge=1)
    took_ms: float = Field(ge=0)
    cached: bool = Field(description="Served from the cache of repeated queries (header X-Cache)")
    query: str

    @model_validator(mode="before")
    @classmethod
    def _from_page(cls, data: Any) -> Any:
        if isinstance(data, SearchPageRecord):
            return {"total": data.total, "hits": data.hits, "facets": data.facets, "suggestion": data.suggestion,
                    "optional_terms": data.optional_terms, "suggested_filters": data.suggested_filters,
                    "notices": data.notices, "page": data.request.page,
                    "per_page": data.request.per_page, "pages": data.pages, "took_ms": data.took_ms,
                    "cached": data.cached, "query": data.request.q}
        return data


class Turn(Shape):
    """A stored turn with its conference's facts (plain text, not HTML)."""
    id: str
    conference_id: str
    conference_title: str
    date: date
    source: PublicSource
    source_url: str
    source_format: str
    seq: Count
    kind: Kind
    outlet: str
    question: str
    speakers: list[str]
    answer: str
    roles: Roles
    deflection: DeflectionName


class Conference(Shape):
    """A conference with all its turns in order."""
    id: str
    title: str
    date: date
    source: PublicSource
    source_url: str
    source_format: str
    officials: list[str]
    turns: list[Turn]


class FacetList(Shape):
    """The values of each requested facet over the whole index (by default every facet and every value)."""
    facets: Facets


class Health(Shape):
    """Serving: the index generation and its size."""
    status: one_of(["ok"])  # type: ignore[valid-type]
    generation: str
    turns: Count
    conferences: Count


class ErrorDetail(Shape):
    code: str = Field(description="bad_request, not_found, method_not_allowed, index_missing, ...")
    message: str = Field(description="What was wrong, naming the parameter or limit")


class Error(Shape):
    """Every error: a 4xx or 503 status with this body."""
    error: ErrorDetail


# An index generation's stats (`searchsvc index stats --json`): the dataclass as it is, field for field.
_STATS_FIELDS: dict[str, Any] = {name: (kind, ...) for name, kind in get_type_hints(IndexStats).items()}
Stats = create_model("Stats", __base__=Shape, __doc__="An index generation's stats.", **_STATS_FIELDS)


# ---- insights ------------------------------------------------------------------------------

class ValueCount(Shape):
    value: str
    count: Count


class Matrix(Shape):
    """Who asked whom: cells[i][j] counts matching turns from outlets[i] answered by speakers[j]; answered[i][j]
    those of them answering a question and deflected[i][j] those marked as deflections (the cell's deflection
    rate is deflected / answered)."""
    total: Count
    attributed: Count
    outlets: list[ValueCount]
    speakers: list[ValueCount]
    cells: list[list[Count]]
    max_cell: Count
    more_outlets: Count
    more_speakers: Count
    answered: list[list[Count]]
    deflected: list[list[Count]]


class Bucket(Shape):
    """One bar: `from`/`to` are start/end clipped to the request's dates (what a click filters on)."""
    start: date
    end: date
    date_from: date = Field(validation_alias="date_from", serialization_alias="from")
    date_to: date = Field(validation_alias="date_to", serialization_alias="to")
    count: Count
    label: str


class Timeline(Shape):
    """Matching turns per week, month or year, every period from the first to the last (zeros included)."""
    interval: one_of(["week", "month", "year"])  # type: ignore[valid-type]
    total: Count = Field(description="Dated matching turns: the buckets' counts add up to it")
    max_count: Count
    buckets: list[Bucket]
    undated: Count = Field(0, description="Matching turns whose document gives no date: counted, in no bucket")


class ConferenceCount(Shape):
    id: str
    title: str
    date: date
    count: Count


class TermScore(Shape):
    term: str
    word: str
    count: Count
    docs: Count
    corpus_count: Count
    g2: float = Field(ge=0)


class AnswerShare(Shape):
    """Answers to questions and how many were deflections (searchsvc/insights/deflections.py)."""
    answers: Count
    deflections: Count
    rate: float = Field(ge=0, le=1)

    @field_validator("rate")
    @classmethod
    def _rounded(cls, rate: float) -> float:
        return round(rate, 4)


class RoleSpan(Shape):
    """A role a speaker held: in how many conferences, first and last date."""
    role: str
    conferences: Count
    first_date: date
    last_date: date


class Profile(Shape):
    """A speaker's or outlet's turns: over time, counterparts (outlets questioning a speaker, officials an outlet
    questions), conferences (newest first) and distinctive words (Dunning G2 against the index)."""
    facet: one_of(["speaker", "outlet"])  # type: ignore[valid-type]
    name: str
    turns: Count
    first_date: date
    last_date: date
    timeline: Timeline
    counterparts: list[ValueCount]
    conference_count: Count
    conferences: list[ConferenceCount]
    terms_field: one_of(["question", "answer"])  # type: ignore[valid-type]
    terms: list[TermScore]
    answers: AnswerShare
    counterpart_answers: list[AnswerShare]
    roles: list[RoleSpan]


class SimilarQuestion(Shape):
    id: str
    conference_id: str
    conference_title: str
    date: date
    outlet: str
    speakers: list[str]
    question: str
    score: float


class SimilarQuestions(Shape):
    """Questions from other conferences like this one, asked before and after it."""
    terms: list[str]
    earlier: list[SimilarQuestion]
    later: list[SimilarQuestion]


# ---- research: trends, concordance, citations ---------------------------------------------

class TrendPoint(Shape):
    period: str = Field(description="The period: 2021-W09 (ISO week), 2021-03, 2021-Q1 or 2021")
    count: Count = Field(description="Matching turns in the period")
    per_1000: float = Field(ge=0, description="Matching turns per 1,000 turns of the period that pass the filters")

    @field_validator("period", mode="before")
    @classmethod
    def _key(cls, period: Any) -> Any:
        return getattr(period, "key", period)


class TrendSeries(Shape):
    q: str
    total: Count = Field(description="Matching turns in all (what /api/search gives as total with the same filters)")
    points: list[TrendPoint] = Field(description="Every period from the first to the last matching turn of any "
                                                 "series, the same periods in every series")
    undated: Count = Field(description="Matching turns whose document gives no date: in total, in no period")


class Trends(Shape):
    """Several queries counted per period under the same filters (an empty `series` without q)."""
    interval: str = Field(description="The interval used (auto resolved): week, month, quarter or year")
    series: list[TrendSeries]


class ConcordanceLine(Shape):
    turn_id: str
    date: date
    who: str = Field(description="The answering official(s) for an answer, the questioner's outlet for a question")
    side: one_of(["question", "answer"])  # type: ignore[valid-type]
    left: str = Field(description="The words before the match (at most `width`)")
    match: str
    right: str = Field(description="The words after the match (at most `width`)")


class Concordance(Shape):
    """Every occurrence of the query in context, one page of lines (no lines without q)."""
    total_turns: Count = Field(description="Turns the query matches (what /api/search gives as total)")
    total_lines: Count = Field(description="Occurrences in the turns read")
    lines: list[ConcordanceLine]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    sort: str
    width: int = Field(ge=1)
    turns_read: Count = Field(description="Turns whose text was read (all of them unless truncated)")
    truncated: bool = Field(description="Only the most recent turns were read")


class Citation(Shape):
    """How to cite one turn."""
    turn_id: str
    text: str = Field(description="Plain-text reference, Chicago notes-bibliography style")
    bibtex: str = Field(description="A BibTeX @misc entry")
    csl: dict[str, Any] = Field(description="One CSL-JSON item (https://citationstyles.org)")


# Every shape the OpenAPI document lists under components/schemas (nested ones come along).
DOCUMENTED = (SearchPage, Turn, Conference, FacetList, Health, Error, Matrix, Timeline, Profile, SimilarQuestions,
              Trends, Concordance, Citation)


# ---- the names callers use ---------------------------------------------------------------

def search_page_to_dict(page: Any) -> dict[str, Any]:
    return SearchPage.dump(page)


def hit_to_dict(hit: Any) -> dict[str, Any]:
    return Hit.dump(hit)


def facet_value_to_dict(value: Any) -> dict[str, Any]:
    return FacetValue.dump(value)


def turn_to_dict(turn: Any) -> dict[str, Any]:
    return Turn.dump(turn)


def conference_to_dict(conference: Any) -> dict[str, Any]:
    return Conference.dump(conference)


def stats_to_dict(stats: Any) -> dict[str, Any]:
    return Stats.dump(stats)
