"""Alerts store: a real SQLite file on disk: schema version and migrations, WAL, the registry, the outbox, disk full."""

from __future__ import annotations

import sqlite3

import pytest

from searchsvc.alerts import SCHEMA_VERSION, AlertStore, AlertStoreError, AlertStoreFullError
from searchsvc.alerts.store import MIGRATIONS
from searchsvc.errors import NotFoundError, SearchsvcError


def _add(store: AlertStore, mark: int = 0, **changes):
    values = dict(name="fires", query="wildfire", filters={"speakers": ["Karine Jean-Pierre"]}, channel="webhook",
                  target="http://127.0.0.1:9/hook", secret="s3cret", checked_mark=mark)
    values.update(changes)
    return store.add_alert(**values)


def _turn(tid: str) -> dict:
    return {"id": tid, "date": "2024-03-08", "conference_title": "Briefing", "outlet": "", "speakers": ["A"],
            "question": "q", "answer": "a"}


def test_new_store_is_at_the_current_schema_version_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "alerts.sqlite3"
    with AlertStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alerts", "known_turns", "known_conferences", "syncs", "outbox"} <= tables


def test_alerts_survive_reopening_and_secrets_stay_out_of_public(tmp_path):
    path = tmp_path / "alerts.sqlite3"
    with AlertStore(path) as store:
        made = _add(store)
    with AlertStore(path) as store:
        again = store.get_alert(made.id)
        assert again == made
        assert again.filters == {"speakers": ["Karine Jean-Pierre"]}
        assert "secret" not in again.public() and "s3cret" not in repr(again)
        assert [a.id for a in store.list_alerts()] == [made.id]


def test_an_older_store_is_migrated_and_a_newer_one_refused(tmp_path):
    path = tmp_path / "alerts.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE leftover (x)")   # a version-0 file: nothing of ours yet
    raw.commit()
    raw.close()
    with AlertStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        _add(store)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(AlertStoreError, match="newer than this searchsvc"):
        AlertStore(path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "alerts.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(AlertStoreError, match=str(path)):
        AlertStore(path)


def test_registry_gives_each_turn_one_mark_and_candidates_only_after_the_alert(tmp_path):
    with AlertStore(tmp_path / "a.sqlite3") as store:
        mark, new = store.record_sync("gen-1", {"c1": 2}, {"c1-0": "c1", "c1-1": "c1"})
        assert (mark, new) == (1, 2)
        alert = _add(store, mark=mark)
        assert store.candidates(alert.id, mark) == []
        # the same turns again (a rebuild that adds nothing): no new mark, nothing new
        assert store.record_sync("gen-2", {"c1": 2}, {"c1-0": "c1", "c1-1": "c1"}) == (1, 0)
        mark2, new2 = store.record_sync("gen-3", {"c2": 1}, {"c1-0": "c1", "c2-0": "c2"})
        assert (mark2, new2) == (2, 1)
        assert store.candidates(alert.id, mark2) == ["c2-0"]
        assert store.conference_counts() == {"c1": 2, "c2": 1}
        assert store.unknown_turns(["c1-0", "c9-9"]) == {"c9-9"}


def test_outbox_keeps_order_marks_delivered_once_and_moves_the_cursor(tmp_path):
    with AlertStore(tmp_path / "a.sqlite3") as store:
        alert = _add(store)
        assert store.enqueue(alert.id, [_turn("t-2"), _turn("t-10"), _turn("t-3")], upto_mark=5) == 3
        assert store.enqueue(alert.id, [_turn("t-2")], upto_mark=4) == 0      # queued once; cursor never goes back
        after = store.get_alert(alert.id)
        assert (after.checked_mark, after.pending) == (5, 3)
        assert [q.turn_id for q in store.pending(alert.id, 2)] == ["t-2", "t-10"]
        store.record_success(alert.id, ["t-2", "t-10"])
        store.record_success(alert.id, ["t-2"])          # a repeat does not count twice
        assert [q.turn_id for q in store.pending(alert.id, 10)] == ["t-3"]
        done = store.get_alert(alert.id)
        assert (done.delivered, done.pending, done.last_error) == (2, 1, None)
        assert done.last_success_at is not None
        store.record_error(alert.id, "webhook answered HTTP 500")
        assert store.get_alert(alert.id).last_error == "webhook answered HTTP 500"
        assert store.delivered_turns(alert.id) == ["t-2", "t-10"]


def test_remove_drops_the_alert_and_its_queue(tmp_path):
    with AlertStore(tmp_path / "a.sqlite3") as store:
        alert = _add(store)
        store.enqueue(alert.id, [_turn("t-1")], upto_mark=1)
        store.remove_alert(alert.id)
        with pytest.raises(NotFoundError):
            store.get_alert(alert.id)
        with pytest.raises(NotFoundError):
            store.remove_alert(alert.id)
        assert store.pending(alert.id, 10) == []


def test_a_full_disk_is_a_domain_error_and_marks_nothing(tmp_path):
    """SQLite's own "database or disk is full" (here: a page limit on the real file) becomes AlertStoreFullError."""
    path = tmp_path / "a.sqlite3"
    with AlertStore(path) as store:
        alert = _add(store)
        store.enqueue(alert.id, [_turn("t-1")], upto_mark=1)
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")
        big = [{**_turn(f"t-big-{i}"), "answer": "x" * 20_000} for i in range(50)]
        with pytest.raises(AlertStoreFullError, match="database or disk is full") as caught:
            store.enqueue(alert.id, big, upto_mark=2)
        assert isinstance(caught.value, SearchsvcError)
        after = store.get_alert(alert.id)
        assert (after.pending, after.checked_mark) == (1, 1)     # the failed transaction left nothing behind
