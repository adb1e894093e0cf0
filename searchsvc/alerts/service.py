"""Alerts stage: AlertService: add, list, remove, run (match new turns, deliver in batches) and test alerts."""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import IndexMissingError
from ..models import SearchRequest
from ..search import SearchService
from ..serialize import turn_to_dict
from .errors import AlertInputError, AlertsBusyError, DeliveryError
from .matching import baseline_mark, collect, matching_now
from .messages import email_message, webhook_body
from .model import Alert, AlertOutcome, RunReport, filters_of
from .store import AlertStore
from .transport import post_webhook, send_email

TEST_TURNS = 3          # turns `alerts test` sends (the newest that match)
MATCH_BUDGET_MS = 60_000   # time budget of a search when alerts open their own SearchService (a background job,
                           # queries vetted when added): [search] time_budget_ms guards the site, not cron
LOCK_POLL_SECONDS = 0.1


def store_path(settings: Settings) -> Path:
    """[alerts] db, else beside the index folder: <index>-alerts.sqlite3."""
    if settings.alerts.db is not None:
        return Path(settings.alerts.db)
    index_dir = Path(settings.index.dir)
    return index_dir.with_name(index_dir.name + "-alerts.sqlite3")


@dataclass(frozen=True)
class NewAlert:
    alert: Alert
    secret: str                 # the webhook's HMAC key, shown once ("" for email)
    matching_now: int | None    # turns in the index that match today (not delivered); None without an index


@dataclass(frozen=True)
class TestResult:
    alert: Alert
    turns: int                  # turns in the test message
    detail: str                 # what the server answered


