"""Benchmarks: the one command. searchsvc side by side with SQLite FTS5 (in process) and Datasette (over HTTP).

    .venv/bin/python -m bench.run [--corpus PATH] [--queries N] [--skip-http] [--scale 10] [--out FILE]

Runs on ../shared/corpus when it exists, else on the bundled sample. Prints tables and writes
all figures as JSON (default bench/results/<timestamp>.json). Targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import coldstart, replicate, servers
from .corpus import CONFIG, REPO, default_corpus, raw_bytes, text_bytes
from .fts5 import load_rows
from .loadgen import highest_good_step, run_open_loop, run_sequential
from .ours import search_peers, settings_for
from .queries import build_queries
from .report import render, targets
from .stats import latency_summary, ratio


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, action="append",
                   help="transcript file or folder (repeatable); default ../shared/corpus, else sample/")
    p.add_argument("--queries", type=int, default=300, help="size of the seeded query set (default 300)")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--warmup", type=int, default=20, help="queries run before timing, per system")
    p.add_argument("--skip-http", action="store_true", help="no servers: build, in-process search, cold start")
    p.add_argument("--skip-datasette", action="store_true", help="HTTP without the Datasette comparison")
    p.add_argument("--skip-coldstart", action="store_true")
    p.add_argument("--skip-tantivy", action="store_true", help="leave out the tantivy peer (build and search)")
    p.add_argument("--coldstart-repeat", type=int, default=3, help="spawns per cold-start figure (median)")
    p.add_argument("--http-steps", default="10,25,50,100,150,200,250,300",
                   help="offered req/s per load step (comma list)")
    p.add_argument("--step-seconds", type=float, default=10.0, help="duration of each load step")
    p.add_argument("--http-queries", type=int, default=0, help="queries for the sequential HTTP runs (0 = all)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers of our server")
    p.add_argument("--scale", type=int, default=0, help="also build and search an xN synthetic copy (e.g. 10)")
    p.add_argument("--out", type=Path, help="JSON results file (default bench/results/<timestamp>.json)")
    p.add_argument("--workdir", type=Path, help="where indexes go (default: a temp dir, removed afterwards)")
    p.add_argument("--keep", action="store_true", help="keep the work dir (indexes, logs)")
    p.add_argument("--reuse", action="store_true",
                   help="with --workdir: reuse builds a previous run left there (their figures included)")
    p.add_argument("--config", type=Path, default=CONFIG)
    return p.parse_args(argv)


class Clock:
    def __init__(self):
        self.t0 = time.perf_counter()

    def log(self, msg: str) -> None:
        print(f"[bench {time.perf_counter() - self.t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def run_child(module: str, args: list[str], log, saved: Path | None = None, reuse: bool = False) -> dict:
    """`python -m module args` in a fresh process (so its peak RSS is its own); its last stdout line as JSON.

    With `saved`, the figures are also written there; with `reuse`, read back from there when it exists.
    """
    if reuse and saved is not None and saved.exists():
        log(f"{module}: reusing the build in {saved.parent}")
        return json.loads(saved.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args[:3])}... failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    out = json.loads(lines[-1])
    out["process_wall_seconds"] = round(wall, 3)
    log(f"{module}: {out.get('seconds')} s")
    if saved is not None:
        saved.write_text(json.dumps(out), encoding="utf-8")
    return out


def build_figures(ours: dict, fts: dict, text: int, raw: int, tv: dict | None = None) -> dict:
    def derived(seconds, turns, size):
        return {"turns_per_s": round(turns / seconds, 1), "text_mb_per_s": round(text / 1e6 / seconds, 2),
                "index_to_text": round(size / text, 3) if text else None}

    turns = fts["turns"]
    ours_size = ours.get("size_bytes") or ours.get("index_dir_bytes")
    return {
        "turns": turns, "conferences": fts["conferences"], "files_seen": fts["files_seen"],
        "parse_problems": fts["problems"], "text_bytes": text, "raw_file_bytes": raw,
        "ours": {"seconds": ours["seconds"], "peak_rss_mb": ours["peak_rss_mb"],
                 "peak_rss_largest_subprocess_mb": ours.get("peak_rss_largest_subprocess_mb"),
                 "rss_after_imports_mb": ours.get("rss_after_imports_mb"), "index_bytes": ours_size,
                 "indexed_turns": ours.get("turns"), **derived(ours["seconds"], turns, ours_size)},
        "fts5": {"seconds": fts["seconds"], "parse_seconds": fts["parse_seconds"],
                 "load_seconds": fts["load_seconds"], "peak_rss_mb": fts["peak_rss_mb"],
                 "index_bytes": fts["size_bytes"], **derived(fts["seconds"], turns, fts["size_bytes"])},
        "ratio_seconds": ratio(ours["seconds"], fts["seconds"]),
        "ratio_seconds_vs_fts5_load_only": ratio(ours["seconds"], fts["load_seconds"]),
        "ratio_index_bytes": ratio(ours_size, fts["size_bytes"]),
        **({"tantivy": {"seconds": tv["seconds"], "parse_seconds": tv["parse_seconds"],
                        "load_seconds": tv["load_seconds"], "peak_rss_mb": tv["peak_rss_mb"],
                        "index_bytes": tv["size_bytes"], **derived(tv["seconds"], turns, tv["size_bytes"])},
            "ratio_seconds_vs_tantivy": ratio(ours["seconds"], tv["seconds"]),
            "ratio_index_bytes_vs_tantivy": ratio(ours_size, tv["size_bytes"])} if tv else {}),
    }


def agreement(ours: dict, fts: dict, queries, peer: str = "fts5") -> dict:
    """How often both systems find the same number of matches (a check that the comparison is fair)."""
    # Queries that searchsvc relaxed (fewer than 10 turns had every word) are left out: different semantics.
    pairs = [(a["total"], b["total"]) for a, b in zip(ours["per_query"], fts["per_query"])
             if a and b and not a.get("relaxed")]
    both = [(a, b) for a, b in pairs if a and b]
    close = sum(1 for a, b in both if abs(a - b) <= 0.2 * max(a, b))
    by_kind: dict[str, list] = {}
    for q, a, b in zip(queries, ours["per_query"], fts["per_query"]):
        if a and b:
            by_kind.setdefault(q.kind, []).append((a["ms"], b["ms"]))
    kinds = {k: {"n": len(v), "ours_p50_ms": latency_summary([x / 1000 for x, _ in v])["p50_ms"],
                 f"{peer}_p50_ms": latency_summary([y / 1000 for _, y in v])["p50_ms"]}
             for k, v in sorted(by_kind.items())}
    return {
        "queries_compared": len(pairs), "ours_relaxed": ours.get("relaxed_queries", 0),
        "both_found_something": len(both),
        "totals_within_20pct": close, "ours_zero": sum(1 for a, _ in pairs if not a),
        f"{peer}_zero": sum(1 for _, b in pairs if not b), "by_kind": kinds,
    }


def search_figures(res: dict[str, dict], queries) -> dict:
    strip = lambda d: {k: v for k, v in d.items() if k != "per_query"}  # noqa: E731
    ours, fts = res["ours"], res["fts5"]
    out = {
        "queries": len(queries), "ours": strip(ours), "fts5": strip(fts),
        "ratio": {p: ratio(ours[f"{p}_ms"], fts[f"{p}_ms"]) for p in ("p50", "p95", "p99")},
        "agreement": agreement(ours, fts, queries),
    }
    if "tantivy" in res:
        tv = res["tantivy"]
        out["tantivy"] = strip(tv)
        out["ratio_tantivy"] = {p: ratio(ours[f"{p}_ms"], tv[f"{p}_ms"]) for p in ("p50", "p95", "p99")}
        out["agreement_tantivy"] = agreement(ours, tv, queries, "tantivy")
    return out


def per_query_table(res: dict[str, dict], queries) -> list[dict]:
    """Each query's time and match count in every system (for looking into outliers and disagreements)."""
    rows = []
    for i, q in enumerate(queries):
        row = {"kind": q.kind, "q": q.q, "ours_relaxed": (res["ours"]["per_query"][i] or {}).get("relaxed")}
        for name, r in res.items():
            got = r["per_query"][i]
            row[f"{name}_ms"], row[f"{name}_total"] = (got["ms"], got["total"]) if got else (None, None)
        rows.append(row)
    return rows


