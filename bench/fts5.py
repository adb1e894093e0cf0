"""Benchmarks: the peer, the same turns in an SQLite FTS5 table (porter unicode61) with bm25, snippets and facets.

Run as a child process to build and report its own peak memory:
    python -m bench.fts5 build --db PATH CORPUS...
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from .corpus import parse_rows
from .stats import dir_size, peak_rss_mb

# content="turns" (double quotes) is what Datasette looks for to find the FTS table of `turns`.
SCHEMA = """
CREATE TABLE turns (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, conference_id TEXT NOT NULL, title TEXT NOT NULL,
    date TEXT NOT NULL, year INTEGER NOT NULL, source_format TEXT, source_url TEXT, seq INTEGER,
    kind TEXT, outlet TEXT NOT NULL, speakers TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL
);
CREATE TABLE facts (
    rowid INTEGER PRIMARY KEY, conference_id TEXT NOT NULL, year INTEGER NOT NULL, date TEXT NOT NULL,
    outlet TEXT NOT NULL, speakers TEXT NOT NULL
);
CREATE VIRTUAL TABLE turns_fts USING fts5(
    question, answer, content="turns", content_rowid="rowid", tokenize="porter unicode61"
);
"""
COLUMNS = ("id", "conference_id", "title", "date", "year", "source_format", "source_url", "seq", "kind",
           "outlet", "speakers", "question", "answer")
SNIPPET_TOKENS = 32     # about our 200-character fragments
FACET_LIMIT = 20


def build_db(rows: list[dict], path: Path) -> dict:
    """Write `rows` into a new SQLite file with its FTS5 index; returns seconds and size."""
    path = Path(path)
    if path.exists():
        path.unlink()
    t0 = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")   # like Whoosh, which does not fsync either
    conn.executescript(SCHEMA)
    marks = ", ".join("?" for _ in COLUMNS)
    with conn:
        conn.executemany(
            f"INSERT INTO turns ({', '.join(COLUMNS)}) VALUES ({marks})",
            ([json.dumps(r[c], ensure_ascii=False) if c == "speakers" else r[c] for c in COLUMNS] for r in rows))
    with conn:
        conn.execute("INSERT INTO facts SELECT rowid, conference_id, year, date, outlet, speakers FROM turns")
        conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
    conn.close()
    return {"load_seconds": round(time.perf_counter() - t0, 3), "size_bytes": dir_size(path)}


def load_rows(path: Path) -> list[dict]:
    """The rows back out of a built database (so the parent need not parse the corpus again)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    rows = []
    for r in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM turns ORDER BY rowid"):
        row = dict(r)
        row["speakers"] = json.loads(row["speakers"])
        rows.append(row)
    conn.close()
    return rows


class Fts5Searcher:
    """Top 10 by bm25 with snippets on question and answer, the total, and disjunctive facet counts.

    CROSS JOIN fixes the join order (match set outside): the planner has no statistics for the temp table.

    Filters and facets read the narrow `facts` table (not the wide `turns` rows with the text);
    snippets are made for the 10 shown rows only.
    """

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.execute("CREATE TEMP TABLE m (r INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.conn.close()

    @staticmethod
    def _filters(query, without: str = "") -> tuple[str, list]:
        sql, args = [], []
        if query.speaker and without != "speaker":
            sql.append("EXISTS (SELECT 1 FROM json_each(f.speakers) WHERE value = ?)")
            args.append(query.speaker)
        if query.outlet and without != "outlet":
            sql.append("f.outlet = ?")
            args.append(query.outlet)
        if query.date_from:
            sql.append("f.date >= ?")
            args.append(query.date_from)
        if query.date_to:
            sql.append("f.date <= ?")
            args.append(query.date_to)
        return "".join(f" AND {s}" for s in sql), args

    def search(self, query, top: int = 10) -> dict:
        c = self.conn
        match = query.fts_match()
        # The match set once, then the total and every facet from it.
        c.execute("DELETE FROM m")
        c.execute("INSERT INTO m (r) SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?", (match,))
        where, args = self._filters(query)
        total = c.execute(f"SELECT count(*) FROM m CROSS JOIN facts f ON f.rowid = m.r WHERE 1{where}",
                          args).fetchone()[0]
        facets = {}
        for facet, expr, join in (("speaker", "j.value", ", json_each(f.speakers) j"), ("outlet", "f.outlet", ""),
                                  ("conference", "f.conference_id", ""), ("year", "f.year", "")):
            fwhere, fargs = self._filters(query, without=facet)
            if facet == "outlet":
                fwhere += " AND f.outlet != ''"
            facets[facet] = c.execute(
                f"SELECT {expr}, count(*) AS n FROM m CROSS JOIN facts f ON f.rowid = m.r{join} WHERE 1{fwhere} "
                f"GROUP BY {expr} ORDER BY n DESC, {expr} LIMIT {FACET_LIMIT}", fargs).fetchall()
        ranked = c.execute(
            f"SELECT f.rowid, bm25(turns_fts) AS score FROM turns_fts CROSS JOIN facts f ON f.rowid = turns_fts.rowid "
            f"WHERE turns_fts MATCH ?{where} ORDER BY score LIMIT {int(top)}", [match, *args]).fetchall()
        hits = []
        if ranked:
            ids = ", ".join(str(int(r)) for r, _ in ranked)
            found = {row[0]: row for row in c.execute(
                f"SELECT t.rowid, t.id, t.conference_id, t.title, t.date, t.outlet, t.speakers, "
                f"snippet(turns_fts, 0, '<mark>', '</mark>', ' … ', {SNIPPET_TOKENS}), "
                f"snippet(turns_fts, 1, '<mark>', '</mark>', ' … ', {SNIPPET_TOKENS}) "
                f"FROM turns_fts CROSS JOIN turns t ON t.rowid = turns_fts.rowid "
                f"WHERE turns_fts MATCH ? AND turns_fts.rowid IN ({ids})", (match,))}
            hits = [(*found[r][1:], score) for r, score in ranked if r in found]
        return {"total": total, "hits": hits, "facets": facets}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fts5")
    sub = parser.add_subparsers(dest="cmd", required=True)
    build = sub.add_parser("build", help="parse CORPUS and build the FTS5 database; print JSON figures")
    build.add_argument("--db", required=True, type=Path)
    build.add_argument("corpus", nargs="+", type=Path)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows, info = parse_rows(args.corpus)
    built = build_db(rows, args.db)
    info.update(built, seconds=round(time.perf_counter() - t0, 3), peak_rss_mb=peak_rss_mb())
    json.dump(info, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
