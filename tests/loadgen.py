"""Test helper: a bounded open-loop HTTP load generator for 127.0.0.1 only (hardening load and rebuild tests).

Request i is due at start + i/rate whatever happened to the ones before (latency counts from when it
was due, so a server falling behind shows). Bounded: rate * seconds requests at most (or until `until()`
says stop, never past max_seconds), a fixed thread pool, a per-request timeout and a hard deadline after
which requests not yet started are dropped (counted as failed).
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

LOOPBACK = ("127.0.0.1", "localhost")


@dataclass
class Answer:
    path: str
    due: float                 # time.monotonic() when it was due
    started: float
    finished: float
    status: int | None         # None: no HTTP answer (connection error, timeout, dropped)
    body: bytes = b""
    error: str = ""

    @property
    def latency(self) -> float:
        return self.finished - self.due

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


@dataclass
class LoadResult:
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Answer]:
        return [a for a in self.answers if not a.ok]

    def percentile(self, p: float) -> float | None:
        lat = sorted(a.latency for a in self.answers if a.ok)
        if not lat:
            return None
        return lat[min(len(lat) - 1, max(0, math.ceil(p / 100 * len(lat)) - 1))]

    def summary(self) -> dict:
        ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
        statuses: dict[str, int] = {}
        for a in self.answers:
            key = str(a.status) if a.status is not None else "error"
            statuses[key] = statuses.get(key, 0) + 1
        return {
            "requests": len(self.answers), "failed": len(self.failed), "statuses": statuses,
            "seconds": round(self.seconds, 1),
            "achieved_rps": round(len(self.answers) / self.seconds, 1) if self.seconds else None,
            "p50_ms": ms(self.percentile(50)), "p95_ms": ms(self.percentile(95)), "p99_ms": ms(self.percentile(99)),
            "max_ms": ms(max((a.latency for a in self.answers if a.ok), default=None)),
            "failure_samples": sorted({f"{a.status or a.error} {a.path[:80]}" for a in self.failed})[:5],
        }


def fetch(host: str, port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn sync workers close it anyway)."""
    if host not in LOOPBACK:
        raise ValueError(f"load only ever goes to 127.0.0.1, not {host!r}")
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def run_load(port: int, paths: list[str], rate: float, seconds: float, *, until: Callable[[], bool] | None = None,
             max_seconds: float | None = None, threads: int = 16, timeout: float = 15.0,
             host: str = "127.0.0.1") -> LoadResult:
    """Offer `rate` req/s cycling through `paths` for `seconds` (or, with `until`, until it returns True, at
    least `seconds` and at most `max_seconds`). Every answer is kept with its timing and body."""
    if host not in LOOPBACK:
        raise ValueError(f"load only ever goes to 127.0.0.1, not {host!r}")
    max_seconds = max_seconds if max_seconds is not None else seconds
    result = LoadResult()
    lock = threading.Lock()
    start = time.monotonic()
    hard_deadline = start + max_seconds + timeout

    def one(due: float, path: str) -> None:
        started = time.monotonic()
        if started > hard_deadline:
            answer = Answer(path, due, started, started, None, error="dropped: not started before the deadline")
        else:
            try:
                status, body = fetch(host, port, path, timeout)
                answer = Answer(path, due, started, time.monotonic(), status, body)
            except OSError as exc:
                answer = Answer(path, due, started, time.monotonic(), None, error=f"{type(exc).__name__}: {exc}"[:200])
        with lock:
            result.answers.append(answer)

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load")
    try:
        i = 0
        while True:
            due = start + i / rate
            elapsed = due - start
            if elapsed >= max_seconds:
                break
            if elapsed >= seconds and (until is None or until()):
                break
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, due, paths[i % len(paths)])
            i += 1
    finally:
        pool.shutdown(wait=True)
    result.seconds = time.monotonic() - start
    result.answers.sort(key=lambda a: a.due)
    return result
