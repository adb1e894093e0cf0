"""Search stage: SearchService: ranked, filtered, faceted, highlighted pages over the current index generation."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from whoosh import index as whoosh_index, query as Q
from whoosh.support.levenshtein import damerau_levenshtein

from . import schema as S
from .config import Settings
from .errors import IndexMissingError, NotFoundError
from .analysis import TOKEN_RE, fold_word, term_for_token
from .facets import FacetTables, count_values, docs_with_values, facet_list, load_facet_tables
from .highlight import highlight
from .indexing import current_generation, index_root, read_stats
from .models import FACETS, ConferenceRecord, FacetValue, Hit, IndexStats, SearchPage, SearchRequest, TurnRecord
from .querying import SCOPE_FIELDS, ParsedQuery, highlight_terms, parse_query, validate_request

RELAX_BELOW = 10        # fewer turns than this contain every word: also show turns with most of them
RELAX_BONUS = 1000.0    # per matched word when relaxing, so turns with more of the words rank first
NOTICE_RELAXED = "Few turns contain all the words; turns with most of them follow."


@dataclass
class _Open:
    generation: str
    ix: object
    searcher: object
    tables: FacetTables
    all_facets: dict | None = None


def _request_filters(request: SearchRequest) -> dict[str, tuple[str, ...]]:
    return {
        "speaker": tuple(request.speakers), "outlet": tuple(request.outlets),
        "conference": tuple(request.conferences), "year": tuple(str(y) for y in request.years),
    }


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
            except (OSError, whoosh_index.EmptyIndexError):
                continue  # the generation vanished between reading CURRENT and opening it; read CURRENT again
            searcher = ix.searcher()
            opened = _Open(gen, ix, searcher, load_facet_tables(searcher.reader()))
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
            searcher, tables = op.searcher, op.tables
            parsed = parse_query(request, op.ix.schema, searcher.reader(), limits)
            notices = list(parsed.notices)
            base = self._base_docs(searcher, tables, parsed, request)
            filters = {f: docs_with_values(tables, f, v) for f, v in _request_filters(request).items() if v}
            final = _intersect(base, filters.values())
            matched = None
            if len(parsed.plain) >= 2 and len(final) < RELAX_BELOW:
                relaxed, matched = self._relaxed_docs(searcher, tables, parsed, request)
                relaxed_final = _intersect(relaxed, filters.values())
                if len(relaxed_final) > len(final):
                    base, final = relaxed, relaxed_final
                    notices.append(NOTICE_RELAXED)
                else:
                    matched = None
            facets = self._facets(tables, base, filters, request)
            top = self._rank(searcher, tables, parsed, request, final, matched)
            terms = highlight_terms(parsed.query)
            hits = [self._hit(searcher.stored_fields(d), score, terms) for d, score in top]
            suggestion = self._suggest(searcher, parsed, request.scope) if parsed.query is not None else None
        return SearchPage(
            request=request, total=len(final), hits=hits, facets=facets, suggestion=suggestion,
            optional_terms=tuple(w for w, _ in parsed.plain) if matched is not None else (),
            notices=tuple(notices), took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _base_docs(self, searcher, tables: FacetTables, parsed: ParsedQuery, request: SearchRequest) -> set[int]:
        if parsed.query is None:
            docs = set() if parsed.empty else set(tables.live)
        else:
            docs = set(searcher.docs_for_query(parsed.query))
        return _date_range(docs, tables, request)

    def _relaxed_docs(self, searcher, tables, parsed: ParsedQuery, request) -> tuple[set[int], dict[int, int]]:
        """Turns with at least half of the plain words (and every required part), with their match counts."""
        positive = [r for r in parsed.required if not isinstance(r, Q.Not)]
        negative = [r.query for r in parsed.required if isinstance(r, Q.Not)]
        allowed = set(searcher.docs_for_query(Q.And(positive))) if positive else set(tables.live)
        if negative:
            allowed -= set(searcher.docs_for_query(Q.Or(negative)))
        counts = Counter(chain.from_iterable(set(searcher.docs_for_query(q)) for _, q in parsed.plain))
        need = len(parsed.plain) - len(parsed.plain) // 2
        matched = {d: c for d, c in counts.items() if c >= need and d in allowed}
        return _date_range(set(matched), tables, request), matched

    def _facets(self, tables, base: set[int], filters: dict[str, set[int]], request) -> dict[str, list[FacetValue]]:
        selected = _request_filters(request)
        out = {}
        for facet in FACETS:
            others = [docs for f, docs in filters.items() if f != facet]
            docs = _intersect(base, others)
            out[facet] = facet_list(tables, facet, count_values(tables, facet, docs), selected[facet])
        return out

    def _rank(self, searcher, tables, parsed, request, final: set[int], matched) -> list[tuple[int, float]]:
        start, end = (request.page - 1) * request.per_page, request.page * request.per_page
        if not final or start >= len(final):
            return []
        if request.sort == "relevance" and parsed.query is not None:
            q = parsed.query if matched is None else _relaxed_rank_query(parsed)
            results = searcher.search(q, filter=final, limit=end)
            return [(hit.docnum, float(hit.score or 0.0)) for hit in results[start:end]]
        rank = tables.rank
        if matched is not None:
            key = (lambda d: (matched.get(d, 0), rank[d])) if request.sort != "oldest" else \
                  (lambda d: (matched.get(d, 0), -rank[d]))
            ordered = heapq.nlargest(end, final, key=key)
        elif request.sort == "oldest":
            ordered = heapq.nsmallest(end, final, key=rank.__getitem__)
        else:
            ordered = heapq.nlargest(end, final, key=rank.__getitem__)
        return [(d, 0.0) for d in ordered[start:end]]

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

    def _suggest(self, searcher, parsed: ParsedQuery, scope: str) -> str | None:
        """Did-you-mean: the query with each unknown word replaced by the closest indexed word."""
        fields = [f for f in (S.ANSWER, S.QUESTION) if f in SCOPE_FIELDS[scope]]
        reader = searcher.reader()
        spans = {}
        for leaf in parsed.query.leaves():
            if isinstance(leaf, Q.Term) and leaf.fieldname in fields and getattr(leaf, "startchar", None) is not None:
                spans.setdefault((leaf.startchar, leaf.endchar), []).append(leaf)
        text, changed = parsed.text, False
        for (start, end), leaves in sorted(spans.items(), reverse=True):
            if any(reader.doc_frequency(leaf.fieldname, leaf.text) for leaf in leaves):
                continue
            word = fold_word(text[start:end])
            for field in fields:
                stems = searcher.corrector(field).suggest(leaves[0].text, limit=1, maxdist=2, prefix=1)
                surface = _surface_form(searcher, field, stems[0], word) if stems else None
                if surface and surface != word:
                    text, changed = text[:start] + surface + text[end:], True
                    break
        return text if changed else None

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

    def facet_values(self) -> dict[str, list[FacetValue]]:
        """Every value of each facet with its count over the whole index."""
        with self._lock:
            op = self._current()
            if op.all_facets is None:
                op.all_facets = {f: facet_list(op.tables, f, count_values(op.tables, f, op.tables.live), limit=None)
                                 for f in FACETS}
            return op.all_facets


def _intersect(base: set[int], others) -> set[int]:
    out = base
    for docs in sorted(others, key=len):
        out = out & docs
    return out


def _date_range(docs: set[int], tables: FacetTables, request: SearchRequest) -> set[int]:
    if request.date_from is None and request.date_to is None:
        return docs
    lo = request.date_from.toordinal() if request.date_from else 0
    hi = request.date_to.toordinal() if request.date_to else 10**7
    day = tables.day
    return {d for d in docs if lo <= day[d] <= hi}


def _relaxed_rank_query(parsed: ParsedQuery) -> Q.Query:
    scoring = [r for r in parsed.required if not isinstance(r, Q.Not)]
    plain = [q for _, q in parsed.plain]
    return Q.Or(scoring + plain + [Q.ConstantScoreQuery(q, RELAX_BONUS) for q in plain])


def _surface_form(searcher, field: str, term: str, near: str) -> str | None:
    """A word as written in the texts whose index term is `term` (stems are not for reading), closest to `near`."""
    for docnum in searcher.reader().postings(field, term).all_ids():
        stored = searcher.stored_fields(docnum).get(field, "")
        forms = {fold_word(m.group()) for m in TOKEN_RE.finditer(stored) if term_for_token(m.group()) == term}
        if forms:
            return min(forms, key=lambda f: (damerau_levenshtein(f, near), f))
        break
    return None


def _speakers(f: dict) -> tuple[str, ...]:
    return tuple(s for s in f.get(S.SPEAKER, "").split(",") if s)


def _turn_record(f: dict) -> TurnRecord:
    return TurnRecord(
        id=f[S.ID_FIELD], conference_id=f[S.CONFERENCE], conference_title=f.get(S.TITLE, ""),
        date=f[S.DATE].date(), source=f.get(S.SOURCE, ""), source_url=f.get(S.SOURCE_URL, ""),
        source_format=f.get(S.SOURCE_FORMAT, ""), seq=f[S.SEQ], kind=f.get(S.KIND, ""), outlet=f.get(S.OUTLET, ""),
        question=f.get(S.QUESTION, ""), speakers=_speakers(f), answer=f.get(S.ANSWER, ""),
    )
