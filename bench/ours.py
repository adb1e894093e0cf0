"""Benchmarks: searchsvc under test: full rebuild in a child process, and in-process search timing.

    python -m bench.ours build --index DIR CORPUS...   (prints JSON figures, peak RSS included)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from .corpus import CONFIG
from .stats import dir_size, latency_summary, peak_rss_mb


def settings_for(index_dir: Path, corpus=None, config: Path = CONFIG):
    from searchsvc.config import load_settings

    settings = load_settings(config).with_index_dir(index_dir)
    return settings.with_corpus(corpus) if corpus else settings


def _summary(took: list[float], per_query: list, errors: list[str]) -> dict:
    ok = [p for p in per_query if p]
    return {
        **latency_summary(took), "errors": len(errors), "error_samples": errors[:5],
        "zero_hit_queries": sum(1 for p in ok if p["total"] == 0),
        "highlighted_share": round(sum(1 for p in ok if p["highlighted"]) / len(ok), 3) if ok else None,
        "facets_share": round(sum(1 for p in ok if p["facets"]) / len(ok), 3) if ok else None,
        "relaxed_queries": sum(1 for p in ok if p.get("relaxed")),
        "per_query": per_query,
    }


def time_interleaved(runners: dict, queries, warmup: int = 20) -> dict:
    """Time every runner on every query, interleaved query by query (alternating which goes first),
    so that noise from other load on the machine falls on all systems alike.

    runners: name -> run_one(query) -> dict(total, hits, highlighted, facets[, relaxed]).
    Returns name -> latency summary with per-query figures.
    """
    names = list(runners)
    for q in queries[:warmup]:
        for name in names:
            try:
                runners[name](q)
            except Exception:   # noqa: BLE001 - counted below when it happens again
                pass
    took = {n: [] for n in names}
    per_query = {n: [] for n in names}
    errors = {n: [] for n in names}
    for i, q in enumerate(queries):
        for name in (names if i % 2 == 0 else names[::-1]):
            t0 = time.perf_counter()
            try:
                got = runners[name](q)
            except Exception as exc:  # noqa: BLE001 - a benchmark records failures, it does not stop
                errors[name].append(f"{q.q!r}: {type(exc).__name__}: {exc}"[:200])
                per_query[name].append(None)
                continue
            dt = time.perf_counter() - t0
            took[name].append(dt)
            per_query[name].append({"ms": round(dt * 1000, 3), **got})
    return {n: _summary(took[n], per_query[n], errors[n]) for n in names}


def ours_runner(settings):
    """(run_one, close) for searchsvc's SearchService, plus the seconds it took to open."""
    from searchsvc.search import SearchService

    t0 = time.perf_counter()
    service = SearchService(settings)
    getattr(service, "generation", None)    # opens the index (the service opens it lazily)
    open_s = time.perf_counter() - t0

    def run_one(q):
        page = service.search(q.to_request())
        marked = any("<mark>" in (h.question_html + h.answer_html) for h in page.hits)
        facets_ok = all(name in page.facets for name in ("speaker", "outlet", "conference", "year"))
        return {"total": page.total, "hits": len(page.hits), "highlighted": marked, "facets": facets_ok,
                "relaxed": bool(page.optional_terms)}

    return run_one, service.close, open_s


def fts5_runner(db: Path):
    from .fts5 import Fts5Searcher

    t0 = time.perf_counter()
    searcher = Fts5Searcher(db)
    open_s = time.perf_counter() - t0

    def run_one(q):
        res = searcher.search(q)
        marked = any("<mark>" in ((h[6] or "") + (h[7] or "")) for h in res["hits"])
        return {"total": res["total"], "hits": len(res["hits"]), "highlighted": marked,
                "facets": len(res["facets"]) == 4}

    return run_one, searcher.close, open_s


def tantivy_runner(path: Path):
    from .tantivy_peer import TantivySearcher

    t0 = time.perf_counter()
    searcher = TantivySearcher(path)
    open_s = time.perf_counter() - t0

    def run_one(q):
        res = searcher.search(q)
        marked = any("<b>" in ((h[3] or "") + (h[4] or "")) for h in res["hits"])
        return {"total": res["total"], "hits": len(res["hits"]), "highlighted": marked,
                "facets": len(res["facets"]) == 4}

    return run_one, searcher.close, open_s


def search_peers(settings, db: Path, queries, warmup: int = 20, tantivy: Path | None = None) -> dict[str, dict]:
    """In-process search timings of searchsvc, FTS5 (and tantivy when its index is given), interleaved."""
    made = {"ours": ours_runner(settings), "fts5": fts5_runner(db)}
    if tantivy is not None:
        made["tantivy"] = tantivy_runner(tantivy)
    try:
        res = time_interleaved({name: run for name, (run, _, _) in made.items()}, queries, warmup)
    finally:
        for _, close, _ in made.values():
            close()
    for name, (_, _, open_s) in made.items():
        res[name]["open_seconds"] = round(open_s, 3)
    return res


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ours")
    sub = parser.add_subparsers(dest="cmd", required=True)
    build = sub.add_parser("build", help="full rebuild of CORPUS into --index; print JSON figures")
    build.add_argument("--index", required=True, type=Path)
    build.add_argument("--config", default=CONFIG, type=Path)
    build.add_argument("corpus", nargs="+", type=Path)
    args = parser.parse_args(argv)
    from searchsvc.index.build import rebuild_index

    settings = settings_for(args.index, args.corpus, args.config)
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    stats = rebuild_index(settings, paths=[str(p) for p in args.corpus])
    seconds = time.perf_counter() - t0
    out = {key: (str(v) if not isinstance(v, (int, float, str)) else v)
           for key, v in dataclasses.asdict(stats).items()}
    out.update(seconds=round(seconds, 3), peak_rss_mb=peak_rss_mb(), rss_after_imports_mb=rss_before,
               peak_rss_largest_subprocess_mb=peak_rss_mb(children=True),
               index_dir_bytes=dir_size(args.index))
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
