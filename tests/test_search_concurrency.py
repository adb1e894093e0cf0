"""Tests that searches keep working while the index is rebuilt underneath them (generation swaps)."""

import dataclasses
import threading
import time

from support import base_settings, tiny_conferences

from searchsvc.index.build import rebuild_from_conferences
from searchsvc.index.store import current_generation
from searchsvc.models import SearchRequest, Turn
from searchsvc.search import SearchService


def _with_word(word: str):
    mfa, wh = tiny_conferences()
    turn = Turn(len(wh.turns), "question-answer", "CNN", f"What about {word}?", ("Jen Psaki",), f"{word} matters.", 99)
    return [mfa, dataclasses.replace(wh, turns=wh.turns + [turn])]


def test_rebuild_while_searches_run_in_another_thread(tmp_path):
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, tiny_conferences())
    service = SearchService(settings)
    errors, counts, stop = [], [], threading.Event()

    def searcher():
        while not stop.is_set():
            try:
                page = service.search(SearchRequest(q="hong kong"))
                counts.append(page.total)
                service.get_turn(page.hits[0].id)
                service.facet_values()
            except Exception as exc:  # any failure is the test failing
                errors.append(repr(exc))

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        generations = []
        for n in range(4):
            generations.append(rebuild_from_conferences(settings, _with_word(f"zebra{n}")).generation)
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert counts and set(counts) == {3}
    assert service.generation == generations[-1] == current_generation(settings)
    assert service.search(SearchRequest(q="zebra3")).total == 1     # results switched to the new index
    assert service.search(SearchRequest(q="zebra0")).total == 0
    service.close()


def test_services_in_two_threads_share_nothing_broken(tiny_settings):
    service = SearchService(tiny_settings)
    errors = []

    def run(q):
        try:
            for _ in range(30):
                assert service.search(SearchRequest(q=q)).total >= 1
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(q,)) for q in ("hong", "tariffs", "security", "china")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    service.close()


def test_search_after_add_sees_replaced_turns_only(tmp_path):
    from searchsvc.index.build import add_conferences

    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, tiny_conferences())
    service = SearchService(settings)
    assert service.search(SearchRequest(q="giraffes")).total == 0   # ("sullivan" names a speaker: it matches)
    mfa, wh = tiny_conferences()
    changed = dataclasses.replace(wh, turns=[Turn(0, "question-answer", "CNN", "Any news about giraffes?",
                                                  ("Jake Sullivan",), "Giraffes are tall.", 3)])
    add_conferences(settings, [changed])
    page = service.search(SearchRequest(q="giraffes"))
    assert [h.id for h in page.hits] == [f"{wh.id}-0"]
    assert service.search(SearchRequest(q="tariffs")).total == 1          # the old briefing turn is gone
    everything = service.search(SearchRequest(per_page=50))
    assert everything.total == len(mfa.turns) + 1
    speakers = {v.value: v.count for v in everything.facets["speaker"]}
    assert speakers == {"Zhao Lijian": len(mfa.turns), "Jake Sullivan": 1}  # deleted turns are not counted
    assert {v.value for v in service.facet_values()["conference"]} == {mfa.id, wh.id}
    service.close()
