"""Hardening of indexing + serving together: `searchsvc index rebuild` and `index add` run in a subprocess while a
bounded open-loop load hits the real gunicorn (2 sync workers) on 127.0.0.1: no request fails, and answers
switch to the new generation for good once it is swapped in (a marker word appears and never disappears).
Default: the bundled sample; dedicated run (-m slow): the shared corpus (else the sample) at a higher rate."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hardening_support import AnswerCounter, Tally, marker_file

from bench.loadgen import run_load
from searchsvc.index.build import rebuild_index
from searchsvc.index.store import current_generation, read_stats
from searchsvc.ingest import parse_paths

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
CORPUS = ROOT.parent / "shared" / "corpus"
MARKERS = ("quokkazephyr", "wombatnimbus")


def cli(settings_index: Path, *args: str, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "searchsvc.cli", "--config", str(ROOT / "config.toml"), "--index", str(settings_index),
           "index", *args]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def marker_total(answer) -> int | None:
    return json.loads(answer.body)["total"] if answer.ok and answer.path.startswith("/api/search") else None


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_rebuild_and_add_under_load_fail_no_request(start_server, sample_settings, tmp_path, large):
    tally = Tally("rebuild.load")
    corpus = CORPUS if large and CORPUS.is_dir() else SAMPLE
    index = tmp_path / "index"
    settings = sample_settings.with_index_dir(index)
    first = rebuild_index(settings, [SAMPLE])
    server = start_server(index, workers=2)
    m1 = marker_file(tmp_path / "m1", MARKERS[0], "2024-12-30")
    m2 = marker_file(tmp_path / "m2", MARKERS[1], "2024-12-31")
    paths = [f"/api/search?q={MARKERS[0]}", "/api/search?q=trade&per_page=5", "/?q=tariffs", "/healthz",
             f"/api/search?q={MARKERS[1]}", "/results?q=china&sort=newest", "/api/facets",
             "/?q=security+council&scope=answer", "/api/search?q=pres*&page=2"]
    rate = 20.0 if large else 15.0

    steps: dict[str, float] = {}
    result = {}
    seen = AnswerCounter()

    def until() -> bool:       # stop once answers for the second marker came after the add
        return "done" in steps and seen.count(f"/api/search?q={MARKERS[1]}", after=steps["done"]) >= 3

    loader = threading.Thread(target=lambda: result.setdefault("load", run_load(
        server.port, paths, rate, seconds=6, until=until, max_seconds=1500 if large else 180,
        on_answer=seen.add)))
    loader.start()
    try:
        # Answers before each build, events not sleeps: the markers are searched (and not found) first.
        seen.wait_for(f"/api/search?q={MARKERS[0]}", 2, after=0.0, timeout=60)
        steps["rebuild_start"] = time.monotonic()
        proc = cli(index, "rebuild", str(corpus), str(m1.parent), log=tmp_path / "rebuild.log")
        rc_rebuild = proc.wait(timeout=1400 if large else 170)
        steps["rebuild_end"] = time.monotonic()
        rebuilt = current_generation(settings)
        seen.wait_for(f"/api/search?q={MARKERS[0]}", 2, after=steps["rebuild_end"], timeout=60)
        steps["add_start"] = time.monotonic()
        proc = cli(index, "add", str(m2), log=tmp_path / "add.log")
        rc_add = proc.wait(timeout=300)
        steps["add_end"] = steps["done"] = time.monotonic()
    finally:
        steps.setdefault("done", time.monotonic())
        loader.join()
    load = result["load"]
    summary = load.summary()
    tally.add("requests", len(load.answers))
    tally.add("failed", len(load.failed))
    tally.record(large=large, corpus=str(corpus),
                 **{k: v for k, v in summary.items() if k not in ("requests", "failed")})

    assert rc_rebuild == 0, (tmp_path / "rebuild.log").read_text(errors="replace")[-2000:]
    assert rc_add == 0, (tmp_path / "add.log").read_text(errors="replace")[-2000:]
    assert not load.failed, (summary, server.log_text()[-4000:])
    assert len(load.answers) >= rate * 5

    # The rebuilt generation holds every parsed turn; the add put one conference on top.
    parsed = parse_paths([corpus, m1.parent])
    assert rebuilt != first.generation
    final = read_stats(settings)
    assert final.turns == sum(len(c.turns) for c in parsed.conferences) + len(parse_paths([m2]).conferences[0].turns)

    for word, start, end in ((MARKERS[0], "rebuild_start", "rebuild_end"), (MARKERS[1], "add_start", "add_end")):
        answers = [a for a in load.answers if a.path == f"/api/search?q={word}"]
        before = [marker_total(a) for a in answers if a.finished < steps[start]]
        after = [marker_total(a) for a in answers if a.started > steps[end]]
        assert before and set(before) == {0}, (word, before)
        assert after and min(after) >= 1, (word, after)
        # Once one answer showed the new generation, every answer started later shows it too (no flip-back).
        first_seen = min(a.finished for a in answers if marker_total(a))
        assert all(marker_total(a) >= 1 for a in answers if a.started > first_seen), word
    status, health = server.get_json("/healthz")
    assert status == 200 and health["generation"] == current_generation(settings) and health["turns"] == final.turns


def test_add_keeps_facet_columns_aligned_across_segments(tmp_path, sample_settings):
    """Whoosh's MultiReader.column_reader skips segments without any value in a column; after `index add`
    the outlet column then no longer lined up with docnums (a 500 on every search, or outlets moved to the
    wrong turns when the first segment had none). Found by the rebuild-under-load test."""
    from support import tiny_conferences

    from searchsvc.index.build import add_conferences, rebuild_from_conferences
    from searchsvc.models import SearchRequest
    from searchsvc.search import SearchService

    mfa, wh = tiny_conferences()
    settings = sample_settings.with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, [wh])        # first segment: no outlets at all
    stats = add_conferences(settings, [mfa])        # second segment: Reuters, AFP, Bloomberg
    assert stats.outlets == 3 and stats.turns == len(wh.turns) + len(mfa.turns)
    service = SearchService(settings)
    try:
        page = service.search(SearchRequest(outlets=("Reuters",), per_page=50))
        assert sorted(h.id for h in page.hits) == [f"{mfa.id}-1", f"{mfa.id}-3"]
        assert all(h.outlet == "Reuters" for h in page.hits)
        counts = {v.value: v.count for v in service.search(SearchRequest(per_page=1)).facets["outlet"]}
        assert counts == {"Reuters": 2, "AFP": 1, "Bloomberg": 1}
        rebuild_from_conferences(settings, [mfa])
        add_conferences(settings, [wh])             # the other way round: the last segment has none
        assert service.search(SearchRequest(q="hong kong")).total >= 3
    finally:
        service.close()