def step_rates(args) -> list[float]:
    """The offered req/s of the load steps (--http-steps)."""
    return [float(s) for s in args.http_steps.split(",") if s.strip()]


def load_steps(args, port: int, paths: list[str], clock: Clock, label: str, fresh: bool = False) -> list[dict]:
    """Open-loop steps at the offered rates; `fresh`: every request a path not asked before (no page-cache hits)."""
    steps, used = [], 0
    for rate in step_rates(args):
        todo = paths
        if fresh:
            need = max(1, int(rate * args.step_seconds))
            todo, used = paths[used:used + need] or paths, used + need
        step = run_open_loop(servers.HOST, port, todo, rate, args.step_seconds)
        steps.append(step)
        clock.log(f"load {rate:g} req/s ({label}): achieved {step['achieved_rps']}, p99 {step['p99_ms']} ms, "
                  f"errors {step['errors']}, cache hits {step['cache_hit_share']}")
        if step["errors"] > step["requests"] * 0.1 or (step["achieved_rps"] or 0) < 0.8 * rate:
            clock.log("server saturated (over 10% errors or under 80% of the offered rate): higher steps skipped")
            break
    return steps


def distinct_paths(rows: list[dict], queries, args) -> list[str]:
    """API paths of a second seeded query set, none repeated and none in `queries`: enough for every load step."""
    need = sum(int(rate * args.step_seconds) for rate in step_rates(args))
    seen = {q.api_path() for q in queries}
    out = []
    for q in build_queries(rows, int(need * 1.3) + 10, args.seed + 1):
        path = q.api_path()
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


