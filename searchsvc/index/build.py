"""Index stage, write side: build index generations from conferences and publish them (see store.py for the layout)."""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from ..config import Settings
from ..errors import DiskFullError, IndexMissingError, SearchsvcError, TranscriptError
from ..models import Conference, IndexStats, ParseProblem
from . import schema as S
from . import whoosh_private as W
from .related import RELATED_FILE, SAMPLE_TURNS, sample_docnums, train_from_texts, write_related
from .store import (
    CURRENT,
    STATS,
    current_generation,
    dir_size,
    held_lock,
    index_lock,
    index_root,
    new_generation_name,
    remove_old_generations,
    remove_partial_generations,
    swap_current,
)
from .tables import write_tables
from .verify import MANIFEST, record_files, write_manifest

WRITER_LIMIT_MB = 512          # postings pool per writer process before spilling sorted runs to disk
PROGRESS_EVERY = 200
PARALLEL_MIN_TURNS = 5_000     # below this a second writer process costs more than it saves
SEGMENT_SUFFIX = ".seg"        # Whoosh's compound segment files: written once, by the writers
PARSE_PROCESSES = 8            # at most this many processes read transcript files (parse_paths)

Progress = Callable[[int, int], None]


# ---- writing -----------------------------------------------------------------------

def _writer_procs(total: int) -> int:
    return max(1, min(2, os.cpu_count() or 1)) if total >= PARALLEL_MIN_TURNS else 1


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: building allocates millions of objects that all stay alive, and
    each full collection would walk them again (about a tenth of the build time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bulk_writer(ix: Any) -> Any | None:
    """BulkSegmentWriter when it supports this index, else None (Whoosh's own writer is used). It is built from
    Whoosh's private writer parts, so it is imported only on the pinned Whoosh (whoosh_private.FAST)."""
    if not W.FAST:
        return None
    from .bulkwriter import BulkSegmentWriter

    return BulkSegmentWriter if BulkSegmentWriter.supports(ix) else None


def _new_writer(ix: Any, **kwargs: Any) -> Any:
    """A BulkSegmentWriter (postings in memory) or, for schemas it does not support, Whoosh's own writer."""
    bulk = _bulk_writer(ix)
    kwargs.setdefault("codec", S.codec())
    if bulk is not None:
        return bulk(ix, **kwargs)
    return ix.writer(limitmb=WRITER_LIMIT_MB, **kwargs)


def _add_conferences(writer: Any, conferences: list[Conference], done: int, total: int,
                     progress: Progress | None) -> int:
    for conf in conferences:
        for doc in S.turn_documents(conf):
            writer.add_document(**doc)
            done += 1
            if done % PROGRESS_EVERY == 0 and progress:
                progress(done, total)
    return done


def _live_values(reader: Any, field: str, live: np.ndarray | None) -> list[str]:
    """The distinct values of a column among the live documents (column_codes: no list of every document's)."""
    codes, distinct = S.column_codes(reader, field, default="")
    if live is not None:
        codes = codes[live]
    return [distinct[code] for code in np.unique(codes).tolist()]


def _compute_stats(ix: Any, gen: str, gen_dir: Path, seconds: float) -> IndexStats:
    with ix.reader() as reader:
        live = None
        if reader.has_deletions():
            live = np.fromiter((not reader.is_deleted(n) for n in range(reader.doc_count_all())), bool,
                               reader.doc_count_all())
        conferences = {v for v in _live_values(reader, S.CONFERENCE, live) if v}
        speakers = {name for v in _live_values(reader, S.SPEAKER, live) for name in v.split(",") if name}
        outlets = {v for v in _live_values(reader, S.OUTLET, live) if v}
        turns = reader.doc_count()
    return IndexStats(
        generation=gen, turns=turns, conferences=len(conferences), speakers=len(speakers), outlets=len(outlets),
        size_bytes=dir_size(gen_dir), built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(seconds, 3), schema_version=S.SCHEMA_VERSION,
    )


def _finish_generation(root: Path, ix: Any, gen: str, started: float, expected: int | None = None,
                       related: bool = False) -> IndexStats:
    """Related terms, stats, column tables and manifest of a written generation. The segment files are final once
    committed: a thread checksums them for the manifest (hashlib lets go of the GIL) while this one does the rest."""
    gen_dir = root / gen
    with ThreadPoolExecutor(1, thread_name_prefix="manifest") as pool:
        segment_records = pool.submit(record_files, gen_dir, SEGMENT_SUFFIX)
        _write_related_terms(ix, gen_dir, related)
        stats = _compute_stats(ix, gen, gen_dir, time.monotonic() - started)
        ix.close()
        if expected is not None and stats.turns != expected:
            raise SearchsvcError(f"index generation {gen} holds {stats.turns} turns, expected {expected}; "
                                 "the current index was left unchanged")
        write_tables(gen_dir)         # column tables every search worker maps (index/tables.py)
        recorded = segment_records.result()
    write_manifest(gen_dir, recorded)   # sizes and checksums for `index verify` and for opening (verify.py)
    (gen_dir / STATS).write_text(json.dumps(asdict(stats), indent=2), encoding="utf-8")
    return stats


def _write_related_terms(ix: Any, gen_dir: Path, enabled: bool) -> None:
    """The generation's related terms (related.py), trained on a sample of its turns; none when not enabled (a
    table copied from the previous generation by `index add` is removed: it belongs to that one)."""
    (gen_dir / RELATED_FILE).unlink(missing_ok=True)
    if not enabled:
        return
    with ix.searcher() as searcher:
        reader = searcher.reader()
        docs = [d for d in sample_docnums(reader.doc_count_all(), SAMPLE_TURNS) if not reader.is_deleted(d)]
        texts = (f.get(S.QUESTION, "") + "\n" + f.get(S.ANSWER, "") for f in map(searcher.stored_fields, docs))
        write_related(gen_dir, train_from_texts(texts))


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _is_disk_full(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _cause(exc: BaseException | None) -> str:
    """The text of the first disk-full error (where the disk filled up: a writer process, a file copy ...);
    cleaning up after it (Whoosh's cancel writes files too) may have failed the same way later."""
    found = ""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            found = str(exc)
        exc = exc.__cause__ or exc.__context__
    return found[:300]


def _copy_file(src: str, dst: str) -> object:
    """shutil.copy2 for copytree, whose own error list would turn a full disk into a string."""
    try:
        return shutil.copy2(src, dst)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise DiskFullError(str(exc)) from exc
        raise


@contextmanager
def _publishing_generation(root: Path, previous: str | None) -> Iterator[str]:
    """Yield a new generation name; if the block fails remove its folder, else make it current and prune."""
    gen = new_generation_name(root)
    try:
        yield gen
        swap_current(root, gen)
    except BaseException as exc:
        if _pointer(root) != gen:      # not published: remove what was written
            shutil.rmtree(root / gen, ignore_errors=True)
            (root / (CURRENT + ".tmp")).unlink(missing_ok=True)
        if isinstance(exc, DiskFullError) or _is_disk_full(exc):
            serving = f"generation {previous} still serves" if previous else "there is no index yet"
            raise DiskFullError(f"no space left on the device of {root}: the build stopped and removed what it "
                                f"wrote; {serving}. Free some space and run it again. ({_cause(exc)})") from None
        raise
    remove_old_generations(root, keep=(gen, previous))


def _pointer(root: Path) -> str:
    try:
        return (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def rebuild_from_conferences(settings: Settings, conferences: list[Conference],
                             progress: Progress | None = None, started: float | None = None) -> IndexStats:
    """Index these conferences into a new generation and make it current (keeps the previous one)."""
    started = time.monotonic() if started is None else started
    total = sum(len(c.turns) for c in conferences)
    with held_lock(settings) as (root, lock_fd):
        previous = current_generation(settings)
        remove_partial_generations(root, keep=previous)
        with _publishing_generation(root, previous) as gen:
            gen_dir = root / gen
            gen_dir.mkdir()
            ix = whoosh_index.create_in(str(gen_dir), S.build_schema())
            procs = _writer_procs(total)
            with _gc_paused():
                if procs > 1 and _bulk_writer(ix) is not None:
                    from .segments import write_in_processes
                    write_in_processes(ix, conferences, procs, lock_fd, progress)
                else:
                    writer = _new_writer(ix)
                    try:
                        _add_conferences(writer, conferences, 0, total, progress)
                    except BaseException:
                        writer.cancel()
                        raise
                    writer.commit()
            if progress:
                progress(total, total)
            stats = _finish_generation(root, ix, gen, started, expected=total,
                                       related=settings.index.related_terms)
    return stats


def _turns_after_replacing(ix: Any, conferences: list[Conference]) -> int:
    """Turns of the index that stay when these conferences (by id or by source file) are replaced."""
    with ix.searcher() as searcher:
        gone: set[int] = set()
        for conf in conferences:
            gone.update(searcher.document_numbers(**{S.CONFERENCE: conf.id}))
            gone.update(searcher.document_numbers(**{S.SOURCE: conf.source_file}))
        return int(searcher.doc_count()) - len(gone)


def add_conferences(settings: Settings, conferences: list[Conference],
                    progress: Progress | None = None, started: float | None = None) -> IndexStats:
    """Replace these conferences (by id) in a copy of the current generation and make the copy current."""
    started = time.monotonic() if started is None else started
    total = sum(len(c.turns) for c in conferences)
    with index_lock(settings) as root:
        previous = current_generation(settings)
        if previous is None:
            raise IndexMissingError(f"no index at {root} to add to: run `searchsvc index rebuild` first")
        remove_partial_generations(root, keep=previous)
        with _publishing_generation(root, previous) as gen:
            gen_dir = root / gen
            shutil.copytree(root / previous, gen_dir, ignore=shutil.ignore_patterns(STATS, MANIFEST, "*_LOCK"),
                            copy_function=_copy_file)
            ix = whoosh_index.open_dir(str(gen_dir))
            expected = _turns_after_replacing(ix, conferences) + total
            writer = _new_writer(ix)
            try:
                for conf in conferences:
                    writer.delete_by_term(S.CONFERENCE, conf.id)
                    writer.delete_by_term(S.SOURCE, conf.source_file)   # same file, changed title -> new id
                with _gc_paused():
                    done = _add_conferences(writer, conferences, 0, total, progress)
            except BaseException:
                writer.cancel()
                raise
            with _gc_paused():
                writer.commit()
            if progress:
                progress(done, total)
            stats = _finish_generation(root, ix, gen, started, expected=expected,
                                       related=settings.index.related_terms)
    return stats


# ---- from files --------------------------------------------------------------------

def _parse(paths: Sequence[str | Path]) -> tuple[list[Conference], list[ParseProblem]]:
    from ..ingest import parse_paths

    with _gc_paused():     # the parsed conferences pile up and stay: collections would walk them again and again
        result = parse_paths([Path(p) for p in paths], processes=min(PARSE_PROCESSES, os.cpu_count() or 1))
    for conf in result.conferences:
        conf.source_name = relative_source(conf.source_file, paths)
    return result.conferences, list(result.problems)


def relative_source(source_file: str, roots: Iterable[str | Path]) -> str:
    """`source_file` relative to the folder among `roots` it was found in ('' when in none of them); a file
    given by itself is shown by its name."""
    path = Path(source_file).absolute()
    for root in roots:
        root = Path(root).absolute()
        if path == root:
            return path.name
        if root.is_dir() and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return ""


def _require_turns(conferences: list[Conference], paths: Sequence[str | Path]) -> None:
    if not any(c.turns for c in conferences):
        where = ", ".join(str(p) for p in paths) or "(no paths)"
        raise TranscriptError(where, "no transcripts with turns found; the index was left unchanged")


def rebuild_index(settings: Settings, paths: Iterable[str | Path] | None = None, progress: Progress | None = None,
                  problems: list[ParseProblem] | None = None) -> IndexStats:
    """Parse `paths` (default: corpus.paths from the config) and rebuild the whole index as a new generation.

    Skipped files are appended to `problems` when a list is given. Raises IndexBusyError if another
    rebuild/add runs, TranscriptError if nothing could be parsed (the current index stays).
    """
    started = time.monotonic()
    paths = list(paths) if paths else list(settings.corpus.paths)
    with index_lock(settings):  # fail fast before parsing if busy
        pass
    conferences, found = _parse(paths)
    if problems is not None:
        problems.extend(found)
    _require_turns(conferences, paths)
    return rebuild_from_conferences(settings, conferences, progress, started)


def add_to_index(settings: Settings, paths: Iterable[str | Path], progress: Progress | None = None,
                 problems: list[ParseProblem] | None = None) -> IndexStats:
    """Parse `paths` and replace their conferences in a new generation (others stay as they are)."""
    started = time.monotonic()
    paths = list(paths)
    if not paths:
        raise SearchsvcError("index add needs at least one path")
    if current_generation(settings) is None:
        raise IndexMissingError(f"no index at {index_root(settings)} to add to: run `searchsvc index rebuild` first")
    conferences, found = _parse(paths)
    if problems is not None:
        problems.extend(found)
    _require_turns(conferences, paths)
    return add_conferences(settings, conferences, progress, started)
