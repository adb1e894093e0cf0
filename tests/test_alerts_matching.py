"""Alerts matching against a live index: runs while another process rebuilds and adds (new generations
published under the runs' feet) deliver each new matching turn exactly once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from alerts_support import DATA, WAIT, write_config

from searchsvc.alerts import AlertService
from searchsvc.config import load_settings
from searchsvc.index.build import rebuild_index
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

SAMPLE = Path(__file__).resolve().parents[1] / "sample"
WRITER = """
import sys
from searchsvc.config import load_settings
from searchsvc.index.build import add_to_index, rebuild_index
settings = load_settings(sys.argv[1])
data, sample = sys.argv[2], sys.argv[3]
rebuild_index(settings, [data + "/base", sample])              # many turns, none new that match
add_to_index(settings, [data + "/new"])
rebuild_index(settings, [data + "/base", data + "/new", sample])   # the same turns again
add_to_index(settings, [data + "/more"])
"""


def _matching_ids(settings, q: str) -> set[str]:
    search = SearchService(settings)
    try:
        with search.snapshot() as snap:
            return {snap.generation.record(int(d)).id for d in np.flatnonzero(snap.mask(SearchRequest(q=q)))}
    finally:
        search.close()


def test_runs_during_rebuilds_and_adds_deliver_each_new_turn_once(tmp_path, hook):
    config = write_config(tmp_path, index_dir=tmp_path / "index", batch_limit=3)
    settings = load_settings(config)
    rebuild_index(settings, [DATA / "base"])
    search = SearchService(settings)
    alerts = AlertService(settings, search)
    hook.secret = alerts.add(SearchRequest(q="wildfire OR budget"), webhook=hook.url).secret
    before = _matching_ids(settings, "wildfire OR budget")

    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(config), str(DATA), str(SAMPLE)],
                              stderr=subprocess.PIPE, text=True)
    runs, generations = 0, set()
    deadline = time.monotonic() + 20 * WAIT
    try:
        while writer.poll() is None and time.monotonic() < deadline:
            report = alerts.run()
            assert not report.failed, report
            runs += 1
            generations.add(report.generation)
    finally:
        if writer.poll() is None:
            writer.kill()
        _out, err = writer.communicate()
    assert writer.returncode == 0, err
    final = alerts.run()
    search.close()

    expected = _matching_ids(settings, "wildfire OR budget") - before
    delivered = [t for p in hook.accepted() for t in p.turn_ids]
    assert all(p.signature_ok for p in hook.received)
    assert len(delivered) == len(set(delivered)), "a turn was delivered twice"
    assert set(delivered) == expected and len(expected) >= 6
    assert not final.failed
    print(f"\n{runs} runs during the writer, {len(generations)} generations, {len(delivered)} turns delivered once")
