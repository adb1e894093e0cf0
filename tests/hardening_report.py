"""Prints the figures of a hardening run (the JSON lines tests/test_hardening_*.py append to
$SEARCHSVC_HARDENING_FIGURES). Used by scripts/hardening.sh: python tests/hardening_report.py FIGURES.jsonl"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def load(path: str) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                sections[row.pop("section")].append(row)
    return sections


def total(rows: list[dict], key: str) -> int:
    return sum(int(r.get(key) or 0) for r in rows)


def render(sections: dict[str, list[dict]]) -> str:
    query_rows = [r for name, rows in sections.items() if name.startswith("queries.") for r in rows]
    crawl = sections.get("xss.crawl", [])
    rebuild = sections.get("rebuild.load", [])
    kills = sections.get("crash.kills", [])
    load = sections.get("load", [])
    mutants = sections.get("transcripts.mutants", [])
    bad = sections.get("transcripts.bad-files", [])
    lines = ["", "== hardening figures =="]

    def add(label: str, value) -> None:
        lines.append(f"{label:<44} {value}")

    add("query cases tried (service + HTTP + raw)", f"{total(query_rows, 'cases'):,}"
        + "".join(f"  [{name[8:]}: {total(rows, 'cases'):,}]" for name, rows in sorted(sections.items())
                  if name.startswith("queries.")))
    rejected = total(query_rows, "rejected") + total(query_rows, "status_400")
    add("  of them rejected with a 400 / QueryError", f"{rejected:,}")
    add("transcript mutants tried", f"{total(mutants, 'cases'):,} ({total(mutants, 'parsed'):,} parsed, "
        f"{total(mutants, 'errors'):,} named errors, {total(mutants, 'crashes')} crashes)")
    add("bad transcript files", ", ".join(f"{r.get('files', 0)} files: {r.get('parsed', 0)} parsed, "
                                          f"{r.get('errors', 0)} named errors" for r in bad) or "-")
    add("5xx answers (fuzzing + crawl)", total(query_rows, "5xx") + total(crawl, "5xx"))
    add("pages crawled with planted markup", total(crawl, "pages"))
    add("unescaped outputs", total(crawl, "unescaped"))
    add("header problems (CSP, nosniff, referrer)", total(crawl, "header_problems"))
    for r in rebuild:
        add("requests during rebuild + add", f"{r.get('requests')} ({r.get('corpus')}, p99 {r.get('p99_ms')} ms)")
    add("failed requests during rebuild + add", total(rebuild, "failed") if rebuild else "-")
    for r in kills:
        add("kills (rebuild / add)", f"{r.get('kills', 0)} ({r.get('kills_rebuild', 0)} / {r.get('kills_add', 0)}), "
            f"{r.get('finished_before_kill', 0)} finished first, {r.get('killed_after_swap', 0)} killed after the swap")
        add("partial generations left by kills (removed)", r.get("partial_generations_seen"))
    add("kills survived", total(kills, "kills_survived") if kills else "-")
    add("orphaned writer processes", total(kills, "orphans") + total(sections.get("crash.mpwriter", []), "orphans"))
    add("turns lost", total(kills, "turns_lost") if kills else "-")
    for r in load:
        add("load", f"{r.get('requests')} requests at {r.get('offered_rps')} req/s over {r.get('seconds')} s on "
            f"{r.get('turns'):,} turns: {r.get('failed')} failed, p50 {r.get('p50_ms')} ms, p95 {r.get('p95_ms')} ms, "
            f"p99 {r.get('p99_ms')} ms, max {r.get('max_ms')} ms")
    for r in sections.get("diskfull", []):
        add("disk full: faults injected (rebuild / add)", f"{r.get('faults_injected', 0)} of {r.get('runs', 0)} runs "
            f"({r.get('succeeded_with_room', 0)} had room); tracebacks {r.get('tracebacks', 0)}, left behind "
            f"{r.get('leftovers', 0)}, serving generation changed {r.get('serving_changed', 0)} / damaged "
            f"{r.get('serving_damaged', 0)}")
    for r in sections.get("damaged", []):
        add("damaged index: faults injected", f"{r.get('faults_injected', 0)}: named by verify {r.get('named', 0)}, "
            f"503 {r.get('status_503', 0)}, 500 {r.get('status_500', 0)}, 200 {r.get('status_200', 0)}")
    for r in sections.get("burst", []):
        add("burst: one client flooding", f"{r.get('flood_requests')} at {r.get('flood_rps')} req/s: "
            f"{r.get('flood_429')} got 429; others {r.get('others_requests')} requests, {r.get('others_failed')} "
            f"failed, p50 {r.get('others_p50_ms')} / p99 {r.get('others_p99_ms')} ms (alone "
            f"{r.get('others_baseline_p50_ms')} / {r.get('others_baseline_p99_ms')} ms)")
    for r in sections.get("soak", []):
        slopes = ", ".join(f"{w.get('rss_slope_mb_per_hour')}" for w in r.get("per_worker", {}).values())
        fds = ", ".join(f"{w.get('fds_min')}-{w.get('fds_max')}" for w in r.get("per_worker", {}).values())
        add("soak", f"{r.get('requests')} requests over {r.get('seconds')} s at {r.get('offered_rps')} req/s "
            f"(capacity {r.get('capacity_rps')}): {r.get('failed')} failed; {r.get('builds')} builds, "
            f"{r.get('builds_failed')} failed; at most {r.get('max_generations')} generations; RSS slope per "
            f"worker {slopes} MB/h; fds {fds}; p99 {r.get('p99_ms')} ms")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: hardening_report.py FIGURES.jsonl", file=sys.stderr)
        return 2
    print(render(load(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
