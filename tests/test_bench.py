"""Benchmark harness (bench/): runs end to end on the bundled sample with tiny sizes so that it cannot rot."""

from __future__ import annotations

import json
import socket
import sqlite3
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:          # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(REPO))

from bench import fts5, loadgen, replicate, run, tantivy_peer  # noqa: E402
from bench.corpus import parse_rows  # noqa: E402
from bench.queries import build_queries, fts_string  # noqa: E402
from bench.stats import percentile  # noqa: E402

SAMPLE = REPO / "sample"


@pytest.fixture(scope="module")
def sample_rows():
    rows, info = parse_rows([SAMPLE])
    assert info["turns"] == len(rows) > 100
    return rows


@pytest.fixture(scope="module")
def sample_db(sample_rows, tmp_path_factory):
    path = tmp_path_factory.mktemp("bench-fts5") / "db.db"
    fts5.build_db(sample_rows, path)
    return path


@pytest.mark.parametrize("text, expected", [
    ("tariffs", '"tariffs"'),
    ('say "no"', '"say ""no"""'),
    ("NEAR(a b)", '"NEAR(a b)"'),
    ("AND", '"AND"'),
    ("taxes*", '"taxes*"'),
])
def test_fts_string_quotes_terms_so_no_operator_survives(text, expected, sample_db):
    assert fts_string(text) == expected
    conn = sqlite3.connect(sample_db)
    conn.execute("SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?", (expected,)).fetchone()  # no syntax error


