"""Insights stage: analyses of the turns a search matches: who-asked-whom matrix, timeline, speaker and outlet
profiles (with distinctive terms, see keyterms.py) and re-asked questions (more-like-this on question text).

Every function takes the SearchService and works inside one `service.snapshot()`: the turns counted are
exactly those `search()` counts for the same SearchRequest (same query parsing, filters and relaxing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from ..errors import NotFoundError
from ..index import schema as S
from ..models import FacetValue, SearchRequest, TurnRecord
from ..search.facets import IndexTables, count_values, facet_list
from ..search.generation import Generation
from .days import dated, day_span
from .keyterms import TermScore, distinctive_terms
from .rates import AnswerShare, RoleSpan, answer_masks, share_of, shares_by, speaker_roles

if TYPE_CHECKING:
    from ..search.service import SearchService

MATRIX_ROWS = 12          # outlets shown by default
MATRIX_COLUMNS = 10       # officials shown by default
MATRIX_MAX = 50           # most rows/columns a caller may ask for
INTERVALS = ("auto", "week", "month", "year")
WEEKS_UP_TO_DAYS = 183    # auto: weekly bars for spans up to about six months ...
MONTHS_UP_TO = 240        # ... monthly bars up to 20 years, yearly beyond
EPOCH = date(1970, 1, 1).toordinal()
PROFILE_LIST = 50         # counterparts and conferences listed on a profile
PROFILE_TERMS = 30
SIMILAR_TERMS = 10        # key terms of a question (Whoosh more-like-this, Bo1 model)
SIMILAR_MIN_RATIO = 0.4   # a similar question scores at least this share of the question's own score
SIMILAR_MIN_TERMS = 3     # questions with fewer key terms ("Can I ask one more?") get no similar ones
PROFILE_FACETS = {"speaker": ("outlet", S.ANSWER), "outlet": ("speaker", S.QUESTION)}   # facet -> (other, text)


# ---- results ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """Who asked whom: matching turns per (questioner's outlet, answering official)."""
    outlets: tuple[FacetValue, ...]      # rows; count = matching turns from the outlet that name an official
    speakers: tuple[FacetValue, ...]     # columns; count = matching turns the official answered for an outlet
    cells: tuple[tuple[int, ...], ...]   # cells[i][j]: matching turns from outlets[i] answered by speakers[j]
    total: int                           # matching turns
    attributed: int                      # matching turns with both an outlet and an official
    more_outlets: int                    # outlets (and officials) beyond the rows (columns) shown
    more_speakers: int
    max_cell: int
    answered: tuple[tuple[int, ...], ...] = ()   # answered[i][j]: those of cells[i][j] answering a question ...
    deflected: tuple[tuple[int, ...], ...] = ()  # ... and those marked as deflections (rates.py)


@dataclass(frozen=True)
class Bucket:
    start: date            # first day of the week/month/year
    end: date              # last day
    date_from: date        # start and end clipped to the request's dates: what a click filters on
    date_to: date
    count: int
    label: str


@dataclass(frozen=True)
class Timeline:
    interval: str          # "week" | "month" | "year"
    buckets: tuple[Bucket, ...]
    total: int             # dated turns (the buckets' counts add up to it)
    max_count: int
    undated: int = 0       # turns of the set without a date: counted, not charted


@dataclass(frozen=True)
class ConferenceCount:
    id: str
    title: str
    date: date
    count: int


@dataclass(frozen=True)
class Profile:
    """A speaker's or an outlet's turns at a glance."""
    facet: str                               # "speaker" | "outlet"
    name: str
    turns: int
    first_date: date
    last_date: date
    timeline: Timeline
    counterparts: tuple[FacetValue, ...]     # outlets questioning a speaker / officials an outlet questions
    conferences: tuple[ConferenceCount, ...]  # newest first
    conference_count: int
    terms: tuple[TermScore, ...]
    terms_field: str                         # "answer" (speakers) or "question" (outlets)
    answers: AnswerShare = AnswerShare(0, 0)  # answers given (speaker) or received (outlet), deflections among them
    counterpart_answers: tuple[AnswerShare, ...] = ()   # the same per counterpart, aligned with counterparts
    roles: tuple[RoleSpan, ...] = ()         # roles a speaker held, earliest first


@dataclass(frozen=True)
class SimilarQuestion:
    id: str
    conference_id: str
    conference_title: str
    date: date
    outlet: str
    speakers: tuple[str, ...]
    question: str
    score: float


@dataclass(frozen=True)
class SimilarQuestions:
    terms: tuple[str, ...]                   # the key terms searched for
    earlier: tuple[SimilarQuestion, ...]     # "asked before", most similar first
    later: tuple[SimilarQuestion, ...]       # "asked again"


# ---- matrix and timeline -----------------------------------------------------------------

def who_asked_whom(service: SearchService, request: SearchRequest, rows: int = MATRIX_ROWS,
                   columns: int = MATRIX_COLUMNS) -> Matrix:
    """The outlet x official matrix of the turns `request` matches."""
    with service.snapshot() as snap:
        return matrix_of(snap.tables, snap.mask(request), rows, columns)


def timeline(service: SearchService, request: SearchRequest, interval: str = "auto") -> Timeline:
    """Matching turns per week, month or year ("auto" picks by the span of their dates)."""
    with service.snapshot() as snap:
        return timeline_of(snap.tables, snap.mask(request), request, interval)


def overview(service: SearchService, request: SearchRequest, rows: int = MATRIX_ROWS, columns: int = MATRIX_COLUMNS,
             interval: str = "auto") -> tuple[Matrix, Timeline]:
    """Matrix and timeline from one match (what the results page shows beside the hits)."""
    with service.snapshot() as snap:
        mask = snap.mask(request)
        return matrix_of(snap.tables, mask, rows, columns), timeline_of(snap.tables, mask, request, interval)


def matrix_of(tables: IndexTables, mask: np.ndarray, rows: int = MATRIX_ROWS, columns: int = MATRIX_COLUMNS) -> Matrix:
    docs = np.flatnonzero(mask)
    outlet = tables.codes["outlet"][docs]
    speakers = tables.codes["speaker"][docs]
    if speakers.ndim == 1:
        speakers = speakers[:, None]
    n_speakers = max(1, len(tables.values["speaker"]))
    pairs, counts = _pair_counts(outlet, speakers, n_speakers)
    attributed_rows = (outlet >= 0) & (speakers >= 0).any(axis=1)
    row_totals = np.bincount(outlet[attributed_rows], minlength=len(tables.values["outlet"]))
    col_totals = np.bincount(pairs % n_speakers, weights=counts, minlength=n_speakers).astype(np.int64)
    row_codes = _top(row_totals, tables.values["outlet"], rows)
    col_codes = _top(col_totals, tables.values["speaker"], columns)
    lookup = dict(zip(pairs.tolist(), counts.tolist()))
    cells = tuple(tuple(int(lookup.get(r * n_speakers + c, 0)) for c in col_codes) for r in row_codes)
    answered, deflected = (_cells(np.asarray(m)[docs], outlet, speakers, n_speakers, row_codes, col_codes)
                           for m in answer_masks(tables))
    return Matrix(
        outlets=tuple(FacetValue(tables.values["outlet"][r], int(row_totals[r])) for r in row_codes),
        speakers=tuple(FacetValue(tables.values["speaker"][c], int(col_totals[c])) for c in col_codes),
        cells=cells, total=len(docs), attributed=int(attributed_rows.sum()),
        more_outlets=int((row_totals > 0).sum()) - len(row_codes),
        more_speakers=int((col_totals > 0).sum()) - len(col_codes),
        max_cell=max((max(r) for r in cells if r), default=0), answered=answered, deflected=deflected,
    )


def _pair_counts(outlet: np.ndarray, speakers: np.ndarray, n_speakers: int) -> tuple[np.ndarray, np.ndarray]:
    """(pair keys outlet * n_speakers + official, turns per pair): one pair per turn and official, duplicates once."""
    keys = []
    for k in range(speakers.shape[1]):
        col = speakers[:, k]
        ok = (outlet >= 0) & (col >= 0)
        for j in range(k):
            ok &= col != speakers[:, j]
        keys.append(outlet[ok].astype(np.int64) * n_speakers + col[ok])
    return np.unique(np.concatenate(keys) if keys else np.zeros(0, np.int64), return_counts=True)


def _cells(keep: np.ndarray, outlet: np.ndarray, speakers: np.ndarray, n_speakers: int, row_codes: list[int],
           col_codes: list[int]) -> tuple[tuple[int, ...], ...]:
    """Matrix cells counting only the turns where `keep` (aligned with outlet/speakers) is true."""
    pairs, counts = _pair_counts(outlet[keep], speakers[keep], n_speakers)
    lookup = dict(zip(pairs.tolist(), counts.tolist()))
    return tuple(tuple(int(lookup.get(r * n_speakers + c, 0)) for c in col_codes) for r in row_codes)


def _top(totals: np.ndarray, names: list[str], limit: int) -> list[int]:
    present = np.flatnonzero(totals)
    return sorted(present.tolist(), key=lambda c: (-int(totals[c]), names[c].lower()))[:max(0, limit)]


def _bucket_index(days: np.ndarray, interval: str) -> np.ndarray:
    since = (days.astype(np.int64) - EPOCH)
    if interval == "week":
        return (since + 3) // 7                       # weeks start on Monday (1970-01-01 was a Thursday)
    unit = "M" if interval == "month" else "Y"
    return since.astype("datetime64[D]").astype(f"datetime64[{unit}]").astype(np.int64)


def _bucket_span(index: int, interval: str) -> tuple[date, date, str]:
    if interval == "week":
        start = date.fromordinal(EPOCH - 3 + 7 * index)
        return start, start + timedelta(days=6), f"week of {start.day} {start:%b %Y}"
    if interval == "month":
        year, month = 1970 + index // 12, index % 12 + 1
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return start, end, f"{start:%b %Y}"
    start = date(1970 + index, 1, 1)
    return start, date(start.year, 12, 31), str(start.year)


def pick_interval(first: int, last: int) -> str:
    """The interval "auto" means for dates (ordinals) from `first` to `last`."""
    if last - first <= WEEKS_UP_TO_DAYS:
        return "week"
    months = (date.fromordinal(last).year - date.fromordinal(first).year) * 12 + 12
    return "month" if months <= MONTHS_UP_TO else "year"


def timeline_of(tables: IndexTables, mask: np.ndarray, request: SearchRequest | None = None,
                interval: str = "auto") -> Timeline:
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
    days = tables.day[mask & dated(tables.day)]
    undated = int(mask.sum()) - len(days)
    if not len(days):
        return Timeline(interval="month" if interval == "auto" else interval, buckets=(), total=0, max_count=0,
                        undated=undated)
    if interval == "auto":
        interval = pick_interval(int(days.min()), int(days.max()))
    index = _bucket_index(days, interval)
    low = int(index.min())
    counts = np.bincount(index - low)
    lo = request.date_from if request is not None else None
    hi = request.date_to if request is not None else None
    buckets = []
    for offset, count in enumerate(counts.tolist()):
        start, end, label = _bucket_span(low + offset, interval)
        buckets.append(Bucket(start=start, end=end, date_from=max(start, lo) if lo else start,
                              date_to=min(end, hi) if hi else end, count=int(count), label=label))
    return Timeline(interval=interval, buckets=tuple(buckets), total=len(days), max_count=int(counts.max()),
                    undated=undated)


# ---- profiles ------------------------------------------------------------------------------

def profile(service: SearchService, facet: str, name: str, terms: int = PROFILE_TERMS) -> Profile:
    """A speaker's (facet "speaker") or an outlet's profile; NotFoundError when no turn has that name.
    Cached per index generation (the distinctive terms cost a few hundred milliseconds on a big corpus)."""
    if facet not in PROFILE_FACETS:
        raise ValueError(f"profiles exist for {', '.join(PROFILE_FACETS)}, not {facet!r}")
    other, field = PROFILE_FACETS[facet]
    with service.snapshot() as snap:
        gen = snap.generation
        key = ("profile", facet, name, terms)
        if key in gen.analyses:
            cached: Profile = gen.analyses[key]
            return cached
        tables = gen.tables
        request = SearchRequest().with_filter(facet, (name,))
        mask = snap.mask(request) if name in tables.index[facet] else np.zeros(tables.size, dtype=bool)
        total = int(mask.sum())
        if not total:
            raise NotFoundError(f"no {facet} named {name!r}")
        first_date, last_date = day_span(tables.day[mask])
        confs, conf_count = _conferences(tables, mask)
        counterparts = tuple(facet_list(tables, other, count_values(tables, other, mask), limit=PROFILE_LIST))
        answered, deflected = shares_by(tables, other, mask)
        codes = [tables.index[other][v.value] for v in counterparts]
        found = gen.analyses[key] = Profile(
            facet=facet, name=name, turns=total, first_date=first_date,
            last_date=last_date, timeline=timeline_of(tables, mask, request),
            counterparts=counterparts, conferences=confs, conference_count=conf_count,
            terms=tuple(distinctive_terms(gen, mask, field, terms)), terms_field=field,
            answers=share_of(tables, mask),
            counterpart_answers=tuple(AnswerShare(int(answered[c]), int(deflected[c])) for c in codes),
            roles=speaker_roles(gen.reader, tables, name, mask) if facet == "speaker" else (),
        )
        return found


def _conferences(tables: IndexTables, mask: np.ndarray) -> tuple[tuple[ConferenceCount, ...], int]:
    docs = np.flatnonzero(mask)
    codes = tables.codes["conference"][docs]
    present, first, counts = np.unique(codes[codes >= 0], return_index=True, return_counts=True)
    days = tables.day[docs[codes >= 0][first]]
    order = np.lexsort((present, -days))[:PROFILE_LIST]
    names = tables.values["conference"]
    listed = tuple(ConferenceCount(id=names[present[i]], title=tables.titles.get(names[present[i]], ""),
                                   date=date.fromordinal(int(days[i])), count=int(counts[i])) for i in order)
    return listed, len(present)


# ---- re-asked questions -----------------------------------------------------------------

def similar_questions(service: SearchService, turn_id: str, limit: int = 5) -> SimilarQuestions:
    """Questions from other conferences most like this turn's question (Whoosh's more-like-this key terms,
    scored with BM25F over question text), split into those asked before it and after it."""
    with service.snapshot() as snap:
        gen = snap.generation
        key = ("similar", turn_id, limit)
        if key in gen.analyses:
            similar: SimilarQuestions = gen.analyses[key]
            return similar
        found = gen.analyses[key] = _similar_questions(gen, gen.docnum(turn_id), limit)
        return found


def _similar_questions(gen: Generation, docnum: int, limit: int) -> SimilarQuestions:
    question = gen.stored(docnum).get(S.QUESTION, "")
    if not question.strip():
        return SimilarQuestions((), (), ())
    key_terms = gen.key_terms(S.QUESTION, question, SIMILAR_TERMS)
    if len(key_terms) < SIMILAR_MIN_TERMS:
        return SimilarQuestions(tuple(t for t, _ in key_terms), (), ())
    tables = gen.tables
    scores = gen.docsets.scores([(S.QUESTION, term, weight) for term, weight in key_terms])
    conference = tables.codes["conference"]
    floor = max(1e-6, SIMILAR_MIN_RATIO * float(scores[docnum]))
    ok = (scores >= floor) & tables.live & (conference != conference[docnum]) & (tables.lengths[S.QUESTION] > 0)
    mine = tables.rank[docnum]

    def best(side: np.ndarray) -> tuple[SimilarQuestion, ...]:
        docs = np.flatnonzero(side)
        docs = docs[np.lexsort((tables.rank[docs], -scores[docs]))][:limit]
        return tuple(_similar(gen.record(int(d)), float(scores[d])) for d in docs)

    return SimilarQuestions(terms=tuple(t for t, _ in key_terms), earlier=best(ok & (tables.rank < mine)),
                            later=best(ok & (tables.rank > mine)))


def _similar(record: TurnRecord, score: float) -> SimilarQuestion:
    return SimilarQuestion(id=record.id, conference_id=record.conference_id, conference_title=record.conference_title,
                           date=record.date, outlet=record.outlet, speakers=record.speakers, question=record.question,
                           score=round(score, 4))
