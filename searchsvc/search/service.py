"""Search stage: SearchService: ranked, filtered, faceted, highlighted pages over the current index generation."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q

from ..config import Settings
from ..errors import IndexMissingError, NotFoundError, QueryBudgetError
from ..index import schema as S
from ..index.store import current_generation, index_root, read_stats
from ..models import FACETS, ConferenceRecord, FacetValue, Hit, IndexStats, SearchPage, SearchRequest, TurnRecord
from .docsets import DocSets
from .facets import IndexTables, count_docs, count_values, facet_list, load_tables, values_mask
from .highlight import highlight
from .querying import (
    ParsedQuery,
    highlight_terms,
    parse_query,
    past_paging_depth,
    request_notices,
    scoring_terms,
    validate_request,
    widen_word,
)
from .spelling import Speller

RELAX_BELOW = 10        # fewer turns than this contain every word: also show turns with most of them
RELAX_BONUS = 1000.0    # per matched word when relaxing, so turns with more of the words rank first
NOTICE_RELAXED = "Few turns contain all the words; turns with most of them follow."
NOTICE_BUDGET = ("The search reached its time budget, so extras were skipped (turns with only some of "
                 "the words, spelling suggestions).")


@dataclass
class _Open:
    generation: str
    ix: object
    searcher: object
    tables: IndexTables
    docsets: DocSets
    speller: Speller
    all_facets: dict | None = None
    cache: OrderedDict = field(default_factory=OrderedDict)   # analyses of this generation (Snapshot.cache)
    pages: OrderedDict = field(default_factory=OrderedDict)   # SearchRequest -> SearchPage of this generation


@dataclass
class _Match:
    """What a request matches (search() counts and pages `final`) and how it was matched."""
    parsed: ParsedQuery
    base: np.ndarray                 # query and dates, before the facet filters
    filters: dict[str, np.ndarray]   # facet -> turns having a selected value
    final: np.ndarray                # everything applied: the result set
    matched: np.ndarray | None       # words each turn has, when relaxed
    query: object                    # the query that ranks and highlights
    notices: list[str]
    skipped: bool                    # an optional extra was left out (time budget)


class SearchService:
    """Searches the current index generation; one per process, reused across requests (thread-safe)."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._lock = threading.RLock()
        self._open: _Open | None = None

    # ---- lifecycle ------------------------------------------------------------------

    def _current(self) -> _Open:
        """The open generation, reopened when CURRENT has moved on. Caller holds the lock."""
        for _attempt in range(3):
            gen = current_generation(self._settings)
            if gen is None:
                raise IndexMissingError(f"no index at {index_root(self._settings)}: run `searchsvc index rebuild` first")
            if self._open is not None and self._open.generation == gen:
                return self._open
            try:
                ix = whoosh_index.open_dir(str(index_root(self._settings) / gen))
                searcher = ix.searcher()
            except (OSError, whoosh_index.EmptyIndexError):
                continue  # the generation vanished between reading CURRENT and opening it; read CURRENT again
            tables = load_tables(searcher.reader())
            opened = _Open(gen, ix, searcher, tables, DocSets(searcher, tables), Speller(searcher))
            old, self._open = self._open, opened
            if old is not None:
                old.searcher.close()
            return opened
        raise IndexMissingError(f"index at {index_root(self._settings)} keeps changing; try again")

    @property
    def generation(self) -> str:
        with self._lock:
            return self._current().generation

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.searcher.close()
                self._open = None

    def stats(self) -> IndexStats:
        with self._lock:
            return read_stats(self._settings, self._current().generation)

    # ---- search ---------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        started = time.perf_counter()
        limits = self._settings.search
        validate_request(request, limits)
        with self._lock:
            op = self._current()
            cached = op.pages.get(request)
            if cached is not None:          # repeated query on the same generation: a new index empties the cache
                op.pages.move_to_end(request)
                return replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 2), cached=True)
            op.docsets.deadline = time.perf_counter() + limits.time_budget_ms / 1000  # opening does not count
            try:
                page = self._search(request, op, started)
            finally:
                op.docsets.deadline = None
            op.pages[request] = page
            while len(op.pages) > limits.result_cache_size:
                op.pages.popitem(last=False)
            return page

    def _match(self, request: SearchRequest, op: _Open) -> _Match:
        """The turns a request matches (query, dates, filters; relaxed when few turns have every word).
        search() and Snapshot (analytics, export) both count and order exactly these."""
        limits = self._settings.search
        searcher, tables, docsets = op.searcher, op.tables, op.docsets
        parsed = parse_query(request, searcher.schema, searcher.reader(), limits)   # ix.schema rereads the TOC
        notices = list(parsed.notices) + request_notices(request, limits)
        base = _date_range(self._base_mask(docsets, tables, parsed), tables, request)
        filters = {f: values_mask(tables, f, v) for f, v in request.filters().items() if v}
        final = _intersect(base, filters.values())
        matched, shown_query, skipped = None, parsed.query, False
        if len(parsed.plain) >= 2 and int(final.sum()) < RELAX_BELOW:
            # Optional extra: when the budget runs out it is left out (with a notice), not the whole search.
            try:
                docsets.check_time()
                widened = [widen_word(q, searcher.reader()) for _, q in parsed.plain]
                relaxed, counts = self._relaxed(docsets, tables, parsed, widened)
            except QueryBudgetError:
                skipped = True
            else:
                relaxed = _date_range(relaxed, tables, request)
                relaxed_final = _intersect(relaxed, filters.values())
                if int(relaxed_final.sum()) > int(final.sum()):
                    base, final, matched = relaxed, relaxed_final, counts
                    shown_query = Q.Or(widened + [r for r in parsed.required if not isinstance(r, Q.Not)])
                    notices.append(NOTICE_RELAXED)
        return _Match(parsed, base, filters, final, matched, shown_query, notices, skipped)

    def _search(self, request: SearchRequest, op: _Open, started: float) -> SearchPage:
        """One search on an open generation (the caller holds the lock)."""
        searcher, tables, docsets = op.searcher, op.tables, op.docsets
        m = self._match(request, op)
        parsed, base, filters, final, matched = m.parsed, m.base, m.filters, m.final, m.matched
        shown_query, notices, skipped = m.query, m.notices, m.skipped
        facets = self._facets(tables, base, filters, request)
        if past_paging_depth(request, self._settings.search):
            top, scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        else:
            top, scores = self._rank(docsets, tables, shown_query, request, final, matched)
        terms = highlight_terms(shown_query)
        hits = [self._hit(searcher.stored_fields(int(d)), float(scores[i]), terms) for i, d in enumerate(top)]
        suggestion = None
        if parsed.query is not None:
            suggestion, cut = op.speller.suggest(parsed, request.scope, docsets.over_budget)
            skipped = skipped or cut
        if skipped:
            notices.append(NOTICE_BUDGET)
        return SearchPage(
            request=request, total=int(final.sum()), hits=hits, facets=facets, suggestion=suggestion,
            optional_terms=tuple(w for w, _ in parsed.plain) if matched is not None else (),
            notices=tuple(notices), took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _base_mask(self, docsets: DocSets, tables: IndexTables, parsed: ParsedQuery) -> np.ndarray:
        if parsed.query is None:
            return np.zeros(tables.size, dtype=bool) if parsed.empty else tables.live.copy()
        return docsets.mask(parsed.query)

    def _relaxed(self, docsets: DocSets, tables: IndexTables, parsed: ParsedQuery, words) -> tuple[np.ndarray, np.ndarray]:
        """Turns with at least half of the (widened) plain words and every required part; each turn's word count."""
        allowed = tables.live.copy()
        for part in parsed.required:
            allowed &= docsets.mask(part)
        counts = np.zeros(tables.size, dtype=np.int16)
        for q in words:
            counts += docsets.mask(q)
        need = len(parsed.plain) - len(parsed.plain) // 2
        return allowed & (counts >= need), counts

    def _facets(self, tables, base: np.ndarray, filters: dict[str, np.ndarray], request) -> dict[str, list[FacetValue]]:
        selected = request.filters()
        out, docs_for = {}, {}
        for facet in FACETS:
            others = tuple(f for f in filters if f != facet)   # disjunctive: a facet's own filter left out
            if others not in docs_for:
                docs_for[others] = np.flatnonzero(_intersect(base, [filters[f] for f in others]))
            out[facet] = facet_list(tables, facet, count_docs(tables, facet, docs_for[others]), selected[facet])
        return out

    def _rank(self, docsets: DocSets, tables: IndexTables, query, request, final: np.ndarray,
              matched) -> tuple[np.ndarray, np.ndarray]:
        """Docnums of the requested page, and their scores (0 for date sorts)."""
        start, end = (request.page - 1) * request.per_page, request.page * request.per_page
        docs = np.flatnonzero(final)
        if start >= len(docs):
            return docs[:0], np.zeros(0, dtype=np.float32)
        newest_first = tables.rank[docs].astype(np.float64)
        if request.sort == "oldest":
            newest_first = -newest_first
        terms = scoring_terms(query) if request.sort == "relevance" else []
        scores = docsets.scores(terms)[docs] if terms else np.zeros(len(docs), dtype=np.float32)
        if matched is not None:
            scores = scores + RELAX_BONUS * matched[docs]
            keys = (newest_first, scores) if request.sort == "relevance" else (newest_first, matched[docs])
        else:
            keys = (newest_first, scores) if terms else (newest_first,)
        if len(docs) > end:   # only the first `end` matter: partition on the main key, then sort those
            main = keys[-1]
            cut = np.partition(main, len(main) - end)[len(main) - end]
            keep = np.flatnonzero(main >= cut)
            docs, scores, keys = docs[keep], scores[keep], tuple(k[keep] for k in keys)
        order = np.lexsort(tuple(-k for k in keys))[start:end]
        shown = scores[order] if request.sort == "relevance" else np.zeros(len(order), dtype=np.float32)
        return docs[order], shown

    def _hit(self, f: dict, score: float, terms: dict[str, set[str]]) -> Hit:
        limits = self._settings.search
        return Hit(
            id=f[S.ID_FIELD], conference_id=f[S.CONFERENCE], conference_title=f.get(S.TITLE, ""),
            date=f[S.DATE].date(), source=f.get(S.SOURCE, ""), source_url=f.get(S.SOURCE_URL, ""),
            seq=f[S.SEQ], kind=f.get(S.KIND, ""), outlet=f.get(S.OUTLET, ""), speakers=_speakers(f),
            question_html=highlight(f.get(S.QUESTION, ""), terms[S.QUESTION], limits.fragment_chars, limits.max_fragments),
            answer_html=highlight(f.get(S.ANSWER, ""), terms[S.ANSWER], limits.fragment_chars, limits.max_fragments),
            score=round(score, 4),
        )

    # ---- records ----------------------------------------------------------------------

    def get_turn(self, turn_id: str) -> TurnRecord:
        with self._lock:
            searcher = self._current().searcher
            docnum = searcher.document_number(id=str(turn_id))
            if docnum is None:
                raise NotFoundError(f"no turn with id {turn_id!r}")
            return _turn_record(searcher.stored_fields(docnum))

    def get_conference(self, conference_id: str) -> ConferenceRecord:
        with self._lock:
            searcher = self._current().searcher
            fields = [searcher.stored_fields(d) for d in searcher.document_numbers(conference=str(conference_id))]
        if not fields:
            raise NotFoundError(f"no conference with id {conference_id!r}")
        turns = sorted((_turn_record(f) for f in fields), key=lambda t: t.seq)
        first = fields[0]
        return ConferenceRecord(
            id=turns[0].conference_id, title=turns[0].conference_title, date=turns[0].date, source=turns[0].source,
            source_url=turns[0].source_url, source_format=turns[0].source_format,
            officials=tuple(first.get(S.OFFICIALS, ())), turns=turns,
        )

    @contextmanager
    def snapshot(self):
        """The current generation, under the service lock, for analyses built on search (analytics, export)."""
        with self._lock:
            yield Snapshot(self, self._current())

    def facet_values(self) -> dict[str, list[FacetValue]]:
        """Every value of each facet with its count over the whole index."""
        with self._lock:
            op = self._current()
            if op.all_facets is None:
                op.all_facets = {f: facet_list(op.tables, f, count_values(op.tables, f, op.tables.live), limit=None)
                                 for f in FACETS}
            return op.all_facets


class Snapshot:
    """One open generation seen through the search API; valid only inside SearchService.snapshot().

    `mask` and `ordered` give exactly the turns (and order) search() gives for a request; `cache` lives as
    long as the generation. Callers get numpy masks/docnums and models, never Whoosh objects.
    """

    def __init__(self, service: SearchService, op: _Open):
        self._service, self._op = service, op
        self.generation, self.tables, self.docsets, self.searcher = op.generation, op.tables, op.docsets, op.searcher
        self.cache = op.cache

    @contextmanager
    def _budget(self):
        limits = self._service._settings.search
        self.docsets.deadline = time.perf_counter() + limits.time_budget_ms / 1000
        try:
            yield
        finally:
            self.docsets.deadline = None

    def mask(self, request: SearchRequest) -> np.ndarray:
        """bool[size]: the turns matching `request` (query, filters, dates): what search() counts as total."""
        validate_request(request, self._service._settings.search)
        with self._budget():
            return self._service._match(request, self._op).final

    def ordered(self, request: SearchRequest, limit: int) -> tuple[int, np.ndarray]:
        """(total, docnums of the first `limit` matching turns in the request's sort order)."""
        validate_request(request, self._service._settings.search)
        with self._budget():
            m = self._service._match(request, self._op)
            first = replace(request, page=1, per_page=max(1, limit))
            docs, _ = self._service._rank(self.docsets, self.tables, m.query, first, m.final, m.matched)
        return int(m.final.sum()), docs[:max(0, limit)]

    def stored(self, docnum: int) -> dict:
        return self.searcher.stored_fields(int(docnum))

    def record(self, docnum: int) -> TurnRecord:
        return _turn_record(self.stored(docnum))

    def docnum(self, turn_id: str) -> int:
        found = self.searcher.document_number(id=str(turn_id))
        if found is None:
            raise NotFoundError(f"no turn with id {turn_id!r}")
        return found

    def detached_records(self, docnums) -> Iterator[TurnRecord]:
        """TurnRecords of `docnums`, read lazily through a private searcher of this generation: iterate them
        after the snapshot (streaming a response) without the service lock, even if the generation moves on."""
        ix = self._op.ix

        def read():
            searcher = ix.searcher()
            try:
                for d in docnums:
                    yield _turn_record(searcher.stored_fields(int(d)))
            finally:
                searcher.close()
        return read()


def _intersect(base: np.ndarray, others) -> np.ndarray:
    out = base
    for mask in others:
        out = out & mask
    return out


def _date_range(mask: np.ndarray, tables: IndexTables, request: SearchRequest) -> np.ndarray:
    if request.date_from is None and request.date_to is None:
        return mask
    lo = request.date_from.toordinal() if request.date_from else 0
    hi = request.date_to.toordinal() if request.date_to else 10**7
    return mask & (tables.day >= lo) & (tables.day <= hi)


def _speakers(f: dict) -> tuple[str, ...]:
    return tuple(s for s in f.get(S.SPEAKER, "").split(",") if s)


def _turn_record(f: dict) -> TurnRecord:
    return TurnRecord(
        id=f[S.ID_FIELD], conference_id=f[S.CONFERENCE], conference_title=f.get(S.TITLE, ""),
        date=f[S.DATE].date(), source=f.get(S.SOURCE, ""), source_url=f.get(S.SOURCE_URL, ""),
        source_format=f.get(S.SOURCE_FORMAT, ""), seq=f[S.SEQ], kind=f.get(S.KIND, ""), outlet=f.get(S.OUTLET, ""),
        question=f.get(S.QUESTION, ""), speakers=_speakers(f), answer=f.get(S.ANSWER, ""),
    )
