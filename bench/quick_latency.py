"""Benchmarks: quick in-process latency of SearchService.search (query + facets + highlights) on a built index.

Queries are 2-4 word windows taken from real question text stored in the index (fixed seed), so they
look like what people type and usually match. Usage:

    .venv/bin/python bench/quick_latency.py --index /tmp/idx [--queries 300] [--seed 7] [--sort relevance]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searchsvc.config import load_settings  # noqa: E402
from searchsvc.index.store import open_index  # noqa: E402
from searchsvc.models import SearchRequest  # noqa: E402
from searchsvc.search import SearchService  # noqa: E402

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def sample_queries(settings, count: int, seed: int) -> list[str]:
    """`count` queries: random windows of 2-4 words from random stored questions."""
    rng = random.Random(seed)
    with open_index(settings).searcher() as searcher:
        total = searcher.doc_count_all()
        queries: list[str] = []
        tries = 0
        while len(queries) < count and tries < count * 50:
            tries += 1
            question = searcher.stored_fields(rng.randrange(total)).get("question", "")
            words = WORD.findall(question)
            if len(words) < 4:
                continue
            size = rng.randint(2, 4)
            start = rng.randrange(len(words) - size + 1)
            queries.append(" ".join(words[start:start + size]))
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(Path(__file__).resolve().parents[1] / "config.toml"))
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest"])
    parser.add_argument("--show", type=int, default=5, help="print the N slowest queries")
    args = parser.parse_args(argv)

    settings = load_settings(args.config).with_index_dir(args.index)
    queries = sample_queries(settings, args.queries, args.seed)
    service = SearchService(settings)
    started = time.perf_counter()
    service.search(SearchRequest(q="warm up"))
    open_ms = (time.perf_counter() - started) * 1000

    timings, totals = [], []
    for q in queries:
        t0 = time.perf_counter()
        page = service.search(SearchRequest(q=q, sort=args.sort))
        timings.append(((time.perf_counter() - t0) * 1000, q, page.total))
        totals.append(page.total)
    ms = [t for t, _, _ in timings]
    print(f"index {args.index}: {service.stats().turns:,} turns; first search (opens index, facet tables) "
          f"{open_ms:.0f} ms")
    print(f"{len(ms)} queries ({args.sort}): p50 {statistics.median(ms):.1f} ms, p90 {percentile(ms, 90):.1f} ms, "
          f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, mean {statistics.fmean(ms):.1f} ms; "
          f"median total {statistics.median(totals):.0f} hits, {sum(1 for t in totals if t == 0)} with none")
    for t, q, total in sorted(timings, reverse=True)[:args.show]:
        print(f"  {t:7.1f} ms  {total:6d} hits  {q!r}")
    service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
