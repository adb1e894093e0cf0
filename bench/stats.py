"""Benchmarks: percentiles, ratios and the plain-text table printed at the end of a run."""

from __future__ import annotations

import math
import resource


def percentile(values, p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation; None for no values."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def latency_summary(seconds) -> dict:
    """p50/p95/p99/max/mean in milliseconds of a list of durations in seconds."""
    ms = [s * 1000.0 for s in seconds]
    if not ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(sum(ms) / len(ms), 3),
    }


def ratio(ours, theirs) -> float | None:
    """ours / theirs, rounded; None when either is missing or theirs is zero."""
    if ours is None or theirs in (None, 0):
        return None
    return round(ours / theirs, 3)


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set size in MB of this process, or with `children` of its largest finished child
    (e.g. a multi-process index writer's workers); ru_maxrss is in KiB on Linux."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024.0, 1)


def dir_size(path) -> int:
    """Total bytes of the regular files under `path` (or of `path` itself)."""
    from pathlib import Path

    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    else:
        text = f"{value:,}" if isinstance(value, int) else str(value)
    return f"{text}{unit}"


def render_table(title: str, header: list[str], rows: list[list]) -> str:
    """A fixed-width table with a title line; cells already formatted or formatted with fmt()."""
    cells = [[c if isinstance(c, str) else fmt(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(header)]
    line = "  ".join("-" * w for w in widths)
    out = [f"\n== {title} ==", "  ".join(str(h).ljust(w) for h, w in zip(header, widths)), line]
    for row in cells:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(out)
