"""Alerts stage: the SQLite store of saved searches, the turns seen in the index, and the outbox of deliveries.

Tables (schema version in PRAGMA user_version, upgraded by MIGRATIONS in order):
    alerts           one saved search: query + filters (JSON), channel (email | webhook), target, secret,
                     checked_mark (the registry mark up to which new turns were matched), last success/error
    known_turns      every turn id ever seen in the index, with the mark of the sync that first saw it
    known_conferences  turns per conference as last seen (a conference whose count is unchanged is skipped)
    syncs            one row per sync that found new turns: its mark, the generation, when
    outbox           (alert, turn) to deliver: the turn as JSON, queued_at, delivered_at (NULL = pending)

"Entered the index after the alert was created" = first seen by a sync with a mark above the alert's
checked_mark, which starts at the mark of the sync `alerts add` runs. A turn is marked delivered only
after the SMTP server or webhook accepted its batch, so a crash re-sends at most the batch in flight.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import NotFoundError
from .errors import AlertStoreError, AlertStoreFullError
from .model import Alert

BUSY_TIMEOUT_MS = 30_000

MIGRATIONS: tuple[str, ...] = (
    # version 1
    """
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        filters TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        target TEXT NOT NULL,
        secret TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        checked_mark INTEGER NOT NULL,
        last_success_at TEXT,
        last_error TEXT,
        last_error_at TEXT,
        delivered INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE known_turns (
        turn_id TEXT PRIMARY KEY,
        conference_id TEXT NOT NULL,
        mark INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX known_turns_by_mark ON known_turns (mark);
    CREATE TABLE known_conferences (
        conference_id TEXT PRIMARY KEY,
        turns INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE syncs (
        mark INTEGER PRIMARY KEY AUTOINCREMENT,
        generation TEXT NOT NULL,
        new_turns INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        turn_id TEXT NOT NULL,
        turn TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (alert_id, turn_id)
    );
    CREATE INDEX outbox_pending ON outbox (alert_id, delivered_at, seq);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class QueuedTurn:
    turn_id: str
    turn: dict[str, Any]          # serialize.turn_to_dict of the TurnRecord when it was matched
    queued_at: str


def _domain_error(path: Path, exc: sqlite3.Error) -> AlertStoreError:
    text = str(exc)
    if "database or disk is full" in text:
        return AlertStoreFullError(f"alerts store {path}: {text} (free some space; nothing was marked delivered)")
    return AlertStoreError(f"alerts store {path}: {text}")


class AlertStore:
    """The alerts database at `path` (created and upgraded on open). One per process; not shared across threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise AlertStoreError(f"alerts store {self.path}: cannot open: {exc}") from None
        self._db.row_factory = sqlite3.Row
        with self._errors():
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise AlertStoreError(f"alerts store {self.path}: WAL mode not available (journal_mode={mode})")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()

    # ---- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise _domain_error(self.path, exc) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue up instead of failing half way)."""
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:     # SQLite rolls back by itself on some errors (disk full)
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._errors():
            return self._db.execute(sql, tuple(args)).fetchall()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise AlertStoreError(f"alerts store {self.path} has schema version {version}, newer than this "
                                  f"searchsvc knows ({SCHEMA_VERSION}): upgrade searchsvc")
        for number in range(version, SCHEMA_VERSION):
            with self._write() as db:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AlertStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- alerts -----------------------------------------------------------------------

    def add_alert(self, *, name: str, query: str, filters: dict[str, Any], channel: str, target: str, secret: str,
                  checked_mark: int) -> Alert:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO alerts (name, query, filters, channel, target, secret, created_at, checked_mark) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, query, json.dumps(filters, sort_keys=True), channel, target, secret, now_iso(), checked_mark))
            alert_id = int(cur.lastrowid or 0)
        return self.get_alert(alert_id)

    _ALERT_SELECT = (
        "SELECT a.*, "
        "(SELECT count(*) FROM outbox o WHERE o.alert_id = a.id AND o.delivered_at IS NULL) AS pending "
        "FROM alerts a")

    def list_alerts(self) -> list[Alert]:
        return [_alert(r) for r in self._read(self._ALERT_SELECT + " ORDER BY a.id")]

    def get_alert(self, alert_id: int) -> Alert:
        rows = self._read(self._ALERT_SELECT + " WHERE a.id = ?", (alert_id,))
        if not rows:
            raise NotFoundError(f"no alert with id {alert_id}")
        return _alert(rows[0])

    def remove_alert(self, alert_id: int) -> Alert:
        alert = self.get_alert(alert_id)
        with self._write() as db:
            db.execute("DELETE FROM outbox WHERE alert_id = ?", (alert_id,))
            db.execute("DELETE FROM alerts WHERE id = ?", (alert_id,))
        return alert

    def record_success(self, alert_id: int, turn_ids: list[str]) -> None:
        """The batch `turn_ids` was accepted: mark them delivered (one transaction) and clear the last error."""
        stamp = now_iso()
        with self._write() as db:
            cur = db.executemany("UPDATE outbox SET delivered_at = ? WHERE alert_id = ? AND turn_id = ? "
                                 "AND delivered_at IS NULL", [(stamp, alert_id, t) for t in turn_ids])
            db.execute("UPDATE alerts SET last_success_at = ?, last_error = NULL, delivered = delivered + ? "
                       "WHERE id = ?", (stamp, max(0, cur.rowcount), alert_id))

    def record_error(self, alert_id: int, message: str) -> None:
        with self._write() as db:
            db.execute("UPDATE alerts SET last_error = ?, last_error_at = ? WHERE id = ?",
                       (message[:2000], now_iso(), alert_id))

    # ---- the registry of turns seen in the index ---------------------------------------

    def current_mark(self) -> int:
        return int(self._read("SELECT coalesce(max(mark), 0) FROM syncs")[0][0])

    def conference_counts(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._read("SELECT conference_id, turns FROM known_conferences")}

    def unknown_turns(self, turn_ids: list[str]) -> set[str]:
        """Those of `turn_ids` never seen before."""
        known: set[str] = set()
        for start in range(0, len(turn_ids), 500):
            chunk = turn_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self._read(f"SELECT turn_id FROM known_turns WHERE turn_id IN ({marks})", chunk))
        return set(turn_ids) - known

    def record_sync(self, generation: str, counts: dict[str, int], turns: dict[str, str]) -> tuple[int, int]:
        """Remember `counts` (conference -> turns) and the new `turns` (turn id -> conference id) under a new mark;
        (that mark, or the current one when nothing is new; how many turns were new). Known turns keep their mark."""
        with self._write() as db:
            db.executemany("INSERT INTO known_conferences (conference_id, turns) VALUES (?, ?) "
                           "ON CONFLICT (conference_id) DO UPDATE SET turns = excluded.turns", list(counts.items()))
            fresh = [(t, c) for t, c in turns.items()
                     if db.execute("SELECT 1 FROM known_turns WHERE turn_id = ?", (t,)).fetchone() is None]
            if not fresh:
                return int(db.execute("SELECT coalesce(max(mark), 0) FROM syncs").fetchone()[0]), 0
            cur = db.execute("INSERT INTO syncs (generation, new_turns, at) VALUES (?, ?, ?)",
                             (generation, len(fresh), now_iso()))
            mark = int(cur.lastrowid or 0)
            db.executemany("INSERT INTO known_turns (turn_id, conference_id, mark) VALUES (?, ?, ?)",
                           [(t, c, mark) for t, c in fresh])
        return mark, len(fresh)

    def candidates(self, alert_id: int, upto_mark: int) -> list[str]:
        """Turn ids first seen after the alert's checked_mark, up to `upto_mark`, in the order they were seen."""
        return [r[0] for r in self._read(
            "SELECT k.turn_id FROM known_turns k JOIN alerts a ON a.id = ? "
            "WHERE k.mark > a.checked_mark AND k.mark <= ? ORDER BY k.mark, k.turn_id", (alert_id, upto_mark))]

    # ---- the outbox --------------------------------------------------------------------

    def enqueue(self, alert_id: int, turns: list[dict[str, Any]], upto_mark: int) -> int:
        """Queue `turns` (turn dicts with an "id") for the alert and move its checked_mark to `upto_mark`, at once."""
        stamp = now_iso()
        with self._write() as db:
            cur = db.executemany(
                "INSERT OR IGNORE INTO outbox (alert_id, turn_id, turn, queued_at) VALUES (?, ?, ?, ?)",
                [(alert_id, t["id"], json.dumps(t, ensure_ascii=False), stamp) for t in turns])
            db.execute("UPDATE alerts SET checked_mark = max(checked_mark, ?) WHERE id = ?", (upto_mark, alert_id))
            return cur.rowcount if cur.rowcount is not None else len(turns)

    def pending(self, alert_id: int, limit: int) -> list[QueuedTurn]:
        """The oldest `limit` turns queued for the alert and not yet delivered."""
        rows = self._read("SELECT turn_id, turn, queued_at FROM outbox WHERE alert_id = ? AND delivered_at IS NULL "
                          "ORDER BY seq LIMIT ?", (alert_id, limit))
        return [QueuedTurn(r[0], json.loads(r[1]), r[2]) for r in rows]

    def delivered_turns(self, alert_id: int) -> list[str]:
        return [r[0] for r in self._read("SELECT turn_id FROM outbox WHERE alert_id = ? AND delivered_at IS NOT NULL "
                                         "ORDER BY seq", (alert_id,))]


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(
        id=row["id"], name=row["name"], query=row["query"], filters=json.loads(row["filters"]),
        channel=row["channel"], target=row["target"], secret=row["secret"], created_at=row["created_at"],
        checked_mark=row["checked_mark"], last_success_at=row["last_success_at"], last_error=row["last_error"],
        last_error_at=row["last_error_at"], delivered=row["delivered"], pending=row["pending"],
    )
