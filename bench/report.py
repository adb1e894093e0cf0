"""Benchmarks: the readable tables printed at the end of a run, and the targets (reported, never asserted)."""

from __future__ import annotations

from .stats import fmt, render_table


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f} MB"


def _ms(n) -> str:
    return "-" if n is None else f"{n:,.1f} ms" if n >= 10 else f"{n:.2f} ms"


def _x(n) -> str:
    return "-" if n is None else f"{n:.2f}x"


def _memory(workers: list[dict]) -> str:
    return ", ".join(f"RSS {w['rss_mb']:,.0f} MB / PSS {w['pss_mb']:,.0f} MB" for w in workers)


def max_rss(workers) -> float | None:
    return max((w["rss_mb"] for w in workers), default=None) if workers else None


def targets(r: dict) -> list[dict]:
    """Each target with the measured figure and whether it was met (None when not measured)."""
    def target(name, value, ok):
        return {"target": name, "measured": value, "met": None if value is None else bool(ok)}

    build, search, http, scale = r.get("build", {}), r.get("search", {}), r.get("http", {}), r.get("scale", {})
    out = []
    secs = build.get("ours", {}).get("seconds")
    out.append(target("full rebuild < 30 s", secs, secs is not None and secs < 30))
    p50 = search.get("ratio", {}).get("p50")
    out.append(target("search p50 within 3x of FTS5 (ratio)", p50, p50 is not None and p50 <= 3))
    p99 = search.get("ratio", {}).get("p99")
    out.append(target("search p99 no worse than FTS5 (ratio)", p99, p99 is not None and p99 <= 1))
    ds = http.get("ratio_vs_datasette", {})
    for p in ("p50", "p99"):
        out.append(target(f"HTTP {p} no worse than Datasette (ratio)", ds.get(p), ds.get(p) is not None and ds[p] <= 1))
    best = http.get("highest_step_p99_under_200ms") if http else None
    if http and "load_steps" in http:
        out.append({"target": f">= 200 req/s at p99 < 200 ms with {http.get('workers')} workers",
                    "measured": best, "met": best is not None and best >= 200})
    else:
        out.append(target(">= 200 req/s at p99 < 200 ms with 2 workers", None, False))
    if http and "load_steps_distinct" in http:
        fresh = http.get("highest_step_p99_under_200ms_distinct")
        out.append({"target": "  the same, every query distinct (no page-cache hits)", "measured": fresh,
                    "met": fresh is not None and fresh >= 200})
    sp99 = scale.get("search", {}).get("ours", {}).get("p99_ms") if scale else None
    out.append(target(f"x{scale.get('factor', 10)} search p99 < 300 ms", sp99, sp99 is not None and sp99 < 300))
    tv = search.get("ratio_tantivy")
    if tv:
        for p, most in (("p50", 1.5), ("p99", 2.5)):
            out.append(target(f"x1 search {p} <= {most}x tantivy (ratio)", tv[p], tv[p] is not None and tv[p] <= most))
    stv = scale.get("search", {}).get("ratio_tantivy") if scale else None
    if stv:
        out.append(target(f"x{scale['factor']} search p99 <= 2x tantivy (ratio)", stv["p99"],
                          stv["p99"] is not None and stv["p99"] <= 2))
    rss = max_rss(http.get("worker_memory")) if http else None
    if rss is not None:
        out.append(target("RSS per worker at x1 <= 150 MB (largest worker, MB)", rss, rss <= 150))
    srss = max_rss((scale.get("http") or {}).get("worker_memory")) if scale else None
    if srss is not None:
        out.append(target(f"RSS per worker at x{scale['factor']} <= 600 MB (largest worker, MB)", srss, srss <= 600))
    sb = scale.get("build", {}).get("ratio_seconds") if scale else None
    if sb is not None:
        out.append(target(f"x{scale['factor']} build <= 1.0x FTS5 (ratio, parsing included)", sb, sb <= 1.0))
    return out