def warm_path(path: str) -> str:
    """The same search with another page size: warms postings and code paths, leaves no page-cache entry to hit."""
    return path + "&per_page=9"


def http_figures(args, index_dir: Path, db: Path, queries, workdir: Path, clock: Clock,
                 fresh_paths: list[str] = ()) -> dict:
    out: dict = {"workers": args.workers}
    subset = queries[: args.http_queries] if args.http_queries else queries
    warm = subset[: args.warmup]
    with servers.ours(index_dir, workdir, workers=args.workers, config=args.config) as ours:
        out["ours_cold_healthz_s"] = round(ours.ready("/healthz"), 3)
        out["ours_cold_first_query_s"] = round(ours.ready(warm_path(subset[0].api_path())), 3)
        clock.log(f"searchsvc serving on 127.0.0.1:{ours.port}")
        run_sequential(servers.HOST, ours.port, [warm_path(q.api_path()) for q in warm])
        out["ours_sequential"] = run_sequential(servers.HOST, ours.port, [q.api_path() for q in subset])
        clock.log(f"sequential /api/search: p50 {out['ours_sequential']['p50_ms']} ms")
        paths = [q.api_path() for q in queries]
        out["load_steps"] = load_steps(args, ours.port, paths, clock, "repeated query set")
        out["highest_step_p99_under_200ms"] = highest_good_step(out["load_steps"])
        if fresh_paths:
            out["load_steps_distinct"] = load_steps(args, ours.port, list(fresh_paths), clock, "distinct queries",
                                                    fresh=True)
            out["highest_step_p99_under_200ms_distinct"] = highest_good_step(out["load_steps_distinct"])
        out["worker_memory"] = ours.worker_memory()
        clock.log(f"worker memory after the load: {out['worker_memory']}")
    if args.skip_datasette:
        return out
    exe = servers.ensure_datasette(clock.log)
    with servers.datasette(db, workdir, exe) as ds:
        out["datasette_cold_first_query_s"] = round(ds.ready(subset[0].datasette_path(), timeout=120), 3)
        clock.log(f"datasette serving on 127.0.0.1:{ds.port}")
        run_sequential(servers.HOST, ds.port, [q.datasette_path() for q in warm])
        out["datasette_sequential"] = run_sequential(servers.HOST, ds.port, [q.datasette_path() for q in subset])
        clock.log(f"sequential datasette: p50 {out['datasette_sequential']['p50_ms']} ms")
    out["ratio_vs_datasette"] = {p: ratio(out["ours_sequential"][f"{p}_ms"], out["datasette_sequential"][f"{p}_ms"])
                                 for p in ("p50", "p95", "p99")}
    return out


