"""Search stage: Generation: what is open of one index generation (searcher, column tables, postings, stats).

The only holder of the Whoosh searcher: the service, analytics, key terms and exports read stored fields,
term statistics and key terms through it, never through the searcher. Not thread-safe on its own: the
SearchService lock guards it (detached_records reads through a searcher of its own).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from cachetools import LRUCache
from whoosh.classify import Bo1Model

from ..analysis import load_stemmer
from ..config import SearchSettings, Settings
from ..errors import IndexMissingError, IndexUnreadableError, NotFoundError
from ..index import schema as S
from ..index import whoosh_private as W
from ..index.guard import GenerationGuard
from ..index.related import RelatedTerms, read_related
from ..index.store import current_generation, index_root, open_generation_index, read_stats, unreadable
from ..index.tables import IndexTables, open_tables
from ..models import FacetValue, IndexStats, SearchPage, SearchRequest, TurnRecord
from .docsets import DocSets
from .spelling import Speller

log = logging.getLogger(__name__)

ANALYSES_CACHE = 512     # analyses (profiles, similar questions ...) kept per generation
GUARD_EVERY = 200        # streamed records between checks of the files (a few stat calls)
DOC_FREQUENCIES = 100_000   # (field, term) -> documents, remembered per generation
OPEN_ATTEMPTS = 3        # CURRENT read again when the generation it named vanished meanwhile
CACHE_INDEX_SHARE = 0.08  # postings/positions cache budget per index byte (search.cache_mb .. cache_max_mb)


def cache_budget_mb(limits: SearchSettings, index_bytes: int) -> int:
    """A worker's cache budget for a generation: CACHE_INDEX_SHARE of its bytes, within cache_mb..cache_max_mb.
    A large index has longer posting lists that cost more to read again (x10: p50 18 -> 14 ms at 96 MB)."""
    scaled = int(index_bytes * CACHE_INDEX_SHARE) >> 20
    return max(limits.cache_mb, min(limits.cache_max_mb, scaled))


class Generation:
    """One opened index generation: stats, column tables, postings (DocSets), speller, stored fields, caches."""

    def __init__(self, name: str, ix: Any, stats: IndexStats, pages: int, guard: GenerationGuard | None = None,
                 folder: Path | None = None, cache_mb: int = SearchSettings.cache_mb):
        load_stemmer()     # importing NLTK (seconds on a busy machine) is opening work, not the first search's budget
        self.name = name
        self.guard = guard                          # its files as built (index/verify.py)
        self.stats = stats
        self._ix = ix
        self.searcher = ix.searcher()               # for reference checks; insights use the methods below
        self.reader = self.searcher.reader()
        remember_doc_frequencies(self.reader)
        self.schema = self.searcher.schema        # ix.schema would read the table of contents again
        try:
            self.tables: IndexTables = open_tables(folder, self.reader)   # read from its files when it has them
        except BaseException:
            self.searcher.close()
            raise
        self.docsets = DocSets(self.searcher, self.tables, cache_mb << 20)
        self.speller = Speller(self.searcher)
        self.related: RelatedTerms | None = read_related(folder) if folder is not None else None   # built with it
        self.pages: LRUCache[SearchRequest, SearchPage] = LRUCache(max(1, pages))   # repeated searches
        self.analyses: LRUCache[tuple[Any, ...], Any] = LRUCache(ANALYSES_CACHE)    # insights of this generation
        self.all_facets: Mapping[str, tuple[FacetValue, ...]] | None = None

    def close(self) -> None:
        self.searcher.close()

    @contextmanager
    def time_budget(self, ms: float) -> Iterator[None]:
        """Postings reads and optional extras stop (QueryBudgetError / skipped) once `ms` have passed."""
        self.docsets.deadline = time.perf_counter() + ms / 1000
        try:
            yield
        finally:
            self.docsets.deadline = None

    # ---- stored fields ------------------------------------------------------------------

    def stored(self, docnum: int) -> dict[str, Any]:
        return cast(dict[str, Any], self.searcher.stored_fields(int(docnum)))

    def record(self, docnum: int) -> TurnRecord:
        return turn_record(self.stored(docnum))

    def docnum(self, turn_id: str) -> int:
        """The docnum of a turn id; NotFoundError when no turn has it."""
        found = self.searcher.document_number(id=str(turn_id))
        if found is None:
            raise NotFoundError(f"no turn with id {turn_id!r}")
        return int(found)

    def conference_docnums(self, conference_id: str) -> list[int]:
        return [int(d) for d in self.searcher.document_numbers(conference=str(conference_id))]

    def detached_records(self, docnums: Iterable[int]) -> Iterator[TurnRecord]:
        """TurnRecords of `docnums`, read lazily through a searcher of their own: iterate them after the
        service lock is released (streaming a response), even when a newer generation has opened meanwhile.
        The searcher is opened now (a damaged table of contents raises here, in the request); while reading,
        the guard checks the files every GUARD_EVERY records and at the end, so a file changed under the
        stream stops it (IndexUnreadableError) instead of streaming damaged bytes."""
        searcher = self._ix.searcher()
        guard = self.guard

        def read() -> Iterator[TurnRecord]:
            try:
                for i, d in enumerate(docnums):
                    if guard is not None and i % GUARD_EVERY == 0:
                        guard.check()
                    yield turn_record(searcher.stored_fields(int(d)))
                if guard is not None:
                    guard.check()
            finally:
                searcher.close()
        return read()

    # ---- term statistics ----------------------------------------------------------------

    @property
    def has_deletions(self) -> bool:
        return bool(self.reader.has_deletions())

    def frequency(self, field: str, term: str) -> float:
        """Occurrences of an index term in a field over the whole generation (deleted turns included)."""
        return float(self.reader.frequency(field, term))

    def field_length(self, field: str) -> float:
        """Terms in a field over the whole generation (exact; per-turn lengths are rounded, see IndexTables)."""
        return float(self.reader.field_length(field))

    def key_terms(self, field: str, text: str, count: int) -> list[tuple[str, float]]:
        """The `count` most characteristic index terms of `text` (Whoosh's more-like-this, Bo1 model)."""
        found = self.searcher.key_terms_from_text(field, text, numterms=count, model=Bo1Model)
        return [(str(term), float(weight)) for term, weight in found]


def remember_doc_frequencies(reader: Any, most: int = DOC_FREQUENCIES) -> None:
    """Answer `reader.doc_frequency(field, text)` from a bounded memo. Query parsing, word plans, relaxing and
    spelling ask it for the same words again and again, and each answer is a lookup in every segment's term
    table (read from disk); an open generation never changes, so the memo holds for its lifetime.
    functools' LRU (in C) rather than cachetools': about half the bytes per remembered word and a faster lookup."""
    reader.doc_frequency = lru_cache(maxsize=most)(reader.doc_frequency)


def open_current(settings: Settings, known: Generation | None,
                 guard_of: Callable[[Path], GenerationGuard] = GenerationGuard) -> Generation:
    """The generation CURRENT names: `known` when it is that one, else newly opened.

    IndexMissingError without an index, IndexUnreadableError (from the store) when it cannot be opened or its
    files are not as built (`guard_of` checks them against the manifest before Whoosh reads them).
    """
    for _attempt in range(OPEN_ATTEMPTS):
        name = current_generation(settings)
        if name is None:
            raise IndexMissingError(f"no index at {index_root(settings)}: run `searchsvc index rebuild` first")
        if known is not None and known.name == name:
            if known.guard is not None:
                known.guard.check()    # per request: file sizes; raises once damage was found
            return known
        stats = read_stats(settings, name)
        try:
            guard = guard_of(index_root(settings) / name)    # its files as built, before Whoosh reads them
        except IndexUnreadableError:
            if current_generation(settings) != name:
                continue  # a rebuild moved on while the files were checked
            raise
        try:
            ix = open_generation_index(settings, name)
            if ix is not None:
                return Generation(name, ix, stats, settings.search.result_cache_size, guard,
                                  index_root(settings) / name, cache_budget_mb(settings.search, stats.size_bytes))
        except W.unreadable_errors() as exc:   # its files: a truncated segment, a missing one ...
            if (index_root(settings) / name).is_dir():
                log.warning("index generation %s cannot be opened: %s: %s", name, type(exc).__name__, exc)
                raise unreadable(settings, name, W.describe_damage(exc)) from exc
        # the generation vanished between reading CURRENT and opening it (a newer build pruned it): read again
    raise IndexMissingError(f"index at {index_root(settings)} keeps changing; try again")


def speakers_of(f: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(s for s in f.get(S.SPEAKER, "").split(",") if s)


def roles_of(f: Mapping[str, Any]) -> tuple[str, ...]:
    """Each speaker's role ("" unknown), from the stored "name|role" pairs; () when none is known."""
    known = dict(p.split("|", 1) for p in f.get(S.SPEAKER_ROLE, "").split(",") if "|" in p)
    return tuple(known.get(s, "") for s in speakers_of(f)) if known else ()


def turn_record(f: Mapping[str, Any]) -> TurnRecord:
    return TurnRecord(
        id=f[S.ID_FIELD], conference_id=f[S.CONFERENCE], conference_title=f.get(S.TITLE, ""),
        date=f[S.DATE].date(), source=f.get(S.SOURCE, ""), source_url=f.get(S.SOURCE_URL, ""),
        source_format=f.get(S.SOURCE_FORMAT, ""), seq=f[S.SEQ], kind=f.get(S.KIND, ""), outlet=f.get(S.OUTLET, ""),
        question=f.get(S.QUESTION, ""), speakers=speakers_of(f), answer=f.get(S.ANSWER, ""),
        roles=roles_of(f), deflection=f.get(S.DEFLECTION, ""),
    )
