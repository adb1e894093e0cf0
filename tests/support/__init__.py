"""Test helpers shared by the test modules (import them as `from support import ...`; conftest.py holds only
fixtures): repository paths, the repo's settings, tiny hand-built conferences."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from searchsvc.config import Settings, load_settings
from searchsvc.models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT, Conference, Turn

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample"
CORPUS = REPO.parent / "shared" / "corpus"
DATA = REPO / "tests" / "data"
WEB_DATA = DATA / "web"
ARTIFACTS = REPO / "test-artifacts"
if str(REPO) not in sys.path:          # bench/ (a top-level folder, not part of the package) for its load generator
    sys.path.insert(0, str(REPO))


def base_settings() -> Settings:
    """config.toml of the repo (search limits etc.), before pointing it at a test index."""
    return load_settings(REPO / "config.toml")


def tiny_conferences() -> list[Conference]:
    """Two small conferences with known words, outlets and speakers (for exact expectations)."""
    mfa = Conference(
        id="2020-07-03-regular-press-conference-aaaa1111", title="Regular Press Conference on July 3, 2020",
        date=date(2020, 7, 3), source_url="https://example.org/mfa/1", source_file="mfa/t1.html",
        source_format="mfa", officials=("Zhao Lijian",),
        turns=[
            Turn(0, KIND_STATEMENT, "", "", ("Zhao Lijian",),
                 "Good afternoon. GDP grew 13.8% in the quarter and 2.042 million jobs were created.", 3),
            Turn(1, KIND_QA, "Reuters", "Will China retaliate against the Hong Kong national security law?",
                 ("Zhao Lijian",),
                 "We will take retaliatory measures against interference. The national security legislation "
                 "for Hong Kong is purely China's internal affair.", 7),
            Turn(2, KIND_QA, "AFP", "Is the investigation into the origins of the virus ongoing?",
                 ("Zhao Lijian",), "Scientists are investigating. <script>alert('x')</script> & more.", 11),
            Turn(3, KIND_QA, "Reuters", "What about Café Zürich tariffs?", ("Zhao Lijian",),
                 "I am not aware of the café matter.", 15),
            Turn(4, KIND_QA, "Bloomberg", "What is your response to the sanctions?", ("Zhao Lijian",),
                 "The national security legislation for Hong Kong is China's internal affair. If the US insists, "
                 "China will take resolute retaliatory measures.", 19),
        ],
    )
    wh = Conference(
        id="2021-01-21-press-briefing-bbbb2222", title="Press Briefing by Press Secretary Jen Psaki",
        date=date(2021, 1, 21), source_url="https://example.org/wh/1", source_file="whitehouse/b.md",
        source_format="whitehouse", officials=("Jen Psaki", "Jake Sullivan"),
        turns=[
            Turn(0, KIND_MODERATOR, "", "", ("Jen Psaki",), "Hi everyone. Let's get started.", 5),
            Turn(1, KIND_QA, "", "What about tariffs on China?", ("Jen Psaki",),
                 "We investigated the tariffs. The rule of law matters to us.", 9),
            Turn(2, KIND_QA, "", "And Hong Kong?", ("Jen Psaki", "Jake Sullivan"),
                 "Security in Hong Kong is a concern for the U.S. and our partners.", 13),
        ],
    )
    return [mfa, wh]


def multi_segment_settings(index_dir: Path) -> Settings:
    """Settings of a fresh index in `index_dir`: the tiny conferences, then an `index add` that replaces one and adds
    another (a second segment, deleted turns, a conference without outlets)."""
    import dataclasses

    from searchsvc.index.build import add_conferences, rebuild_from_conferences

    settings = base_settings().with_index_dir(index_dir)
    mfa, wh = tiny_conferences()
    rebuild_from_conferences(settings, [mfa, wh])
    changed = dataclasses.replace(wh, turns=[Turn(0, KIND_QA, "", "Zebras?", ("Jen Psaki",), "Striped.", 3)])
    extra = Conference(id="2022-02-02-new-cccc3333", title="New", date=date(2022, 2, 2), source_url="",
                       source_file="new.md", source_format="whitehouse",
                       turns=[Turn(0, KIND_STATEMENT, "", "", ("Karine Jean-Pierre", "Jen Psaki"), "Hello.", 1)])
    add_conferences(settings, [changed, extra])
    return settings


def hit_ids(page) -> list[str]:
    """The turn ids of a search page's hits, in rank order."""
    return [h.id for h in page.hits]


def search_page(service, q: str, **kw):
    """service.search of `q` with 20 hits a page (keyword arguments: other SearchRequest fields)."""
    from searchsvc.models import SearchRequest
    return service.search(SearchRequest(q=q, per_page=20, **kw))


@contextmanager
def indexed_service(index_dir: Path, conferences: list[Conference]) -> Iterator[Any]:
    """A SearchService over a fresh index of `conferences` in `index_dir` (closed afterwards)."""
    from searchsvc.index.build import rebuild_from_conferences
    from searchsvc.search import SearchService
    settings = base_settings().with_index_dir(index_dir)
    rebuild_from_conferences(settings, conferences)
    service = SearchService(settings)
    try:
        yield service
    finally:
        service.close()
