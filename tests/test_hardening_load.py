"""Hardening of serving (web + gunicorn): a bounded open-loop load at a fixed rate on `searchsvc serve` with
2 sync workers on 127.0.0.1 (a mix of pages, fragments, API searches with filters, permalinks, conference
pages, facets): no request fails; the latency percentiles are reported, never asserted.
Default: a few seconds on the bundled sample; dedicated run (-m slow): 60 s, on $SEARCHSVC_HARDENING_INDEX
(e.g. an index of the shared corpus) when it is set."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hardening_support import Tally

from bench.loadgen import run_load

WORDS = ["trade", "tariffs", "china", "taiwan", "president", "vaccine", "hong kong", "security", "economy", "climate",
         "covid", "sanctions", "\"national security\"", "border", "energy", "inflation", "ukraine", "russia",
         "pres*", "vacc*", "trade -tariffs", "taiwan OR tibet", "speaker:psaki", "outlet:reuters", "infrastructure",
         "jobs", "supply chain", "human rights", "cooperation", "pandemic", "election", "congress"]


def load_paths(server, count: int, seed: int) -> list[str]:
    """A seeded mix of what people do on the site, built from the served index's own facets and hits."""
    rng = random.Random(seed)
    _, facets = server.get_json("/api/facets")
    speakers = [v["value"] for v in facets["facets"]["speaker"][:30]] or ["x"]
    outlets = [v["value"] for v in facets["facets"]["outlet"][:30]] or ["x"]
    years = [v["value"] for v in facets["facets"]["year"]] or ["2020"]
    turns, conferences = [], []
    for word in WORDS[:8]:
        _, page = server.get_json("/api/search?" + urlencode({"q": word, "per_page": 20}))
        turns += [h["id"] for h in page["hits"]]
        conferences += [h["conference_id"] for h in page["hits"]]
    turns, conferences = turns or ["x"], conferences or ["x"]
    paths = []
    for _ in range(count):
        q = rng.choice(WORDS)
        kind = rng.random()
        if kind < 0.30:
            paths.append("/api/search?" + urlencode({"q": q}))
        elif kind < 0.50:
            paths.append("/?" + urlencode({"q": q, "page": rng.choice([1, 1, 2, 5])}))
        elif kind < 0.60:
            paths.append("/results?" + urlencode({"q": q, "speaker": rng.choice(speakers)}))
        elif kind < 0.68:
            paths.append("/api/search?" + urlencode({"q": q, "outlet": rng.choice(outlets), "year": rng.choice(years),
                                                     "sort": rng.choice(["newest", "oldest", "relevance"])}))
        elif kind < 0.80:
            paths.append(f"/turns/{quote(rng.choice(turns))}")
        elif kind < 0.86:
            paths.append(f"/conferences/{quote(rng.choice(conferences))}")
        elif kind < 0.90:
            paths.append("/api/facets")
        elif kind < 0.94:
            paths.append("/healthz")
        else:
            paths.append("/?" + urlencode({"speaker": rng.choice(speakers), "sort": "newest"}))
    return paths


@pytest.mark.parametrize("large", [pytest.param(False, id="default"),
                                   pytest.param(True, id="dedicated", marks=pytest.mark.slow)])
def test_fixed_rate_load_on_two_workers_fails_nothing(start_server, sample_settings, large):
    index = os.environ.get("SEARCHSVC_HARDENING_INDEX") if large else None
    server = start_server(Path(index) if index else sample_settings.index.dir, workers=2)
    paths = load_paths(server, 600 if large else 120, seed=11)
    rate, seconds = (15.0, 60.0) if large else (20.0, 4.0)
    server.get("/?q=warmup")      # first requests of each worker open the index
    server.get("/?q=warmup")
    result = run_load(server.port, paths, rate, seconds, timeout=30.0)
    summary = result.summary()
    _, health = server.get_json("/healthz")
    Tally("load").record(large=large, index=health["generation"], turns=health["turns"], offered_rps=rate,
                         **summary)
    print(json.dumps(summary))
    offered = int(rate * seconds)
    assert 0.95 * offered <= summary["requests"] <= offered + 1, summary     # sent (nearly) all it offered
    assert not result.failed, (summary, server.log_text()[-3000:])
    assert summary["statuses"] == {"200": summary["requests"]}
