"""Benchmarks: cold start, from process spawn to the first answered query (CLI, library, server)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from .corpus import CONFIG, REPO
from .servers import project_bin

LIBRARY_SNIPPET = """
import sys
from searchsvc.config import load_settings
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService
service = SearchService(load_settings(sys.argv[1]).with_index_dir(sys.argv[2]))
page = service.search(SearchRequest(q=sys.argv[3]))
print(page.total)
"""
FTS5_SNIPPET = """
import sys
sys.path.insert(0, sys.argv[1])
from bench.fts5 import Fts5Searcher
from bench.queries import Query
print(Fts5Searcher(sys.argv[2]).search(Query("term", tuple(sys.argv[3].split())))["total"])
"""


def _spawn_to_exit(argv: list[str], repeat: int) -> dict:
    took, last = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        last = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120)
        took.append(time.perf_counter() - t0)
    ok = last.returncode == 0
    return {"median_ms": round(statistics.median(took) * 1000, 1), "runs": repeat, "ok": ok,
            "stderr_tail": "" if ok else last.stderr[-300:]}


def measure(index_dir: Path, db: Path, word: str, repeat: int = 3, config: Path = CONFIG) -> dict:
    """Medians of `repeat` spawns each: bare interpreter, our CLI, our library, FTS5 from Python."""
    py = sys.executable
    return {
        "query": word,
        "python_baseline": _spawn_to_exit([py, "-c", "pass"], repeat),
        "ours_cli_search": _spawn_to_exit(
            [project_bin("searchsvc"), "--config", str(config), "--index", str(index_dir), "search", word], repeat),
        "ours_library_query": _spawn_to_exit([py, "-c", LIBRARY_SNIPPET, str(config), str(index_dir), word], repeat),
        "fts5_library_query": _spawn_to_exit([py, "-c", FTS5_SNIPPET, str(REPO), str(db), word], repeat),
    }
