"""Index stage: build a new index with forked writer processes, one segment of consecutive conferences each.

Every process runs a BulkSegmentWriter over its share of the conferences (inherited from the parent
through fork, nothing is pickled) and sends back only the finished segment's description; the parent
holds Whoosh's write lock and commits the table of contents. A writer process holds no index lock and
dies with the build (see _segment_process).
"""

from __future__ import annotations

import errno
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing import connection as mp_connection
from typing import Any, cast

from ..analysis import load_stemmer
from ..errors import SearchsvcError
from ..models import Conference
from ..workers import die_with_parent
from . import schema as S
from . import whoosh_private as W
from .bulkwriter import BulkSegmentWriter, Vocabulary

PROGRESS_EVERY = 200           # documents between progress updates of a writer process
PROGRESS_SECONDS = 0.25        # progress reports while the writer processes work
TURN_COST_CHARS = 600          # indexing work per turn besides its text, in characters of text (for splitting)
SEGMENT_TURNS = 100_000        # at most about this many turns per segment: a writer holds ~1 GB for them

Progress = Callable[[int, int], None]


def split_work(conferences: list[Conference], parts: int) -> list[list[Conference]]:
    """Consecutive runs of conferences with about the same amount of work (text plus a cost per turn)."""
    work = [sum(len(t.question) + len(t.answer) + TURN_COST_CHARS for t in c.turns) for c in conferences]
    total = sum(work) or 1
    chunks: list[list[Conference]] = [[] for _ in range(parts)]
    done = 0
    for conf, cost in zip(conferences, work):
        chunks[min(parts - 1, int(parts * (done + cost / 2) / total))].append(conf)
        done += cost
    return [c for c in chunks if c]


def _segment_process(ix: Any, runs: list[list[Conference]], conn: Any, counter: Any, lock_fd: int | None,
                     parent_pid: int) -> None:
    """In a forked writer process: index each run of conferences into a segment of its own (one after the
    other, so memory holds one run's postings at a time) and send the segments back.

    The process drops its inherited copy of the lock fd (flock belongs to the open file, so an orphan
    would hold it forever), dies with the build (SIGKILL on parent death), and leaves with os._exit: the
    parent's objects it inherited are neither flushed nor freed twice.
    """
    try:
        if lock_fd is not None:
            try:
                os.close(lock_fd)
            except OSError:
                pass
        die_with_parent(parent_pid)
        segments = []
        done = 0
        vocabulary = Vocabulary()       # each run's writer starts from the tokens and stems of the runs before it
        for run in runs:
            writer = BulkSegmentWriter(ix, vocabulary, _lk=False, codec=S.codec())
            for conf in run:
                for doc in S.turn_documents(conf):
                    writer.add_document(**doc)
                    done += 1
                    if done % PROGRESS_EVERY == 0:
                        counter.value = done
            segments.append(W.finish_segment(writer))
            del writer
        counter.value = done
        conn.send(("ok", segments))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
            conn.send(("disk_full" if full else "error", f"{type(exc).__name__}: {exc}"[:500]))
        except BaseException:
            pass
    finally:
        os._exit(0)


def write_in_processes(ix: Any, conferences: list[Conference], procs: int, lock_fd: int | None = None,
                       progress: Progress | None = None) -> None:
    """Index the conferences into a new (empty) index with `procs` forked writer processes, each writing
    one segment of consecutive conferences (more than one, in turn, past SEGMENT_TURNS turns, to bound
    memory); segments keep input order (docnums follow the conferences) and are not merged. Then commit
    them as the index's segments. Raises SearchsvcError if a writer process fails or dies."""
    total = sum(len(c.turns) for c in conferences)
    per_process = max(1, -(-total // (procs * SEGMENT_TURNS)))          # ceil
    runs = split_work(conferences, procs * per_process)
    shares = [runs[k:k + per_process] for k in range(0, len(runs), per_process)]
    load_stemmer()
    ctx = multiprocessing.get_context("fork")
    writer = ix.writer(codec=S.codec())   # holds Whoosh's write lock, creates the shared temp folder, commits the TOC
    workers = []
    try:
        for share in shares:
            receive, send = ctx.Pipe(duplex=False)
            counter = ctx.Value("q", 0, lock=False)
            proc = ctx.Process(target=_segment_process, args=(ix, share, send, counter, lock_fd, os.getpid()),
                               daemon=True)
            proc.start()
            send.close()
            workers.append((proc, receive, counter))
        segments: dict[int, list[Any]] = {}
        while len(segments) < len(workers):
            waiting = {conn: n for n, (_, conn, _) in enumerate(workers) if n not in segments}
            for ready in mp_connection.wait(list(waiting), timeout=PROGRESS_SECONDS):
                conn = cast(mp_connection.Connection, ready)
                try:
                    status, value = conn.recv()
                except EOFError:
                    raise SearchsvcError("an index writer process died; the current index was left unchanged") \
                        from None
                if status == "disk_full":     # the same error as a full disk in this process (build.py)
                    raise OSError(errno.ENOSPC, f"an index writer process ran out of space: {value}")
                if status != "ok":
                    raise SearchsvcError(f"an index writer process failed: {value}")
                segments[waiting[conn]] = value
            if progress:
                progress(min(total, sum(counter.value for _, _, counter in workers)), total)
        for proc, conn, _ in workers:
            proc.join()
            conn.close()
    except BaseException:
        for proc, conn, _ in workers:
            if proc.is_alive():
                proc.kill()
            proc.join()
            conn.close()
        writer.cancel()
        raise
    W.commit_segments(writer, [segment for n in range(len(workers)) for segment in segments[n]])