def render(r: dict) -> str:
    parts = []
    meta = r.get("meta", {})
    parts.append(f"corpus: {', '.join(meta.get('corpus', []))}   python {meta.get('python')}   "
                 f"sqlite {meta.get('sqlite')}   cpus {meta.get('cpus')}   total {meta.get('seconds')} s   "
                 f"load average at start {meta.get('loadavg_at_start')}, end {meta.get('loadavg_at_end')}")
    b = r.get("build")
    if b:
        parts.append(f"{b['conferences']:,} conferences, {b['turns']:,} turns, {_mb(b['text_bytes'])} of turn text "
                     f"({_mb(b['raw_file_bytes'])} of files), {b['parse_problems']} files skipped")
        rows = []
        for name, key in (("searchsvc (rebuild_index)", "ours"), ("SQLite FTS5 (parse+load)", "fts5"),
                          ("tantivy (parse+index)", "tantivy")):
            if key not in b:
                continue
            s = b[key]
            rss = "-" if s["peak_rss_mb"] is None else f"{s['peak_rss_mb']:,.0f} MB"
            if s.get("peak_rss_largest_subprocess_mb"):
                rss += f" (+ workers of {s['peak_rss_largest_subprocess_mb']:,.0f} MB)"
            rows.append([name, f"{s['seconds']:.2f} s", fmt(s["turns_per_s"]), fmt(s["text_mb_per_s"]),
                         rss, _mb(s["index_bytes"]), fmt(s["index_to_text"])])
        rows.append(["ours / FTS5", _x(b["ratio_seconds"]), "", "", "", _x(b["ratio_index_bytes"]), ""])
        if "tantivy" in b:
            rows.append(["ours / tantivy", _x(b["ratio_seconds_vs_tantivy"]), "", "", "",
                         _x(b["ratio_index_bytes_vs_tantivy"]), ""])
        parts.append(render_table("build", ["", "time", "turns/s", "text MB/s", "peak RSS", "index", "index/text"],
                                  rows))
        parts.append(f"(FTS5 load only, without parsing: {b['fts5']['load_seconds']:.2f} s; "
                     f"ours / that = {_x(b['ratio_seconds_vs_fts5_load_only'])})")
    s = r.get("search")
    if s:
        rows = [[name, _ms(s[k]["p50_ms"]), _ms(s[k]["p95_ms"]), _ms(s[k]["p99_ms"]), _ms(s[k]["max_ms"]),
                 fmt(s[k]["errors"]), fmt(s[k]["highlighted_share"])]
                for name, k in (("searchsvc SearchService", "ours"), ("SQLite FTS5", "fts5"), ("tantivy", "tantivy"))
                if k in s]
        rows.append(["ours / FTS5", _x(s["ratio"]["p50"]), _x(s["ratio"]["p95"]), _x(s["ratio"]["p99"]), "", "", ""])
        if "ratio_tantivy" in s:
            rt = s["ratio_tantivy"]
            rows.append(["ours / tantivy", _x(rt["p50"]), _x(rt["p95"]), _x(rt["p99"]), "", "", ""])
        parts.append(render_table(f"search, in process ({s['queries']} queries: top 10, highlights, 4 facets)",
                                  ["", "p50", "p95", "p99", "max", "errors", "highlighted"], rows))
        a = s["agreement"]
        parts.append(f"match counts (leaving out the {a['ours_relaxed']} queries searchsvc relaxed to 'most words'): "
                     f"both found hits for {a['both_found_something']}/{a['queries_compared']}, "
                     f"within 20% for {a['totals_within_20pct']}; zero hits: ours {a['ours_zero']}, "
                     f"FTS5 {a['fts5_zero']}")
        tk = s.get("agreement_tantivy", {}).get("by_kind", {})
        parts.append(render_table("p50 by query kind", ["kind", "n", "searchsvc", "FTS5", "tantivy"],
                                  [[k, v["n"], _ms(v["ours_p50_ms"]), _ms(v["fts5_p50_ms"]),
                                    _ms(tk.get(k, {}).get("tantivy_p50_ms"))]
                                   for k, v in a["by_kind"].items()]))
    c = r.get("coldstart")
    if c:
        rows = [[name, _ms(c[k]["median_ms"]), "ok" if c[k]["ok"] else "FAILED"]
                for name, k in (("python -c pass", "python_baseline"), ("searchsvc search CLI", "ours_cli_search"),
                                ("SearchService, one query", "ours_library_query"),
                                ("FTS5 from Python, one query", "fts5_library_query"))]
        h = r.get("http", {})
        if "ours_cold_healthz_s" in h:
            rows.append(["server: spawn to /healthz 200", _ms(h["ours_cold_healthz_s"] * 1000), "ok"])
            rows.append(["server: spawn to first /api/search", _ms(h["ours_cold_first_query_s"] * 1000), "ok"])
        if "datasette_cold_first_query_s" in h:
            rows.append(["datasette: spawn to first search", _ms(h["datasette_cold_first_query_s"] * 1000), "ok"])
        runs = c["ours_cli_search"]["runs"]
        parts.append(render_table(f"cold start (spawn to first answer; median of {runs})", ["", "time", ""], rows))
    h = r.get("http")
    if h:
        rows = []
        for name, key in (("searchsvc /api/search", "ours_sequential"),
                          ("Datasette /db/turns.json", "datasette_sequential")):
            if key in h:
                x = h[key]
                rows.append([name, _ms(x["p50_ms"]), _ms(x["p95_ms"]), _ms(x["p99_ms"]), fmt(x["errors"])])
        if "ratio_vs_datasette" in h:
            rr = h["ratio_vs_datasette"]
            rows.append(["ours / Datasette", _x(rr["p50"]), _x(rr["p95"]), _x(rr["p99"]), ""])
        parts.append(render_table("HTTP, sequential, same client", ["", "p50", "p95", "p99", "errors"], rows))
        for key, title in (("load_steps", "the fixed query set, repeated (page cache warm)"),
                           ("load_steps_distinct", "every request a new query (no page-cache hits)")):
            if key not in h:
                continue
            rows = [[f"{x['offered_rps']:g} req/s", fmt(x["achieved_rps"]), _ms(x["p50_ms"]), _ms(x["p99_ms"]),
                     fmt(x["errors"]), fmt(x.get("cache_hit_share")), fmt(x.get("client_cpu_cores"))] for x in h[key]]
            parts.append(render_table(f"HTTP open-loop load, gunicorn {h['workers']} workers: {title}",
                                      ["offered", "achieved", "p50", "p99", "errors", "cache hits", "client CPU"],
                                      rows))
            best = h.get("highest_step_p99_under_200ms" + key[len("load_steps"):])
            parts.append(f"highest step with p99 < 200 ms and no errors: {fmt(best)}")
        if h.get("worker_memory"):
            parts.append("memory per worker after the load: " + _memory(h["worker_memory"]))
    sc = r.get("scale")
    if sc:
        b, s, g = sc["build"], sc["search"], sc["growth"]
        rows = [["turns", fmt(b["turns"]), ""],
                ["searchsvc build", f"{b['ours']['seconds']:.1f} s", _x(g["build_seconds"])],
                ["searchsvc index", _mb(b["ours"]["index_bytes"]), _x(g["index_bytes"])],
                ["searchsvc p50 / p99", f"{_ms(s['ours']['p50_ms'])} / {_ms(s['ours']['p99_ms'])}",
                 f"{_x(g['ours_p50'])} / {_x(g['ours_p99'])}"],
                ["FTS5 build", f"{b['fts5']['seconds']:.1f} s", ""],
                ["FTS5 index", _mb(b["fts5"]["index_bytes"]), ""],
                ["FTS5 p50 / p99", f"{_ms(s['fts5']['p50_ms'])} / {_ms(s['fts5']['p99_ms'])}",
                 f"{_x(g['fts5_p50'])} / {_x(g['fts5_p99'])}"],
                ["ours / FTS5 p50 / p99", f"{_x(s['ratio']['p50'])} / {_x(s['ratio']['p99'])}", ""]]
        if "tantivy" in s:
            rows += [["tantivy build", f"{b['tantivy']['seconds']:.1f} s", ""],
                     ["tantivy p50 / p99", f"{_ms(s['tantivy']['p50_ms'])} / {_ms(s['tantivy']['p99_ms'])}", ""],
                     ["ours / tantivy p50 / p99",
                      f"{_x(s['ratio_tantivy']['p50'])} / {_x(s['ratio_tantivy']['p99'])}", ""]]
        if sc.get("http"):
            q = sc["http"]["sequential"]
            rows.append(["HTTP sequential p50 / p99", f"{_ms(q['p50_ms'])} / {_ms(q['p99_ms'])}", ""])
            rows.append(["memory per worker", _memory(sc["http"]["worker_memory"]), ""])
        parts.append(render_table(f"scale x{sc['factor']} (real corpus + synthetic copies)",
                                  ["", "value", "growth vs x1"], rows))
    t = r.get("targets")
    if t:
        rows = [[x["target"], fmt(x["measured"]), {True: "met", False: "NOT met", None: "not measured"}[x["met"]]]
                for x in t]
        parts.append(render_table("targets (reported, not asserted)", ["target", "measured", ""], rows))
    return "\n".join(parts)
