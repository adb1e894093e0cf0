"""Benchmark: CPU seconds (user+sys, children included) and wall time of a full rebuild_index over corpora.

    .venv/bin/python -m bench.buildcpu ../shared/corpus [more folders ...]

CPU seconds rather than wall time compare builds on a shared machine: run the trees to compare side by side.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from searchsvc.config import resolve_settings
from searchsvc.index.build import rebuild_index


def main(argv: list[str]) -> None:
    idx = Path(tempfile.mkdtemp(prefix="buildcpu"))
    try:
        settings = resolve_settings(index_dir=idx).settings
        started = time.perf_counter()
        stats = rebuild_index(settings, [Path(p) for p in argv])
        wall = time.perf_counter() - started
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        cpu = sum(u.ru_utime + u.ru_stime for u in usage)
        size = sum(f.stat().st_size for f in idx.rglob("*") if f.is_file())
        print(f"{Path.cwd()}: cpu {cpu:.1f} s, wall {wall:.1f} s, {stats.turns} turns, index {size / 1e6:.1f} MB")
    finally:
        shutil.rmtree(idx, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