def _check_target(email: str | None, webhook: str | None) -> tuple[str, str]:
    if bool(email) == bool(webhook):
        raise AlertInputError("give exactly one of an email address or a webhook URL")
    if email:
        addr = email.strip()
        if parseaddr(addr)[1] != addr or addr.count("@") != 1 or any(c.isspace() for c in addr) \
                or not all(addr.split("@")):
            raise AlertInputError(f"not an email address: {email!r}")
        return "email", addr
    url = (webhook or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertInputError(f"a webhook must be an http:// or https:// URL, got {webhook!r}")
    return "webhook", url


def _default_name(request: SearchRequest) -> str:
    bits = [request.q] if request.q else []
    bits += [f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in filters_of(request).items()]
    return " ".join(" ".join(bits).split())[:80]      # one line: it goes into a mail's Subject


class AlertService:
    """Saved searches of one index: their store, matching against `search` (a SearchService) and delivery.
    `search` may be None for what only reads or edits the store (list, get, remove)."""

    def __init__(self, settings: Settings, search: SearchService | None = None):
        self.settings = settings
        self._search = search
        self.path = store_path(settings)

        self._owned: SearchService | None = None

    @property
    def search(self) -> SearchService:
        if self._search is None:
            limits = replace(self.settings.search,
                             time_budget_ms=max(self.settings.search.time_budget_ms, MATCH_BUDGET_MS))
            self._search = self._owned = SearchService(replace(self.settings, search=limits))
        return self._search

    def close(self) -> None:
        """Close the SearchService this opened itself (one passed in stays open)."""
        if self._owned is not None:
            self._owned.close()
            self._search = self._owned = None

    def __enter__(self) -> AlertService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _store(self) -> Iterator[AlertStore]:
        store = AlertStore(self.path)
        try:
            yield store
        finally:
            store.close()

    # ---- saved searches -------------------------------------------------------------

    def add(self, request: SearchRequest, *, name: str = "", email: str | None = None,
            webhook: str | None = None) -> NewAlert:
        """Save `request` (query + filters); only turns entering the index from now on will be delivered."""
        channel, target = _check_target(email, webhook)
        request = replace(request, sort="relevance", page=1, per_page=1)
        filters = filters_of(request)
        if not request.q.strip() and not filters:
            raise AlertInputError("an alert needs a query or at least one filter")
        count = matching_now(self.search, request)      # QueryError (400) if the query breaks a limit
        secret = secrets.token_hex(32) if channel == "webhook" else ""
        with self._store() as store:
            mark = baseline_mark(self.search, store)
            alert = store.add_alert(name=(" ".join(name.split()) or _default_name(request))[:200], query=request.q,
                                    filters=filters, channel=channel, target=target, secret=secret,
                                    checked_mark=mark)
        return NewAlert(alert, secret, count)

    def list_all(self) -> list[Alert]:
        with self._store() as store:
            return store.list_alerts()

    def get(self, alert_id: int) -> Alert:
        with self._store() as store:
            return store.get_alert(alert_id)

    def remove(self, alert_id: int) -> Alert:
        with self._store() as store:
            return store.remove_alert(alert_id)

    # ---- delivery ---------------------------------------------------------------------

    @contextmanager
    def _run_lock(self) -> Iterator[None]:
        """One delivering run at a time per store (flock: the kernel drops it if the process dies)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self.settings.alerts.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise AlertsBusyError(f"another `alerts run` is delivering from {self.path}; "
                                              "try again later") from None
                    time.sleep(LOCK_POLL_SECONDS)
            yield
        finally:
            os.close(fd)

    def run(self) -> RunReport:
        """Register turns new to the index, queue those matching each alert, deliver every queued batch."""
        with self._run_lock(), self._store() as store:
            alerts = store.list_alerts()
            found = collect(self.search, store, alerts)
            outcomes = []
            for alert in alerts:
                problem = found.errors.get(alert.id)
                if problem:
                    store.record_error(alert.id, problem)
                sent, batches, failure = self._deliver(store, alert)
                left = store.get_alert(alert.id).pending
                outcomes.append(AlertOutcome(alert.id, alert.name, found.queued.get(alert.id, 0), sent, batches,
                                             left, "; ".join(p for p in (problem, failure) if p) or None))
            return RunReport(found.generation, found.new_turns, tuple(outcomes))

    def _deliver(self, store: AlertStore, alert: Alert) -> tuple[int, int, str | None]:
        """Send the alert's queued turns, batch by batch, oldest first; stop at the first refusal."""
        sent = batches = 0
        limit = self.settings.alerts.batch_limit
        while True:
            batch = store.pending(alert.id, limit)
            if not batch:
                return sent, batches, None
            try:
                self._send(alert, [q.turn for q in batch])
            except DeliveryError as exc:
                store.record_error(alert.id, str(exc))
                return sent, batches, str(exc)
            store.record_success(alert.id, [q.turn_id for q in batch])
            sent, batches = sent + len(batch), batches + 1

    def _send(self, alert: Alert, turns: list[dict[str, Any]], test: bool = False) -> str:
        cfg = self.settings.alerts
        if alert.channel == "email":
            send_email(cfg, email_message(alert, turns, sender=cfg.smtp_from, base_url=cfg.public_base_url,
                                          test=test))
            return f"mail accepted by {cfg.smtp_host}:{cfg.smtp_port} for {alert.target}"
        answer = post_webhook(cfg, alert.target, alert.secret, webhook_body(alert, turns, cfg.public_base_url),
                              test=test)
        return f"{alert.target} answered HTTP {answer.status} (attempt {answer.attempts})"

    def test(self, alert_id: int) -> TestResult:
        """Send the alert's newest matching turns (up to 3) as a test message; the delivery state is untouched.
        Raises DeliveryError when the server refuses."""
        alert = self.get(alert_id)
        try:
            with self.search.snapshot() as snap:
                _total, docs = snap.ordered(replace(alert.request, sort="newest"), TEST_TURNS)
                turns = [turn_to_dict(snap.generation.record(int(d))) for d in docs]
        except IndexMissingError:
            turns = []
        return TestResult(alert, len(turns), self._send(alert, turns, test=True))


def run_after_index(settings: Settings, search: SearchService | None = None) -> RunReport | None:
    """The end of `index add` / `index rebuild`: deliver what is new when [alerts] run_after_index is on
    and alerts exist (None otherwise)."""
    if not settings.alerts.run_after_index or not store_path(settings).exists():
        return None
    with AlertService(settings, search) as service:
        return service.run()



