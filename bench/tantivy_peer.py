"""Benchmarks: the second peer, the same turns in a tantivy index (en_stem, AND, boosts as ours) with snippets and
terms aggregations over raw fast fields.

Run as a child process to build and report its own peak memory (parsing included, like the other builds):
    python -m bench.tantivy_peer build --index DIR CORPUS...

Where the work differs from searchsvc's: tantivy's en_stem keeps stop words (ours drops them; the query set draws
its words from outside a stop list, so both see the same required terms), it never relaxes a query to "most of
the words" and makes no spelling suggestions, and its snippets are one fragment a field (ours up to three).
tantivy is a benchmark peer only: it is in the test extras (for tests/test_bench.py), never a package dependency.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .corpus import parse_rows
from .stats import dir_size, peak_rss_mb

TEXT_FIELDS = ("question", "answer")
BOOSTS = {"question": 1.2, "answer": 1.0}      # searchsvc.index.schema.FIELD_BOOSTS
FACETS = {"speaker": "speaker", "outlet": "outlet", "conference": "conference_id", "year": "year"}
FACET_LIMIT = 20                               # bench.fts5.FACET_LIMIT
SNIPPET_CHARS = 200                            # our fragment_chars
HEAP_BYTES = 256 * 1024 * 1024


def ensure_tantivy(log=print):
    """The tantivy module; a clear message when the benchmark's extra is not installed."""
    try:
        import tantivy
    except ImportError:
        raise SystemExit("tantivy is not installed: pip install -e '.[bench]' (or '.[test]')") from None
    return tantivy


def build_schema(tantivy):
    sb = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="en_stem", index_option="position")
    for name in ("speaker", "outlet", "conference_id"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("year", stored=True, indexed=True, fast=True)
    sb.add_integer_field("day", indexed=True, fast=True)        # yyyymmdd, for date ranges
    for name in ("id", "title", "date"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def day_number(iso: str) -> int:
    return int(iso.replace("-", "")) if iso else 0


def build_index(rows: list[dict], path: Path, threads: int = 2) -> dict:
    """Write `rows` into a new tantivy index at `path`; returns seconds and size."""
    tantivy = ensure_tantivy()
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    index = tantivy.Index(build_schema(tantivy), path=str(path))
    writer = index.writer(heap_size=HEAP_BYTES, num_threads=threads)
    for r in rows:
        doc = tantivy.Document(question=r["question"], answer=r["answer"], outlet=r["outlet"],
                               conference_id=r["conference_id"], year=int(r["year"]), day=day_number(r["date"]),
                               id=r["id"], title=r["title"], date=r["date"])
        for name in r["speakers"]:
            doc.add_text("speaker", name)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return {"load_seconds": round(time.perf_counter() - t0, 3), "size_bytes": dir_size(path)}


class TantivySearcher:
    """Top 10 by BM25 (question boosted like ours), snippets on question and answer for the shown hits, the
    total, and disjunctive facet counts (terms aggregations; a facet with its own filter is counted without it)."""

    def __init__(self, path: Path):
        self.t = ensure_tantivy()
        self.index = self.t.Index.open(str(path))
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self) -> None:
        self.searcher = None

    def _text_query(self, query):
        text = " ".join(query.words)
        return self.index.parse_query(f'"{text}"' if query.phrase else text, list(TEXT_FIELDS),
                                      field_boosts=BOOSTS, conjunction_by_default=True)

    def _filtered(self, text_q, query, without: str = ""):
        t = self.t
        parts = [(t.Occur.Must, text_q)]
        if query.speaker and without != "speaker":
            parts.append((t.Occur.Must, t.Query.term_query(self.schema, "speaker", query.speaker)))
        if query.outlet and without != "outlet":
            parts.append((t.Occur.Must, t.Query.term_query(self.schema, "outlet", query.outlet)))
        if query.date_from or query.date_to:
            low, high = day_number(query.date_from) or 0, day_number(query.date_to) or 99991231
            parts.append((t.Occur.Must, t.Query.range_query(self.schema, "day", t.FieldType.Integer, low, high)))
        return parts[0][1] if len(parts) == 1 else t.Query.boolean_query(parts)

    def _facets(self, text_q, query) -> dict:
        def terms(names):
            return {n: {"terms": {"field": FACETS[n], "size": FACET_LIMIT}} for n in names}

        own = [n for n in ("speaker", "outlet") if getattr(query, n)]
        shared = [n for n in FACETS if n not in own]
        got = self.searcher.aggregate(self._filtered(text_q, query), terms(shared))
        for name in own:
            got.update(self.searcher.aggregate(self._filtered(text_q, query, without=name), terms([name])))
        return {n: [(b["key"], b["doc_count"]) for b in got[n]["buckets"] if b["key"] != ""] for n in FACETS}

    def search(self, query, top: int = 10) -> dict:
        text_q = self._text_query(query)
        full = self._filtered(text_q, query)
        result = self.searcher.search(full, limit=top, count=True)
        hits = []
        if result.hits:
            gens = []
            for name in TEXT_FIELDS:
                gen = self.t.SnippetGenerator.create(self.searcher, text_q, self.schema, name)
                gen.set_max_num_chars(SNIPPET_CHARS)
                gens.append(gen)
            for score, address in result.hits:
                doc = self.searcher.doc(address)
                snippets = [g.snippet_from_doc(doc).to_html() for g in gens]
                hits.append((doc["id"][0], doc["title"][0], doc["date"][0], *snippets, score))
        return {"total": result.count, "hits": hits, "facets": self._facets(text_q, query)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tantivy_peer")
    sub = parser.add_subparsers(dest="cmd", required=True)
    build = sub.add_parser("build", help="parse CORPUS and build the tantivy index; print JSON figures")
    build.add_argument("--index", required=True, type=Path)
    build.add_argument("--threads", type=int, default=2, help="indexing threads (default 2: the machine's cores)")
    build.add_argument("corpus", nargs="+", type=Path)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows, info = parse_rows(args.corpus)
    info.update(build_index(rows, args.index, args.threads), seconds=round(time.perf_counter() - t0, 3),
                peak_rss_mb=peak_rss_mb())
    json.dump(info, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