def scale_figures(args, corpus: list[Path], rows: list[dict], queries, base: dict, workdir: Path,
                  clock: Clock) -> dict:
    n = args.scale
    synth = workdir / f"synthetic-x{n}"
    paths = [*corpus, synth]
    db, index_dir = workdir / f"x{n}.db", workdir / f"index-x{n}"
    saved = {name: workdir / f"{name}-x{n}.json" for name in ("replicate", "fts5-build", "ours-build", "tantivy-build")}
    reuse = bool(args.reuse and args.workdir)
    if reuse and saved["replicate"].exists() and synth.is_dir():
        made = json.loads(saved["replicate"].read_text(encoding="utf-8"))
    else:
        made = replicate.write_copies(rows, synth, factor=n)
        saved["replicate"].write_text(json.dumps(made), encoding="utf-8")
    clock.log(f"replicate: {made['files']} synthetic files, {made['turns']} turns in {made['seconds']} s")
    fts = run_child("bench.fts5", ["build", "--db", str(db), *map(str, paths)], clock.log,
                    saved["fts5-build"], reuse)
    ours = run_child("bench.ours", ["build", "--config", str(args.config), "--index", str(index_dir),
                                    *map(str, paths)], clock.log, saved["ours-build"], reuse)
    tv_dir = workdir / f"tantivy-x{n}" if not args.skip_tantivy else None
    tv = build_tantivy(tv_dir, paths, clock, saved["tantivy-build"], reuse) if tv_dir else None
    with sqlite3.connect(db) as conn:
        text = conn.execute("SELECT sum(length(CAST(question AS BLOB)) + length(CAST(answer AS BLOB))) "
                            "FROM turns").fetchone()[0]
    build = build_figures(ours, fts, text, raw_bytes(paths), tv)
    res = search_peers(settings_for(index_dir, config=args.config), db, queries, args.warmup, tv_dir)
    search = search_figures(res, queries)
    growth = {
        "build_seconds": ratio(build["ours"]["seconds"], base["build"]["ours"]["seconds"]),
        "index_bytes": ratio(build["ours"]["index_bytes"], base["build"]["ours"]["index_bytes"]),
        **{f"ours_{p}": ratio(search["ours"][f"{p}_ms"], base["search"]["ours"][f"{p}_ms"]) for p in ("p50", "p99")},
        **{f"fts5_{p}": ratio(search["fts5"][f"{p}_ms"], base["search"]["fts5"][f"{p}_ms"]) for p in ("p50", "p99")},
    }
    http = None if args.skip_http else scale_http(args, index_dir, queries, workdir, clock)
    if not args.keep:
        shutil.rmtree(synth, ignore_errors=True)
    return {"factor": args.scale, "http": http, "replicate": made, "build": build, "search": search, "growth": growth,
            "search_per_query": per_query_table(res, queries)}


