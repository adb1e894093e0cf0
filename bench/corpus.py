"""Benchmarks: which corpus to use, and the parsed turns flattened into plain rows (dicts) for the peers."""

from __future__ import annotations

import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "sample"
CONFIG = REPO / "config.toml"
TRANSCRIPT_SUFFIXES = {".txt", ".html", ".htm", ".md"}
NOT_TRANSCRIPTS = {"readme.md", "license", "license.md", "pages.tsv"}

ROW_FIELDS = ("id", "conference_id", "title", "date", "year", "source_format", "source_url",
              "seq", "kind", "outlet", "speakers", "question", "answer")


def default_corpus() -> Path:
    """The whole shared corpus when it is there, else the bundled sample."""
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() else SAMPLE


def raw_bytes(paths) -> int:
    """Bytes of the transcript files under `paths` (what a reader would open)."""
    total = 0
    for path in map(Path, paths):
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and f.suffix.lower() in TRANSCRIPT_SUFFIXES and f.name.lower() not in NOT_TRANSCRIPTS:
                total += f.stat().st_size
    return total


def conference_rows(conf) -> list[dict]:
    """One row per turn of a Conference, with the conference's facts repeated."""
    from searchsvc.models import turn_id

    rows = []
    for t in conf.turns:
        rows.append({
            "id": turn_id(conf.id, t.seq), "conference_id": conf.id, "title": conf.title,
            "date": conf.date.isoformat(), "year": conf.date.year, "source_format": conf.source_format,
            "source_url": conf.source_url, "seq": t.seq, "kind": t.kind, "outlet": t.outlet,
            "speakers": list(t.speakers), "question": t.question, "answer": t.answer,
        })
    return rows


def parse_rows(paths) -> tuple[list[dict], dict]:
    """Parse `paths` with the project's readers; returns (rows, info with timings and counts)."""
    from searchsvc.ingest import parse_paths

    t0 = time.perf_counter()
    result = parse_paths([str(p) for p in paths])
    parse_s = time.perf_counter() - t0
    rows = [row for conf in result.conferences for row in conference_rows(conf)]
    info = {
        "files_seen": result.files_seen,
        "problems": len(result.problems),
        "conferences": len(result.conferences),
        "turns": len(rows),
        "parse_seconds": round(parse_s, 3),
        "text_bytes": text_bytes(rows),
    }
    return rows, info


def text_bytes(rows) -> int:
    """UTF-8 bytes of the question and answer text of `rows` (what gets indexed)."""
    return sum(len(r["question"].encode()) + len(r["answer"].encode()) for r in rows)
