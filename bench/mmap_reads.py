"""Benchmark: the same searches with the generation's files memory-mapped (Whoosh's default) and read with
read() (what the service does since issue 17: a file cut short under a map kills the worker with SIGBUS),
interleaved rounds on one index, result cache emptied before each search.

    .venv/bin/python -m bench.mmap_reads INDEX_DIR [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from whoosh import index as whoosh_index

import searchsvc.index.store as store
from searchsvc.config import load_settings
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

WORDS = ("china trade security economy minister president tariffs covid vaccine border talks relations climate "
         "sanctions taiwan ukraine energy inflation election police health water oil nuclear").split()
QUERIES = (WORDS + [f"{a} {b}" for a, b in zip(WORDS, WORDS[1:], strict=False)]
           + [f'"{a} {b}"' for a, b in zip(WORDS[::2], WORDS[1::2], strict=False)])


def timed_searches(index: Path, mapped: bool) -> list[float]:
    unmapped = store.open_unmapped
    if mapped:
        store.open_unmapped = lambda path: whoosh_index.open_dir(str(path))
    try:
        service = SearchService(load_settings("config.toml").with_index_dir(index))
        service.search(SearchRequest(q="warmup"))
        times = []
        for q in QUERIES:
            service.current().pages.clear()
            t0 = time.perf_counter()
            service.search(SearchRequest(q=q))
            times.append((time.perf_counter() - t0) * 1000)
        service.close()
        return times
    finally:
        store.open_unmapped = unmapped


def main(argv: list[str]) -> None:
    index, rounds = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 3
    found: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for mapped in (True, False):
            found[mapped] += timed_searches(index, mapped)
    for mapped, times in found.items():
        times.sort()
        print(f"{'mmap' if mapped else 'read'}  n={len(times)}  median={statistics.median(times):.1f} ms  "
              f"p90={times[int(len(times) * 0.9)]:.1f} ms  mean={statistics.mean(times):.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
