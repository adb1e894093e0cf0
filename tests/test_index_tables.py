"""index/tables.py: the build writes each generation's column tables; search maps them (read-only, shared by the
page cache) and answers exactly as with tables computed in the heap, which old or damaged generations get."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from support import SAMPLE, base_settings, multi_segment_settings

from searchsvc.index.build import rebuild_index
from searchsvc.index.store import current_generation, index_root, open_index
from searchsvc.index.tables import TABLES, IndexTables, load_tables, open_tables
from searchsvc.index.verify import read_manifest, verify_generation, write_manifest
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

REQUESTS = [
    SearchRequest(q="trade"), SearchRequest(q="minister foreign", per_page=20), SearchRequest(q='"foreign minister"'),
    SearchRequest(q="china -taiwan", sort="newest"), SearchRequest(q=""), SearchRequest(q="security", page=2),
    SearchRequest(q="question", date_from=date(2020, 1, 1)), SearchRequest(q="prsident"),
]


def _gen_dir(settings) -> Path:
    return index_root(settings) / current_generation(settings)


def _assert_equal(mapped: IndexTables, heap: IndexTables) -> None:
    assert mapped.from_files and not heap.from_files
    for field in dataclasses.fields(IndexTables):
        if field.name == "from_files":
            continue
        a, b = getattr(mapped, field.name), getattr(heap, field.name)
        if isinstance(a, dict) and a and isinstance(next(iter(a.values())), np.ndarray):
            assert a.keys() == b.keys(), field.name
            for key in a:
                assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), (field.name, key)
        elif isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), field.name
        else:
            assert a == b, field.name


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    """The bundled sample built by rebuild_index (module-own: tests change copies of it)."""
    settings = base_settings().with_index_dir(tmp_path_factory.mktemp("tables") / "index")
    rebuild_index(settings, [SAMPLE])
    return settings


def _copy(settings, target: Path):
    shutil.copytree(index_root(settings), target)
    return settings.with_index_dir(target)


@pytest.mark.parametrize("kind", ["sample", "added"])
def test_build_writes_tables_that_map_equal_to_computed_ones(kind, sample_copy, tmp_path):
    settings = sample_copy if kind == "sample" else multi_segment_settings(tmp_path / "index")
    gen_dir = _gen_dir(settings)
    listed = {r.name for r in read_manifest(gen_dir).files}
    written = {p.name for p in gen_dir.glob("tables.*")}
    assert TABLES in written and len(written) > 5 and written <= listed     # the manifest covers them
    with open_index(settings).reader() as reader:
        mapped, heap = open_tables(gen_dir, reader), load_tables(reader)
        if kind == "added":
            assert reader.has_deletions() and not mapped.live.all()
    _assert_equal(mapped, heap)
    assert not isinstance(mapped.live.base, np.memmap) and not mapped.live.flags.writeable   # read, never written
    assert verify_generation(gen_dir).ok


def _answers(settings, mapped: bool) -> list:
    """Totals, hits (ids, scores, highlights), facets and suggestions of REQUESTS, and all facet values."""
    service = SearchService(settings)
    try:
        pages = [service.search(r) for r in REQUESTS]
        assert service.current().tables.from_files == mapped
        facets = service.facet_values()
    finally:
        service.close()
    return [(p.total, [(h.id, h.score, h.answer_html) for h in p.hits], dict(p.facets), p.suggestion)
            for p in pages] + [dict(facets)]


@pytest.mark.parametrize("how", ["removed", "garbled-json", "wrong-size", "other-version"])
def test_generation_without_usable_tables_answers_the_same_from_heap_tables(how, sample_copy, tmp_path, caplog):
    mapped_answers = _answers(sample_copy, mapped=True)
    settings = _copy(sample_copy, tmp_path / "index")
    gen_dir = _gen_dir(settings)
    if how == "removed":                       # as built before table files existed
        for path in gen_dir.glob("tables.*"):
            path.unlink()
    elif how == "garbled-json":
        (gen_dir / TABLES).write_text("{not json")
    elif how == "wrong-size":
        np.save(gen_dir / "tables.day.npy", np.zeros(3, dtype=np.int32))
    else:
        (gen_dir / TABLES).write_text((gen_dir / TABLES).read_text().replace('"version": 1', '"version": 99'))
    write_manifest(gen_dir)                    # the files as they now are: only the tables are unusable
    with caplog.at_level(logging.WARNING, logger="searchsvc.index.tables"):
        heap_answers = _answers(settings, mapped=False)
    assert heap_answers == mapped_answers
    assert any("computed in memory" in r.getMessage() and gen_dir.name in r.getMessage() for r in caplog.records)
