"""Benchmarks: HTTP clients for 127.0.0.1 only: a sequential client and a bounded open-loop load generator.

Open loop: request i is due at start + i/rate whatever happened to the ones before it, and
its latency counts from when it was due, so a server that falls behind shows it (no
coordinated omission). Bounded: rate * seconds requests at most, a fixed thread pool, a
per-request timeout, and a hard deadline after which requests not yet started are dropped.
"""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .stats import latency_summary

LOOPBACK = ("127.0.0.1", "localhost")


def _check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"load only ever goes to 127.0.0.1, not {host!r}")


def fetch(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn sync workers close it anyway); (status, body)."""
    status, body, _ = fetch_with_cache_state(host, port, path, timeout)
    return status, body


def fetch_with_cache_state(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes, str]:
    """(status, body, X-Cache header: "hit", "miss" or "" when the server sends none)."""
    _check_host(host)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", "Accept": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.getheader("X-Cache", "")
    finally:
        conn.close()


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
    """Offer `rate` req/s for `seconds` (cycling through `paths`); achieved rate, latency, errors."""
    _check_host(host)
    total = max(1, int(rate * seconds))
    lock = threading.Lock()
    took: list[float] = []
    errors: list[str] = []
    hits = [0]
    deadline = [0.0]

    def one(due: float, path: str) -> None:
        if time.perf_counter() > deadline[0]:
            with lock:
                errors.append("dropped: not started before the deadline")
            return
        try:
            status, _, cache = fetch_with_cache_state(host, port, path, timeout)
        except OSError as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        done = time.perf_counter()
        with lock:
            took.append(done - due)
            hits[0] += cache == "hit"
            if status != 200:
                errors.append(f"HTTP {status}")

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load")
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline[0] = start + seconds + timeout
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        pool.submit(one, due, paths[i % len(paths)])
    pool.shutdown(wait=True, cancel_futures=False)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    summary = latency_summary(took)
    return {
        "offered_rps": rate, "seconds": seconds, "requests": total, "completed": len(took),
        "achieved_rps": round(len(took) / elapsed, 1) if elapsed else None,
        "errors": len(errors), "error_samples": sorted(set(errors))[:5],
        "client_cpu_cores": round(cpu / elapsed, 2) if elapsed else None,   # the generator's own share of the CPUs
        "cache_hit_share": round(hits[0] / len(took), 3) if took else None,  # answered from the server's page cache
        **summary,
    }


def highest_good_step(steps: list[dict], p99_limit_ms: float = 200.0) -> float | None:
    """The highest offered rate whose p99 stayed under the limit with no errors."""
    good = [s["offered_rps"] for s in steps
            if not s["errors"] and s["p99_ms"] is not None and s["p99_ms"] < p99_limit_ms]
    return max(good) if good else None
