"""Benchmarks: known-item search quality: success@1, success@10 and MRR per kind of query, searchsvc vs SQLite FTS5.

    .venv/bin/python -m bench.knownitem [--corpus PATH ...] [--split dev|heldout|all] [--baseline FILE] [--save]

The queries (bench/knownitem/queries.jsonl) name their target turn by its source file (relative to a corpus
folder) and a snippet of its question or answer text, resolved to turn ids when the run starts: turn
segmentation may change and the set still holds. Each run writes its figures (per query ranks included) to
bench/knownitem/results/<timestamp>.json and compares them with bench/knownitem/figures.json as committed at
HEAD (or --baseline FILE); --save makes this run's figures the new bench/knownitem/figures.json.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from .corpus import REPO, SHARED_CORPUS, conference_rows
from .fts5 import build_db
from .queries import fts_string

HERE = REPO / "bench" / "knownitem"
QUERIES = HERE / "queries.jsonl"
FIGURES = HERE / "figures.json"
RESULTS = HERE / "results"
DEFAULT_CORPORA = (SHARED_CORPUS, SHARED_CORPUS.parent / "corpus-more")
SYSTEMS = ("searchsvc", "fts5-and", "fts5-or")
TOP = 10


def normalize(text: str) -> str:
    """Lowercased words and numbers only, accents and punctuation gone: what a snippet is matched on."""
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " " + " ".join(re.findall(r"[^\W_]+", text)) + " "


def load_queries(path: Path = QUERIES) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parse_corpora(paths: list[Path]) -> list[dict]:
    """Rows of every turn (bench.corpus.conference_rows) plus the resolved path of the file it came from."""
    from searchsvc.ingest import parse_paths

    rows = []
    for conf in parse_paths([str(p) for p in paths]).conferences:
        source = str(Path(conf.source_file).resolve())
        for row in conference_rows(conf):
            row["file"] = source
            rows.append(row)
    return rows


def resolve_targets(queries: list[dict], rows: list[dict], corpora: list[Path]) -> dict[str, set[str]]:
    """query id -> ids of the turns of its file whose text holds its snippet (empty: not resolved)."""
    roots = {p.resolve().name: p.resolve() for p in corpora}
    by_file: dict[str, list[dict]] = {}
    for row in rows:
        by_file.setdefault(row["file"], []).append(row)
    out = {}
    for q in queries:
        root = roots.get(q["corpus"])
        turns = by_file.get(str(root / q["file"])) if root else None
        snippet = normalize(q["snippet"])
        out[q["id"]] = {r["id"] for r in turns or () if snippet in normalize(r["question"] + "\n" + r["answer"])}
    return out


def fts_expression(q: str, operator: str) -> str:
    """The query's quoted phrases and other words as FTS5 strings joined by AND or OR."""
    phrases = re.findall(r'"([^"]+)"', q)
    words = re.findall(r"[^\W_]+", re.sub(r'"[^"]*"', " ", q))
    return f" {operator} ".join(fts_string(p) for p in phrases + words)


def rank_of(found: list[str], targets: set[str]) -> int | None:
    return next((i + 1 for i, tid in enumerate(found) if tid in targets), None)