@pytest.mark.parametrize("values, p, expected", [
    ([5.0], 99, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
    ([3.0, 1.0, 2.0], 0, 1.0),
    ([3.0, 1.0, 2.0], 100, 3.0),
    ([], 50, None),
])
def test_percentile(values, p, expected):
    assert percentile(values, p) == expected


def test_query_set_is_seeded_and_each_query_matches_the_turn_it_came_from(sample_rows, sample_db):
    queries = build_queries(sample_rows, 60, seed=7)
    assert [q.as_dict() for q in queries] == [q.as_dict() for q in build_queries(sample_rows, 60, seed=7)]
    assert [q.q for q in queries] != [q.q for q in build_queries(sample_rows, 60, seed=8)]
    assert {q.kind for q in queries} >= {"term", "and", "phrase", "speaker", "daterange"}
    conn = sqlite3.connect(sample_db)
    searcher = fts5.Fts5Searcher(sample_db)
    for q in queries:
        where, args = searcher._filters(q)
        found = conn.execute(
            f"SELECT count(*) FROM turns_fts CROSS JOIN facts f ON f.rowid = turns_fts.rowid "
            f"JOIN turns t ON t.rowid = f.rowid WHERE turns_fts MATCH ?{where} AND t.id = ?",
            [q.fts_match(), *args, q.source_id]).fetchone()[0]
        assert found == 1, q
        res = searcher.search(q)
        assert res["total"] >= 1 and res["hits"] and set(res["facets"]) == {"speaker", "outlet", "conference", "year"}
    searcher.close()


def test_replicate_writes_labelled_shifted_copies_that_the_readers_parse(sample_rows, tmp_path):
    made = replicate.write_copies(sample_rows, tmp_path / "x2", factor=2)
    assert made["copies"] == 1 and made["files"] == len({r["conference_id"] for r in sample_rows})
    rows, info = parse_rows([tmp_path / "x2"])
    assert info["problems"] == 0
    assert abs(len(rows) - len(sample_rows)) <= 0.05 * len(sample_rows)
    assert all(r["title"].startswith("[synthetic x2 #1] ") for r in rows)
    assert not {r["conference_id"] for r in rows} & {r["conference_id"] for r in sample_rows}
    real_years = {r["year"] for r in sample_rows}
    assert {r["year"] for r in rows} == {y + replicate.YEARS_PER_COPY for y in real_years}
    assert replicate.shift_date(date(2020, 2, 29), 1) == date(2021, 2, 28)


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.1", "example.org"])
def test_load_generator_only_targets_loopback(host):
    with pytest.raises(ValueError):
        loadgen.run_open_loop(host, 80, ["/"], rate=1, seconds=0.1)
    with pytest.raises(ValueError):
        loadgen.fetch(host, 80, "/")


def test_bench_run_on_the_sample_with_tiny_sizes(tmp_path, capsys):
    out = tmp_path / "results.json"
    rc = run.main(["--corpus", str(SAMPLE), "--queries", "30", "--warmup", "2", "--coldstart-repeat", "1",
                   "--http-steps", "5", "--step-seconds", "1", "--http-queries", "10", "--skip-datasette",
                   "--workdir", str(tmp_path / "work"), "--out", str(out)])
    assert rc == 0
    r = json.loads(out.read_text())
    build = r["build"]
    assert build["turns"] > 100 and build["ours"]["seconds"] > 0 and build["fts5"]["seconds"] > 0
    assert build["ours"]["index_bytes"] > 0 and build["fts5"]["index_bytes"] > 0 and build["ratio_seconds"] > 0
    assert abs(build["ours"]["indexed_turns"] - build["turns"]) <= 0.02 * build["turns"]
    search = r["search"]
    for side in ("ours", "fts5", "tantivy"):
        assert search[side]["n"] == 30 and search[side]["errors"] == 0
        assert search[side]["highlighted_share"] >= 0.9 and search[side]["facets_share"] == 1.0
    assert search["ratio"]["p50"] > 0 and search["ratio"]["p99"] > 0
    assert search["ratio_tantivy"]["p50"] > 0 and build["tantivy"]["index_bytes"] > 0
    assert search["agreement_tantivy"]["both_found_something"] > 0.9 * search["agreement_tantivy"]["queries_compared"]
    assert search["agreement"]["both_found_something"] == search["agreement"]["queries_compared"] > 0
    assert all(v["ok"] for k, v in r["coldstart"].items() if k != "query")
    http = r["http"]
    assert http["ours_sequential"]["n"] == 10 and http["ours_sequential"]["errors"] == 0
    step = http["load_steps"][0]
    assert step["offered_rps"] == 5 and step["completed"] == step["requests"] == 5 and step["errors"] == 0
    assert 0.0 <= step["cache_hit_share"] <= 1.0   # asked before, but maybe of the other worker
    assert len(http["worker_memory"]) == 2 and all(w["rss_mb"] >= w["pss_mb"] > 0 for w in http["worker_memory"])
    fresh = http["load_steps_distinct"][0]
    assert fresh["completed"] == 5 and fresh["errors"] == 0
    assert fresh["cache_hit_share"] == 0.0     # never asked before: every answer searched
    assert {t["target"] for t in r["targets"]} and len(r["query_set"]) == 30
    printed = capsys.readouterr().out
    assert "== build ==" in printed and "== targets (reported, not asserted) ==" in printed
    assert "ours / tantivy" in printed


def test_tantivy_peer_counts_what_fts5_counts_on_the_sample(sample_rows, sample_db, tmp_path):
    """Same turns, same queries: match counts close to FTS5's (stemmers differ: Snowball vs Porter), facets summed
    over a facet never exceed the total, a speaker filter keeps only that speaker's turns."""
    tantivy_peer.build_index(sample_rows, tmp_path / "tv")
    tv, fts = tantivy_peer.TantivySearcher(tmp_path / "tv"), fts5.Fts5Searcher(sample_db)
    queries = build_queries(sample_rows, 60, seed=3)
    close = 0
    for q in queries:
        a, b = tv.search(q), fts.search(q)
        close += abs(a["total"] - b["total"]) <= 0.2 * max(a["total"], b["total"])
        assert a["total"] >= 1 and a["hits"], q           # the turn the words came from matches
        assert all(n <= a["total"] for _, n in a["facets"]["year"])
        if q.speaker and not (q.outlet or q.date_from or q.date_to):   # disjunctive: counted without its own filter
            assert dict(a["facets"]["speaker"]).get(q.speaker) == a["total"], q
    assert close >= 0.9 * len(queries)


def test_quick_latency_script_runs_on_a_built_index(sample_settings):
    """bench/quick_latency.py (the quick in-process check) imports and times a few queries."""
    import subprocess
    script = Path(__file__).resolve().parents[1] / "bench" / "quick_latency.py"
    done = subprocess.run([sys.executable, str(script), "--index", str(sample_settings.index.dir), "--queries", "5"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "p50" in done.stdout


# ---- the lean load generator (bench/loadgen.run_lean) against a real HTTP server on loopback ----------------

class _Handler(BaseHTTPRequestHandler):
    """200 with X-Cache: hit for /hit, miss otherwise; /stall answers only once the test lets it."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/stall"):
            self.server.release.wait(timeout=30)
        body = b'{"ok": true}'
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("X-Cache", "hit" if self.path.startswith("/hit") else "miss")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_lean_generator_offers_every_request_and_reads_status_and_cache(http_server):
    port = http_server.server_address[1]
    result = loadgen.run_lean(port, ["/hit?a=1", "/other", "/missing"], rate=60, seconds=0.5, timeout=5.0)
    assert len(result.answers) == 30
    assert [a.path for a in result.answers[:3]] == ["/hit?a=1", "/other", "/missing"]
    assert [a.status for a in result.answers] == [200, 200, 404] * 10
    assert [a.cache for a in result.answers[:3]] == ["hit", "miss", "miss"]
    dues = [a.due for a in result.answers]
    assert dues == sorted(dues) and abs((dues[-1] - dues[0]) - 29 / 60) < 1e-6    # due times: one every 1/rate s
    assert all(a.finished >= a.started >= a.due - 1e-6 for a in result.answers)
    step = loadgen.run_open_loop("127.0.0.1", port, ["/hit"], rate=40, seconds=0.25)
    assert step["requests"] == step["completed"] == 10 and step["errors"] == 0 and step["cache_hit_share"] == 1.0
    assert step["client_cpu_ms_per_request"] is not None


def test_lean_generator_counts_timeouts_and_refused_connections(http_server):
    port = http_server.server_address[1]
    stalled = loadgen.run_lean(port, ["/stall"], rate=20, seconds=0.1, timeout=0.3, in_flight=4)
    assert len(stalled.answers) == 2
    assert all(a.status is None and a.error.startswith("TimeoutError") for a in stalled.answers)
    http_server.release.set()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused_port = closed.getsockname()[1]
    closed.close()                      # nothing listens there now
    refused = loadgen.run_lean(refused_port, ["/"], rate=20, seconds=0.1, timeout=2.0)
    assert len(refused.answers) == 2 and all(a.status is None and a.error for a in refused.answers)


def test_lean_generator_keeps_at_most_in_flight_requests_open(http_server):
    port = http_server.server_address[1]
    stalled = loadgen.run_lean(port, ["/stall"], rate=100, seconds=0.1, timeout=0.3, in_flight=3)
    started = sorted(a.started for a in stalled.answers)
    assert len(started) == 10
    # three at once; the others waited for a slot (a timed-out one), so they started later than they were due
    assert max(a.started - a.due for a in stalled.answers) >= 0.25