def scale_http(args, index_dir: Path, queries, workdir: Path, clock: Clock) -> dict:
    """The scaled index served by our gunicorn: the query set once sequentially, then each worker's memory."""
    with servers.ours(index_dir, workdir, workers=args.workers, config=args.config) as srv:
        srv.ready("/healthz", timeout=180)
        paths = [q.api_path() for q in queries]
        seq = run_sequential(servers.HOST, srv.port, paths)
        memory = srv.worker_memory()
    clock.log(f"x{args.scale} served: sequential p50 {seq['p50_ms']} ms, p99 {seq['p99_ms']} ms; memory {memory}")
    return {"sequential": seq, "worker_memory": memory}


def build_tantivy(index_dir: Path, corpus: list[Path], clock: Clock, saved: Path, reuse: bool) -> dict:
    """The tantivy peer's build (parse + index) in a child process, like the other two."""
    if not (reuse and saved.exists()):
        shutil.rmtree(index_dir, ignore_errors=True)
    return run_child("bench.tantivy_peer", ["build", "--index", str(index_dir), *map(str, corpus)], clock.log,
                     saved, reuse)


def main(argv=None) -> int:
    args = parse_args(argv)
    clock = Clock()
    corpus = [p.resolve() for p in (args.corpus or [default_corpus()])]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_path = args.out or REPO / "bench" / "results" / f"{stamp}.json"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="searchsvc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {"meta": {
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": stamp, "corpus": [str(p) for p in corpus], "workdir": str(workdir),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "machine": platform.machine(),
        "cpus": os.cpu_count(), "queries": args.queries, "seed": args.seed,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }}
    try:
        db, index_dir = workdir / "db.db", workdir / "index"
        clock.log(f"corpus {', '.join(map(str, corpus))}; building FTS5 (parse + load) in a child process")
        reuse = bool(args.reuse and args.workdir)
        fts = run_child("bench.fts5", ["build", "--db", str(db), *map(str, corpus)], clock.log,
                        workdir / "fts5-build.json", reuse)
        clock.log("building searchsvc (rebuild_index, parsing included) in a child process")
        ours = run_child("bench.ours", ["build", "--config", str(args.config), "--index", str(index_dir),
                                        *map(str, corpus)], clock.log, workdir / "ours-build.json", reuse)
        tv_dir = None if args.skip_tantivy else workdir / "tantivy"
        tv = None
        if tv_dir:
            clock.log("building tantivy (parse + index) in a child process")
            tv = build_tantivy(tv_dir, corpus, clock, workdir / "tantivy-build.json", reuse)
        rows = load_rows(db)
        results["build"] = build_figures(ours, fts, text_bytes(rows), raw_bytes(corpus), tv)
        queries = build_queries(rows, args.queries, args.seed)
        results["query_set"] = [q.as_dict() for q in queries]
        clock.log(f"{len(queries)} queries; timing in-process search (searchsvc, FTS5{', tantivy' if tv_dir else ''}"
                  f", interleaved)")
        res = search_peers(settings_for(index_dir, config=args.config), db, queries, args.warmup, tv_dir)
        results["search"] = search_figures(res, queries)
        results["search_per_query"] = per_query_table(res, queries)
        if not args.skip_coldstart:
            clock.log("cold start (spawn to first answered query)")
            results["coldstart"] = coldstart.measure(index_dir, db, queries[0].words[0],
                                                     repeat=args.coldstart_repeat, config=args.config)
        if not args.skip_http:
            results["http"] = http_figures(args, index_dir, db, queries, workdir, clock,
                                           distinct_paths(rows, queries, args))
        if args.scale and args.scale > 1:
            results["scale"] = scale_figures(args, corpus, rows, queries, results, workdir, clock)
        results["targets"] = targets(results)
        results["meta"]["seconds"] = round(time.perf_counter() - clock.t0, 1)
        results["meta"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print(render(results))
    print(f"\nresults: {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
