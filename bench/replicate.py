"""Benchmarks: a synthetic xN corpus for scale runs, written as White House-style Markdown so the real pipeline runs.

    python -m bench.replicate --factor 10 --out /tmp/synthetic-x10 [--corpus PATH]

Writes factor - 1 copies of every parsed conference (the real corpus itself is the first
copy), so that indexing the corpus together with --out holds about N times its turns:
    searchsvc --index /tmp/ix10 index rebuild ../shared/corpus /tmp/synthetic-x10
Every copy is clearly labelled: its title starts with "[synthetic xN #k]", its source_url
ends in "#synthetic-xN-k", and its dates are shifted by k * 8 years, so its conference and
turn ids differ from the real ones. The text of the turns is copied as it is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from itertools import groupby
from pathlib import Path

import yaml

YEARS_PER_COPY = 8        # the real corpus spans 2018-2025: copies do not overlap in time
NO_SPEAKER = "SPOKESPERSON"


def shift_date(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:          # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _label(name: str) -> str:
    """A White House-style speaker label: the name in capitals ("ZHAO LIJIAN")."""
    name = re.sub(r"[:\n]+", " ", name).strip()
    return name.upper() if name else NO_SPEAKER


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _labelled(label: str, text: str, sep: str = ":  ") -> list[str]:
    paras = _paragraphs(text) or [""]
    return [f"{label}{sep}{paras[0]}".rstrip(), *paras[1:]]


def render_conference(rows: list[dict], factor: int, copy: int) -> tuple[str, str]:
    """(file name, Markdown text) of copy `copy` of the conference whose turns are `rows`."""
    first = rows[0]
    day = shift_date(date.fromisoformat(first["date"]), copy * YEARS_PER_COPY)
    title = f"[synthetic x{factor} #{copy}] {first['title']}"
    front = {"tags": "press-briefings", "date": day.isoformat(), "title": title,
             "source_url": f"{first['source_url'] or 'synthetic:'}#synthetic-x{factor}-{copy}"}
    body: list[str] = []
    for r in rows:
        if r["question"].strip():
            body.extend(_labelled("Q", r["question"], sep="    "))
        if r["answer"].strip() or r["kind"] != "question-answer":
            speaker = r["speakers"][0] if r["speakers"] else ""
            body.extend(_labelled(_label(speaker), r["answer"]))
    body.append("END")
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10**6) + "---\n\n"
    text += "\n\n".join(body) + "\n"
    slug = re.sub(r"[^a-z0-9]+", "-", first["title"].lower()).strip("-")[:60]
    return f"{day.isoformat()}-{first['conference_id'][-8:]}-{slug}.md", text


def write_copies(rows: list[dict], out_dir: Path, factor: int) -> dict:
    """Write copies 1 .. factor-1 of every conference in `rows` (grouped by conference_id) under `out_dir`."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    conferences = [list(g) for _, g in groupby(rows, key=lambda r: r["conference_id"])]
    files = turns = size = 0
    for copy in range(1, factor):
        folder = out_dir / f"copy-{copy:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for conf_rows in conferences:
            name, text = render_conference(conf_rows, factor, copy)
            data = text.encode("utf-8")
            (folder / name).write_bytes(data)
            files += 1
            turns += len(conf_rows)
            size += len(data)
    return {"factor": factor, "copies": factor - 1, "files": files, "turns": turns, "bytes": size,
            "seconds": round(time.perf_counter() - t0, 3), "dir": str(out_dir)}


def main(argv=None) -> int:
    from .corpus import default_corpus, parse_rows

    parser = argparse.ArgumentParser(prog="python -m bench.replicate", description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10, help="N: corpus + N-1 synthetic copies (default 10)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the synthetic files")
    parser.add_argument("--corpus", type=Path, action="append", help="default ../shared/corpus, else sample/")
    args = parser.parse_args(argv)
    if args.factor < 2:
        parser.error("--factor must be at least 2")
    rows, info = parse_rows(args.corpus or [default_corpus()])
    made = write_copies(rows, args.out, args.factor)
    json.dump({"source": info, **made}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