def run_searchsvc(settings, queries, targets) -> tuple[dict, list[float]]:
    from searchsvc.errors import QueryError
    from searchsvc.models import SearchRequest
    from searchsvc.search import SearchService

    service = SearchService(settings)
    ranks, took = {}, []
    try:
        for q in queries:
            t0 = time.perf_counter()
            try:
                page = service.search(SearchRequest(q=q["q"], per_page=TOP))
            except QueryError as exc:    # a refused query (time budget on a loaded machine) is a miss
                print(f"[knownitem] {q['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
                ranks[q["id"]] = None
                continue
            took.append((time.perf_counter() - t0) * 1000)
            ranks[q["id"]] = rank_of([h.id for h in page.hits], targets[q["id"]])
    finally:
        service.close()
    return ranks, took


def run_fts5(db: Path, queries, targets, operator: str) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ranks = {}
    try:
        for q in queries:
            found = [r[0] for r in conn.execute(
                "SELECT t.id FROM turns_fts JOIN turns t ON t.rowid = turns_fts.rowid WHERE turns_fts MATCH ? "
                f"ORDER BY bm25(turns_fts) LIMIT {TOP}", (fts_expression(q["q"], operator),))]
            ranks[q["id"]] = rank_of(found, targets[q["id"]])
    finally:
        conn.close()
    return ranks


def summarize(ranks: dict, queries: list[dict]) -> dict:
    """split -> kind (and "all") -> n, success@1, success@10, MRR."""
    out: dict = {}
    for split in ("dev", "heldout", "all"):
        chosen = [q for q in queries if split == "all" or q["split"] == split]
        groups: dict[str, list] = {"all": chosen}
        for q in chosen:
            groups.setdefault(q["kind"], []).append(q)
        out[split] = {}
        for kind, group in sorted(groups.items()):
            got = [ranks.get(q["id"]) for q in group]
            n = len(got) or 1
            out[split][kind] = {"n": len(got), "s1": round(sum(r == 1 for r in got) / n, 3),
                                "s10": round(sum(r is not None for r in got) / n, 3),
                                "mrr": round(sum(1 / r for r in got if r) / n, 3)}
    return out


def baseline_figures(path: Path | None) -> dict | None:
    if path is not None:
        return json.loads(path.read_text(encoding="utf-8"))
    shown = subprocess.run(["git", "show", f"HEAD:{FIGURES.relative_to(REPO)}"], cwd=REPO, capture_output=True,
                           text=True)
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def render(figures: dict, base: dict | None, split: str) -> str:
    lines = [f"known-item figures, {split} queries (success@1 / success@10 / MRR; n queries resolved)"]
    summary = {s: figures["systems"][s]["summary"][split] for s in SYSTEMS}
    before = base["systems"]["searchsvc"]["summary"].get(split, {}) if base else {}
    head = f"{'kind':<14}{'n':>4}  " + "  ".join(f"{s:>17}" for s in SYSTEMS) + ("   searchsvc before" if base else "")
    lines.append(head)
    for kind in summary["searchsvc"]:
        cells = [summary[s][kind] for s in SYSTEMS]
        row = f"{kind:<14}{cells[0]['n']:>4}  " + "  ".join(_cell(c) for c in cells)
        if kind in before:
            change = summary["searchsvc"][kind]["mrr"] - before[kind]["mrr"]
            row += f"   {_cell(before[kind])} (MRR {change:+.3f})"
        lines.append(row)
    return "\n".join(lines)


def _cell(c: dict) -> str:
    return f"{c['s1']:.2f} {c['s10']:.2f} {c['mrr']:.3f}"


def git_commit() -> str:
    got = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return got.stdout.strip()


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.knownitem", description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, action="append",
                   help="corpus folder (repeatable; its folder name is what queries.jsonl calls it); "
                        "default ../shared/corpus and ../shared/corpus-more")
    p.add_argument("--queries", type=Path, default=QUERIES)
    p.add_argument("--split", choices=("dev", "heldout", "all"), default="all", help="which queries to print")
    p.add_argument("--misses-of", choices=("dev", "heldout", "all"), default="dev",
                   help="with --misses: which split's misses to list (default dev: tune on these only)")
    p.add_argument("--baseline", type=Path, help="figures JSON to compare with (default: figures.json at HEAD)")
    p.add_argument("--save", action="store_true", help="write this run's figures to bench/knownitem/figures.json")
    p.add_argument("--workdir", type=Path, help="where the index and the FTS5 database go (default: a temp dir)")
    p.add_argument("--reuse-index", action="store_true",
                   help="with --workdir: search the index, FTS5 database and turns a previous run left there")
    p.add_argument("--misses", action="store_true", help="list the queries whose target searchsvc ranks below 1")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from .ours import settings_for

    corpora = args.corpus or [p for p in DEFAULT_CORPORA if p.is_dir()]
    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="knownitem-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        reuse = args.reuse_index and (work / "index").is_dir() and (work / "rows.pickle").is_file()
        rows = pickle.loads((work / "rows.pickle").read_bytes()) if reuse else parse_corpora(corpora)
        if not rows:
            shown = ", ".join(map(str, corpora)) or "no corpus"
            print(f"[knownitem] no turns in {shown}: pass --corpus", file=sys.stderr)
            return 2
        targets = resolve_targets(queries, rows, corpora)
        resolved = [q for q in queries if targets[q["id"]]]
        settings = settings_for(work / "index", corpora)
        if not reuse:
            from searchsvc.index.build import rebuild_index

            rebuild_index(settings, paths=[str(p) for p in corpora])
            build_db(rows, work / "fts5.db")
            (work / "rows.pickle").write_bytes(pickle.dumps(rows))
        print(f"[knownitem] {len(rows)} turns, {len(resolved)}/{len(queries)} queries resolved, "
              f"built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        ours, took = run_searchsvc(settings, resolved, targets)
        ranks = {"searchsvc": ours, "fts5-and": run_fts5(work / "fts5.db", resolved, targets, "AND"),
                 "fts5-or": run_fts5(work / "fts5.db", resolved, targets, "OR")}
    figures = {
        "commit": git_commit(), "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpora": [p.resolve().name for p in corpora], "turns": len(rows),
        "unresolved": [q["id"] for q in queries if not targets[q["id"]]],
        "searchsvc_ms": {"p50": round(statistics.median(took), 2) if took else None,
                         "p99": round(sorted(took)[int(0.99 * (len(took) - 1))], 2) if took else None},
        "systems": {s: {"summary": summarize(r, resolved), "ranks": r} for s, r in ranks.items()},
    }
    base = baseline_figures(args.baseline)
    splits = ("dev", "heldout", "all") if args.split == "all" else (args.split,)
    for split in splits:
        print(render(figures, base, split))
        print()
    print(f"searchsvc latency over these queries: p50 {figures['searchsvc_ms']['p50']} ms, "
          f"p99 {figures['searchsvc_ms']['p99']} ms; unresolved targets: {', '.join(figures['unresolved']) or 'none'}")
    if args.misses:   # of the queries printed (default: the development set only; look at held-out ones last)
        for q in (q for q in resolved if args.misses_of in ("all", q["split"])):
            r = ours[q["id"]]
            if r != 1:
                print(f"  {q['id']:<18} {q['split']:<8} rank {r}: {q['q']}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if args.save:
        FIGURES.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
