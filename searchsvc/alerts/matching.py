"""Alerts stage: which turns are new to the index (the store's registry) and which of them match each alert.

Everything one pass reads comes from one `SearchService.snapshot()` (one index generation), so the turns
registered under a mark are exactly those the alerts are then matched against; a rebuild that publishes
another generation meanwhile is seen by the next pass. Turn ids are stable across rebuilds, so a rebuild
that adds nothing registers nothing and queues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import IndexMissingError, NotFoundError, QueryError
from ..models import SearchRequest, TurnRecord
from ..search import SearchService, Snapshot
from ..serialize import turn_to_dict
from .model import Alert
from .store import AlertStore


@dataclass(frozen=True)
class Collected:
    """What one matching pass found: the generation, turns new to the store, turns queued per alert."""
    generation: str | None
    new_turns: int
    queued: dict[int, int] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def _conference_docs(snap: Snapshot) -> dict[str, np.ndarray]:
    """Conference id -> docnums of its live turns in this generation (read from the generation's columns)."""
    tables = snap.tables
    codes = tables.codes["conference"]
    live = np.flatnonzero(tables.live & (codes >= 0))
    order = live[np.argsort(codes[live], kind="stable")]
    groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1) if len(order) else []
    return {tables.values["conference"][int(codes[g[0]])]: g for g in groups if len(g)}


def sync_registry(snap: Snapshot, store: AlertStore) -> tuple[int, int]:
    """Register the turns of this generation the store has never seen; (mark to match up to, new turns)."""
    docs = _conference_docs(snap)
    known = store.conference_counts()
    changed = {cid: d for cid, d in docs.items() if known.get(cid) != len(d)}
    turns: dict[str, str] = {}
    for cid, nums in changed.items():
        for d in nums:
            turns[snap.generation.record(int(d)).id] = cid
    return store.record_sync(snap.generation.name, {cid: len(d) for cid, d in changed.items()}, turns)


def _ordered(records: list[TurnRecord]) -> list[TurnRecord]:
    return sorted(records, key=lambda t: (t.date, t.conference_id, t.seq))


def match_alert(snap: Snapshot, store: AlertStore, alert: Alert, mark: int) -> int:
    """Queue the alert's new matching turns (first seen after its checked_mark, up to `mark`); how many.
    Raises QueryError when its query breaks a limit (the cursor stays, so nothing is skipped)."""
    if alert.checked_mark >= mark:
        return 0
    candidates = store.candidates(alert.id, mark)
    found: list[TurnRecord] = []
    if candidates:
        wanted = snap.mask(alert.request)
        for tid in candidates:
            try:
                docnum = snap.generation.docnum(tid)
            except NotFoundError:
                continue        # registered from a generation that had it; removed since
            if wanted[docnum]:
                found.append(snap.generation.record(docnum))
    return store.enqueue(alert.id, [turn_to_dict(t) for t in _ordered(found)], mark)


def collect(service: SearchService, store: AlertStore, alerts: list[Alert]) -> Collected:
    """Register new turns and queue what matches each alert, all on one generation."""
    if not alerts:
        return Collected(None, 0)
    try:
        with service.snapshot() as snap:
            mark, new = sync_registry(snap, store)
            queued, errors = {}, {}
            for alert in alerts:
                try:
                    queued[alert.id] = match_alert(snap, store, store.get_alert(alert.id), mark)
                except QueryError as exc:
                    errors[alert.id] = f"query: {exc}"
                except NotFoundError:
                    continue    # removed meanwhile
            return Collected(snap.generation.name, new, queued, errors)
    except IndexMissingError as exc:
        return Collected(None, 0, errors={a.id: str(exc) for a in alerts})


def baseline_mark(service: SearchService, store: AlertStore) -> int:
    """Register every turn in the index now, so that a new alert matches only turns that come after it."""
    try:
        with service.snapshot() as snap:
            return sync_registry(snap, store)[0]
    except IndexMissingError:
        return store.current_mark()


def matching_now(service: SearchService, request: SearchRequest) -> int | None:
    """How many turns of the index match `request` today (None without an index); raises QueryError."""
    try:
        with service.snapshot() as snap:
            return int(snap.mask(request).sum())
    except IndexMissingError:
        return None
