"""Benchmarks (and the hardening tests): HTTP clients for 127.0.0.1 only, a sequential client and a bounded
open-loop load generator.

Open loop: request i is due at start + i/rate whatever happened to the ones before it, and its latency
counts from when it was due, so a server that falls behind shows it (no coordinated omission). Bounded:
rate * seconds requests at most (or until `until()` says stop, never past max_seconds), a fixed thread
pool, a per-request timeout, and a hard deadline after which requests not yet started are dropped
(counted as failed). run_load (threads, http.client, bodies kept, callbacks) serves the hardening tests; the
benchmark's load steps use run_lean, the same open loop in one thread with non-blocking sockets, which takes
about half the CPU per request from the cores it shares with the server.
"""

from __future__ import annotations

import errno
import http.client
import math
import os
import selectors
import socket
import threading
import time
from collections import deque
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


class _Exchange:
    """One request of the lean generator in flight: its socket, when it was due and started, what came back."""
    __slots__ = ("path", "due", "started", "sock", "sent", "data")

    def __init__(self, path: str, due: float, started: float, sock: socket.socket):
        self.path, self.due, self.started, self.sock = path, due, started, sock
        self.sent = False
        self.data = bytearray()

    def answer(self, now: float, error: str = "") -> Answer:
        if error:
            return Answer(self.path, self.due, self.started, now, None, error=error)
        head, _, _ = bytes(self.data[:8192]).partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            return Answer(self.path, self.due, self.started, now, None, error="no HTTP answer before the close")
        cache = next((line.split(b":", 1)[1].strip().decode("latin-1") for line in lines[1:]
                      if line[:8].lower() == b"x-cache:"), "")
        return Answer(self.path, self.due, self.started, now, int(parts[1]), cache=cache)


def run_lean(port: int, paths: list[str], rate: float, seconds: float, *, in_flight: int = 64,
             timeout: float = 5.0, host: str = "127.0.0.1") -> LoadResult:
    """The benchmark's load steps: the open loop of run_load (request i due at start + i/rate, latency from when
    it was due, at most `in_flight` at once, the rest wait; a per-request timeout; the ones not started by
    `seconds + timeout` are dropped) in one thread with non-blocking sockets, so the generator takes little of
    the CPU it shares with the server (a thread and http.client per request cost ~1.5 ms of CPU each, this a
    fraction). One GET per connection with `Connection: close`; the answer's status and X-Cache header are kept,
    not its body."""
    _check_host(host)
    requests = {path: (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
                       "Connection: close\r\n\r\n").encode("latin-1") for path in set(paths)}
    result = LoadResult()
    sel = selectors.DefaultSelector()
    waiting: deque[tuple[float, str]] = deque()
    live: dict[int, _Exchange] = {}
    total = max(0, math.ceil(seconds * rate - 1e-9))
    cpu0 = time.process_time()
    start = time.monotonic()
    hard_deadline = start + seconds + timeout

    def finish(ex: _Exchange, now: float, error: str = "") -> None:
        sel.unregister(ex.sock)
        ex.sock.close()
        del live[id(ex)]
        result.answers.append(ex.answer(now, error))

    def begin(due: float, path: str, now: float) -> None:
        if now > hard_deadline:
            result.answers.append(Answer(path, due, now, now, None, error="dropped: not started before the deadline"))
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        ex = _Exchange(path, due, now, sock)
        err = sock.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            result.answers.append(ex.answer(now, f"ConnectionError: {os.strerror(err)}"))
            return
        live[id(ex)] = ex
        sel.register(sock, selectors.EVENT_WRITE, ex)

    i = 0
    try:
        while i < total or waiting or live:
            now = time.monotonic()
            while i < total and start + i / rate <= now:
                waiting.append((start + i / rate, paths[i % len(paths)]))
                i += 1
            while waiting and len(live) < in_flight:
                due, path = waiting.popleft()
                begin(due, path, now)
            for ex in [ex for ex in live.values() if now - ex.started > timeout]:
                finish(ex, now, f"TimeoutError: no answer within {timeout} s")
            if not live:
                if i < total and not waiting:
                    time.sleep(max(0.0, start + i / rate - time.monotonic()))
                continue
            wake = min(ex.started for ex in live.values()) + timeout
            if i < total:
                wake = min(wake, start + i / rate)
            for key, _ in sel.select(max(0.0, wake - now)):
                ex = key.data
                now = time.monotonic()
                if not ex.sent:
                    err = ex.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        finish(ex, now, f"ConnectionError: {os.strerror(err)}")
                        continue
                    try:
                        ex.sock.send(requests[ex.path])       # a few hundred bytes: one send
                    except OSError as exc:
                        finish(ex, now, f"{type(exc).__name__}: {exc}"[:200])
                        continue
                    ex.sent = True
                    sel.modify(ex.sock, selectors.EVENT_READ, ex)
                    continue
                try:
                    chunk = ex.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    finish(ex, now, f"{type(exc).__name__}: {exc}"[:200])
                    continue
                if chunk:
                    if len(ex.data) < 8192:
                        ex.data += chunk
                else:
                    finish(ex, now)
    finally:
        for ex in list(live.values()):
            finish(ex, time.monotonic(), "generator stopped")
        sel.close()
    result.seconds = time.monotonic() - start
    result.client_cpu_seconds = time.process_time() - cpu0
    result.answers.sort(key=lambda a: a.due)
    return result


def run_open_loop(host: str, port: int, paths: list[str], rate: float, seconds: float,
                  threads: int = 64, timeout: float = 5.0) -> dict:
    """One load step for the benchmark table (run_lean: at most `threads` requests in flight): offered and
    achieved rate, latency of the answered requests, errors (non-200, no answer, dropped), the generator's own
    CPU share and the share of page-cache hits."""
    result = run_lean(port, paths, rate, seconds, in_flight=threads, timeout=timeout, host=host)
    answered = [a for a in result.answers if a.status is not None]
    errors = [a.error or f"HTTP {a.status}" for a in result.answers if a.status != 200]
    elapsed = result.seconds
    return {
        "offered_rps": rate, "seconds": seconds, "requests": len(result.answers), "completed": len(answered),
        "achieved_rps": round(len(answered) / elapsed, 1) if elapsed else None,
        "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "client_cpu_cores": round(result.client_cpu_seconds / elapsed, 2) if elapsed else None,
        "client_cpu_ms_per_request": (round(result.client_cpu_seconds / len(result.answers) * 1000, 3)
                                      if result.answers else None),
        "cache_hit_share": (round(sum(a.cache == "hit" for a in answered) / len(answered), 3)
                            if answered else None),
        **latency_summary([a.latency for a in answered]),
    }


def highest_good_step(steps: list[dict], p99_limit_ms: float = 200.0) -> float | None:
    """The highest offered rate whose p99 stayed under the limit with no errors."""
    good = [s["offered_rps"] for s in steps
            if not s["errors"] and s["p99_ms"] is not None and s["p99_ms"] < p99_limit_ms]
    return max(good) if good else None
