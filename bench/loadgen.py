"""Benchmarks (and the hardening tests): HTTP clients for 127.0.0.1 only, a sequential client and a bounded
open-loop load generator.

Open loop: request i is due at start + i/rate whatever happened to the ones before it, and its latency
counts from when it was due, so a server that falls behind shows it (no coordinated omission). Bounded:
rate * seconds requests at most (or until `until()` says stop, never past max_seconds), a fixed thread
pool, a per-request timeout, and a hard deadline after which requests not yet started are dropped
(counted as failed).
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .stats import latency_summary

LOOPBACK = ("127.0.0.1", "localhost")


def _check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"load only ever goes to 127.0.0.1, not {host!r}")


def fetch(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn sync workers close it anyway); (status, body)."""
    status, body, _ = fetch_with_cache_state(host, port, path, timeout)
    return status, body


def fetch_with_cache_state(host: str, port: int, path: str, timeout: float = 10.0,
                           headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    """(status, body, X-Cache header: "hit", "miss" or "" when the server sends none)."""
    _check_host(host)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", "Accept": "application/json", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.getheader("X-Cache", "")
    finally:
        conn.close()


@dataclass
class Answer:
    path: str
    due: float                 # time.monotonic() when it was due
    started: float
    finished: float
    status: int | None         # None: no HTTP answer (connection error, timeout, dropped)
    body: bytes = b""
    error: str = ""
    cache: str = ""            # the X-Cache header

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
    client_cpu_seconds: float = 0.0

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


def run_load(port: int, paths: list[str], rate: float, seconds: float, *, until: Callable[[], bool] | None = None,
             max_seconds: float | None = None, threads: int = 16, timeout: float = 15.0,
             host: str = "127.0.0.1", keep_bodies: bool = True, headers: dict[str, str] | None = None,
             on_answer: Callable[[Answer], None] | None = None) -> LoadResult:
    """Offer `rate` req/s cycling through `paths` for `seconds` (or, with `until`, until it returns True, at
    least `seconds` and at most `max_seconds`). Every answer is kept with its timing (and body, unless
    keep_bodies is false: the benchmark's steps would hold hundreds of MB); `headers` go with every request;
    `on_answer` sees each answer as it arrives (from the pool's threads), for tests that wait for events."""
    _check_host(host)
    max_seconds = max_seconds if max_seconds is not None else seconds
    result = LoadResult()
    lock = threading.Lock()
    cpu0 = time.process_time()
    start = time.monotonic()
    hard_deadline = start + max_seconds + timeout

    def one(due: float, path: str) -> None:
        started = time.monotonic()
        if started > hard_deadline:
            answer = Answer(path, due, started, started, None, error="dropped: not started before the deadline")
        else:
            try:
                status, body, cache = fetch_with_cache_state(host, port, path, timeout, headers)
                answer = Answer(path, due, started, time.monotonic(), status, body if keep_bodies else b"", cache=cache)
            except OSError as exc:
                answer = Answer(path, due, started, time.monotonic(), None, error=f"{type(exc).__name__}: {exc}"[:200])
        with lock:
            result.answers.append(answer)
        if on_answer is not None:
            on_answer(answer)

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
    result.client_cpu_seconds = time.process_time() - cpu0
    result.answers.sort(key=lambda a: a.due)
    return result


def run_sequential(host: str, port: int, paths: list[str], timeout: float = 30.0) -> dict:
    """Each path once, one after another; latency percentiles and the failures."""
    took, errors, statuses = [], [], {}
    for path in paths:
        t0 = time.perf_counter()
        try:
            status, _ = fetch(host, port, path, timeout)
        except OSError as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        took.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        if status != 200:
            errors.append(f"HTTP {status} for {path[:120]}")
    return {**latency_summary(took), "errors": len(errors), "statuses": statuses, "error_samples": errors[:5]}


def run_open_loop(host: str, port: int, paths: list[str], rate: float, seconds: float,
                  threads: int = 64, timeout: float = 5.0) -> dict:
    """One load step for the benchmark table: offered and achieved rate, latency of the answered requests,
    errors (non-200, no answer, dropped), the generator's own CPU share and the share of page-cache hits."""
    result = run_load(port, paths, rate, seconds, threads=threads, timeout=timeout, host=host, keep_bodies=False)
    answered = [a for a in result.answers if a.status is not None]
    errors = [a.error or f"HTTP {a.status}" for a in result.answers if a.status != 200]
    elapsed = result.seconds
    return {
        "offered_rps": rate, "seconds": seconds, "requests": len(result.answers), "completed": len(answered),
        "achieved_rps": round(len(answered) / elapsed, 1) if elapsed else None,
        "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "client_cpu_cores": round(result.client_cpu_seconds / elapsed, 2) if elapsed else None,
        "cache_hit_share": (round(sum(a.cache == "hit" for a in answered) / len(answered), 3)
                            if answered else None),
        **latency_summary([a.latency for a in answered]),
    }


def highest_good_step(steps: list[dict], p99_limit_ms: float = 200.0) -> float | None:
    """The highest offered rate whose p99 stayed under the limit with no errors."""
    good = [s["offered_rps"] for s in steps
            if not s["errors"] and s["p99_ms"] is not None and s["p99_ms"] < p99_limit_ms]
    return max(good) if good else None
