"""Search stage: SearchService: ranked, filtered, faceted, highlighted pages over the current index generation.

The service holds the open Generation (generation.py) and its lock; matching and ranking live in
matching.py, facet counts in facets.py. Snapshot gives analytics and exports the same matches as search().
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np

from ..config import Settings
from ..errors import IndexUnreadableError, NotFoundError
from ..index import schema as S
from ..index import whoosh_private as W
from ..index.verify import DamageMemo
from ..models import FACETS, ConferenceRecord, FacetValue, Hit, IndexStats, SearchPage, SearchRequest, TurnRecord
from .facets import count_values, facet_list, page_facets
from .generation import Generation, open_current, roles_of, speakers_of
from .highlight import Term, highlight
from .matching import match, rank
from .parameters import validate_request
from .querying import highlight_terms, past_paging_depth

log = logging.getLogger(__name__)

NOTICE_BUDGET = ("The search reached its time budget, so extras were skipped (turns with only some of "
                 "the words, spelling suggestions).")


class SearchService:
    """Searches the current index generation; one per process, reused across requests (thread-safe)."""

    def __init__(self, settings: Settings):
        notice = W.version_notice()       # another Whoosh than the pinned one: said once, at start
        if notice:
            log.warning("%s", notice)
        self.settings = settings
        self._lock = threading.RLock()
        self._open: Generation | None = None
        self._damage = DamageMemo()          # a generation found damaged is not checked again per request

    # ---- lifecycle ------------------------------------------------------------------

    def _current(self) -> Generation:
        """The open generation, reopened when CURRENT has moved on. Caller holds the lock."""
        opened = open_current(self.settings, self._open, self._damage.guard)
        if opened is not self._open:
            old, self._open = self._open, opened
            if old is not None:
                old.close()
        return opened

    def current(self) -> Generation:
        """The open generation (reopened when CURRENT moved on). Not thread-safe on its own: for one thread's
        brief use (tests, tools); concurrent callers go through search() or snapshot()."""
        with self._lock:
            return self._current()

    def diagnose(self) -> IndexUnreadableError | None:
        """After an unexpected error: the damage found in the open generation's files (it then sticks: every
        later request of that generation gets it), or None when they are as built (a bug, not damage)."""
        with self._lock:
            guard = self._open.guard if self._open is not None else None
            return guard.diagnose() if guard is not None else None

    @property
    def generation(self) -> str:
        with self._lock:
            return self._current().name

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None

    def stats(self) -> IndexStats:
        with self._lock:
            return self._current().stats

    # ---- search ---------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        started = time.perf_counter()
        limits = self.settings.search
        validate_request(request, limits)
        with self._lock:
            gen = self._current()
            cached = gen.pages.get(request)
            if cached is not None:          # repeated query on the same generation: a new index empties the cache
                return replace(cached, took_ms=_ms_since(started), cached=True)
            with gen.time_budget(limits.time_budget_ms):   # opening does not count
                page = self._search(request, gen, started)
            gen.pages[request] = page
            return page

    def _search(self, request: SearchRequest, gen: Generation, started: float) -> SearchPage:
        """One search on an open generation (the caller holds the lock)."""
        found = match(request, gen, self.settings.search)
        if past_paging_depth(request, self.settings.search):     # no hits; match() added a notice saying why
            top, scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        else:
            top, scores = rank(gen, found, request)
        terms = highlight_terms(found.query)
        hits = tuple(self._hit(gen.stored(int(d)), float(scores[i]), terms) for i, d in enumerate(top))
        suggestion, skipped = None, found.skipped
        if found.parsed.query is not None:
            suggestion, cut = gen.speller.suggest(found.parsed, request.scope, gen.docsets.over_budget)
            skipped = skipped or cut
        return SearchPage(
            request=request, total=found.total, hits=hits,
            facets=MappingProxyType(page_facets(gen.tables, found.base, found.filters, request)),
            suggestion=suggestion,
            optional_terms=tuple(w for w, _ in found.parsed.plain) if found.matched is not None else (),
            notices=found.notices + ((NOTICE_BUDGET,) if skipped else ()), took_ms=_ms_since(started),
            suggested_filters=found.suggested,
        )

    def _hit(self, f: Mapping[str, Any], score: float, terms: dict[str, set[Term]]) -> Hit:
        limits = self.settings.search
        return Hit(
            id=f[S.ID_FIELD], conference_id=f[S.CONFERENCE], conference_title=f.get(S.TITLE, ""),
            date=f[S.DATE].date(), source=f.get(S.SOURCE, ""), source_url=f.get(S.SOURCE_URL, ""),
            seq=f[S.SEQ], kind=f.get(S.KIND, ""), outlet=f.get(S.OUTLET, ""), speakers=speakers_of(f),
            question_html=highlight(f.get(S.QUESTION, ""), terms[S.QUESTION], limits.fragment_chars,
                                    limits.max_fragments),
            answer_html=highlight(f.get(S.ANSWER, ""), terms[S.ANSWER], limits.fragment_chars, limits.max_fragments),
            score=round(score, 4), roles=roles_of(f), deflection=f.get(S.DEFLECTION, ""),
        )

    # ---- records ----------------------------------------------------------------------

    def get_turn(self, turn_id: str) -> TurnRecord:
        with self._lock:
            gen = self._current()
            return gen.record(gen.docnum(turn_id))

    def get_conference(self, conference_id: str) -> ConferenceRecord:
        with self._lock:
            gen = self._current()
            docnums = gen.conference_docnums(conference_id)
            if not docnums:
                raise NotFoundError(f"no conference with id {conference_id!r}")
            first = gen.stored(docnums[0])
            turns = tuple(sorted((gen.record(d) for d in docnums), key=lambda t: t.seq))
        return ConferenceRecord(
            id=turns[0].conference_id, title=turns[0].conference_title, date=turns[0].date, source=turns[0].source,
            source_url=turns[0].source_url, source_format=turns[0].source_format,
            officials=tuple(first.get(S.OFFICIALS, ())), turns=turns,
        )

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """The current generation, under the service lock, for analyses built on search (analytics, export)."""
        with self._lock:
            yield Snapshot(self._current(), self.settings)

    def facet_values(self) -> Mapping[str, tuple[FacetValue, ...]]:
        """Every value of each facet with its count over the whole index."""
        with self._lock:
            gen = self._current()
            if gen.all_facets is None:
                tables = gen.tables
                gen.all_facets = MappingProxyType({
                    f: tuple(facet_list(tables, f, count_values(tables, f, tables.live), limit=None)) for f in FACETS})
            return gen.all_facets


class Snapshot:
    """One open generation seen through the search API; valid only inside SearchService.snapshot().

    `mask` and `ordered` give exactly the turns (and order) search() gives for a request. `generation` is
    the open Generation (tables, stored fields, term statistics, `analyses` cache); callers get numpy
    masks/docnums and models, never Whoosh objects.
    """

    def __init__(self, generation: Generation, settings: Settings):
        self.generation = generation
        self.tables = generation.tables
        self._limits = settings.search

    def mask(self, request: SearchRequest) -> np.ndarray:
        """bool[size]: the turns matching `request` (query, filters, dates): what search() counts as total."""
        validate_request(request, self._limits)
        with self.generation.time_budget(self._limits.time_budget_ms):
            return match(request, self.generation, self._limits).final

    def ordered(self, request: SearchRequest, limit: int) -> tuple[int, np.ndarray]:
        """(total, docnums of the first `limit` matching turns in the request's sort order)."""
        validate_request(request, self._limits)
        with self.generation.time_budget(self._limits.time_budget_ms):
            found = match(request, self.generation, self._limits)
            docs, _ = rank(self.generation, found, replace(request, page=1, per_page=max(1, limit)))
        return found.total, docs[:max(0, limit)]

    def detached_records(self, docnums: Iterable[int]) -> Iterator[TurnRecord]:
        return self.generation.detached_records(docnums)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
