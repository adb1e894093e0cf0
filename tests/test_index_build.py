"""Tests for searchsvc.index.build: generations, atomic swap, lock, add, stats, failures that lose nothing."""

import dataclasses
import json
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from support import SAMPLE, base_settings, tiny_conferences

from searchsvc.errors import IndexBusyError, IndexMissingError, TranscriptError
from searchsvc.index import build as indexing
from searchsvc.index.build import add_conferences, add_to_index, rebuild_from_conferences, rebuild_index
from searchsvc.index.store import current_generation, index_lock, open_index, read_stats
from searchsvc.models import Conference, Turn


@pytest.fixture()
def settings(tmp_path):
    return base_settings().with_index_dir(tmp_path / "index")


def _generations(settings):
    return sorted(p.name for p in settings.index.dir.glob("gen-*"))


def test_rebuild_writes_a_generation_stats_and_pointer(settings):
    calls = []
    stats = rebuild_from_conferences(settings, tiny_conferences(), progress=lambda d, t: calls.append((d, t)))
    gen = current_generation(settings)
    assert gen == stats.generation and gen.startswith("gen-")
    assert (settings.index.dir / "CURRENT").read_text().strip() == gen
    on_disk = json.loads((settings.index.dir / gen / "stats.json").read_text())
    assert on_disk["turns"] == stats.turns == 8
    assert stats.conferences == 2 and stats.speakers == 3 and stats.outlets == 3
    assert stats.size_bytes > 0 and stats.build_seconds >= 0
    assert read_stats(settings) == stats
    assert calls[-1] == (8, 8)
    with open_index(settings).searcher() as s:
        assert s.doc_count() == 8


def test_rebuild_keeps_the_previous_generation_only(settings):
    gens = [rebuild_from_conferences(settings, tiny_conferences()).generation for _ in range(3)]
    assert len(set(gens)) == 3
    assert _generations(settings) == sorted(gens[1:])
    assert current_generation(settings) == gens[2]


def test_no_index_means_index_missing(settings):
    assert current_generation(settings) is None
    with pytest.raises(IndexMissingError):
        open_index(settings)
    with pytest.raises(IndexMissingError):
        read_stats(settings)
    with pytest.raises(IndexMissingError):
        add_to_index(settings, [SAMPLE / "scio"])


def test_pointer_to_a_missing_generation_is_no_index(settings):
    settings.index.dir.mkdir(parents=True)
    (settings.index.dir / "CURRENT").write_text("gen-20000101T000000000000\n")
    assert current_generation(settings) is None
    (settings.index.dir / "CURRENT").write_text("../../etc\n")
    assert current_generation(settings) is None


def test_second_rebuild_while_one_runs_is_busy(settings):
    with index_lock(settings):
        with pytest.raises(IndexBusyError):
            rebuild_from_conferences(settings, tiny_conferences())
        with pytest.raises(IndexBusyError):
            rebuild_index(settings, [SAMPLE / "scio"])
    rebuild_from_conferences(settings, tiny_conferences())  # free again


def test_lock_of_a_killed_process_is_released(settings):
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(SAMPLE.parent)!r})
        from searchsvc.config import Settings, IndexSettings
        from searchsvc.index.store import index_lock
        from pathlib import Path
        with index_lock(Settings(index=IndexSettings(dir=Path({str(settings.index.dir)!r})))):
            print("locked", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError):
            rebuild_from_conferences(settings, tiny_conferences())
    finally:
        proc.kill()
        proc.wait()
    assert rebuild_from_conferences(settings, tiny_conferences()).turns == 8


def test_failed_build_leaves_current_index_and_no_debris(settings):
    first = rebuild_from_conferences(settings, tiny_conferences())

    def explode(done, total):
        raise RuntimeError("disk on fire")

    many = [dataclasses.replace(tiny_conferences()[0], id=f"c{i}") for i in range(60)]
    with pytest.raises(RuntimeError):
        rebuild_from_conferences(settings, many, progress=explode)
    assert current_generation(settings) == first.generation
    assert _generations(settings) == [first.generation]


def test_add_replaces_conferences_in_a_new_generation(settings):
    mfa, wh = tiny_conferences()
    first = rebuild_from_conferences(settings, [mfa, wh])
    changed = dataclasses.replace(wh, turns=[Turn(0, "question-answer", "CNN", "Brand new question about zebras?",
                                                  ("Jen Psaki",), "Zebras are striped.", 3)])
    extra = Conference(id="2022-02-02-new-cccc3333", title="New conference", date=date(2022, 2, 2),
                       source_url="", source_file="new.md", source_format="whitehouse",
                       turns=[Turn(0, "statement", "", "", ("Karine Jean-Pierre",), "Hello there.", 1)])
    stats = add_conferences(settings, [changed, extra])
    assert stats.generation != first.generation
    assert stats.turns == len(mfa.turns) + 1 + 1
    assert stats.conferences == 3
    live = [t for c in (mfa, changed, extra) for t in c.turns]      # the replaced turns' names count no more
    assert stats.speakers == len({s for t in live for s in t.speakers})
    assert stats.outlets == len({t.outlet for t in live if t.outlet})
    assert stats.speakers < len({s for c in (mfa, wh, extra) for t in c.turns for s in t.speakers}) or \
        stats.outlets < len({t.outlet for c in (mfa, wh, extra) for t in c.turns if t.outlet})
    with open_index(settings).searcher() as s:
        ids = {f["id"] for f in s.all_stored_fields()}
    assert f"{wh.id}-0" in ids and f"{wh.id}-2" not in ids
    assert f"{mfa.id}-3" in ids and f"{extra.id}-0" in ids
    # the previous generation is untouched and still readable
    from whoosh import index as whoosh_index
    with whoosh_index.open_dir(str(settings.index.dir / first.generation)).searcher() as s:
        assert s.doc_count() == 8


def test_rebuild_index_parses_paths_and_reports_skipped_files(settings, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes, not a transcript\n")
    problems = []
    stats = rebuild_index(settings, [SAMPLE / "scio", SAMPLE / "mfa" / "t1794629.html", bad], problems=problems)
    assert stats.turns > 10 and stats.conferences == 2
    assert [p.path for p in problems] == [str(bad)]


def test_rebuild_index_defaults_to_config_paths(settings):
    settings = settings.with_corpus([SAMPLE / "scio"])
    assert rebuild_index(settings).conferences == 1


def test_rebuild_with_nothing_parsable_keeps_the_index(settings, tmp_path):
    first = rebuild_from_conferences(settings, tiny_conferences())
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TranscriptError):
        rebuild_index(settings, [empty])
    assert current_generation(settings) == first.generation


def test_add_to_index_from_files(settings):
    rebuild_index(settings, [SAMPLE / "scio"])
    before = read_stats(settings)
    after = add_to_index(settings, [SAMPLE / "mfa" / "t1794629.html"])
    assert after.conferences == before.conferences + 1
    again = add_to_index(settings, [SAMPLE / "mfa" / "t1794629.html"])  # same file again: replaced, not doubled
    assert again.turns == after.turns and again.conferences == after.conferences


def test_parallel_writer_is_used_only_for_big_builds():
    assert indexing._writer_procs(10) == 1
    assert indexing._writer_procs(indexing.PARALLEL_MIN_TURNS) >= 1
