"""Tests for searchsvc.index.whoosh_private: the pinned Whoosh, the pickled class paths (an index built by
older code still opens and searches), and that every fast path through Whoosh's internals is the one taken."""

from __future__ import annotations

import importlib
import pickletools
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from support import DATA, REPO, base_settings
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser
from whoosh.query import Term

from searchsvc.errors import IndexUnreadableError
from searchsvc.index import whoosh_private as W
from searchsvc.models import SearchRequest
from searchsvc.search import SearchService

OLD_INDEX = DATA / "index" / "before-layout"


def test_the_installed_whoosh_is_the_pinned_one():
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"whoosh-reloaded=={W.PINNED}" in pins
    assert W.installed_version() == W.PINNED and W.FAST and W.version_notice() is None


def _pickled_globals(data: bytes) -> set[str]:
    """module.name of every class a pickle refers to (STACK_GLOBAL after two strings, or GLOBAL)."""
    found, strings = set(), []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            found.add(".".join(strings[-2:]))
        elif op.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
    return found


def test_the_checked_in_index_pickles_exactly_the_promised_paths_and_they_import():
    (toc,) = OLD_INDEX.glob("gen-*/_MAIN_*.toc")
    data = toc.read_bytes()
    start = data.index(b"\x80\x02")                    # the pickled schema after the TOC header
    ours = {p for p in _pickled_globals(data[start:]) if p.startswith("searchsvc.")}
    assert ours == set(W.PICKLED_PATHS)
    for path in W.PICKLED_PATHS:
        module, name = path.rsplit(".", 1)
        assert isinstance(getattr(importlib.import_module(module), name), type)


def test_an_index_built_before_the_layout_unpickles_and_searches_with_its_own_analyzers(tmp_path):
    shutil.copytree(OLD_INDEX, tmp_path / "index")
    (gen,) = (tmp_path / "index").glob("gen-*")
    with whoosh_index.open_dir(str(gen)).searcher() as searcher:        # the table of contents unpickles
        field = searcher.schema["answer"]
        assert type(field.format).__module__ + "." + type(field.format).__name__ == "searchsvc.schema.TermPositions"
        parser = QueryParser("answer", searcher.schema)                 # analysed by the pickled TermTokenizer
        assert len(searcher.search(parser.parse("investigating"), limit=None)) == 2
        assert [h["seq"] for h in searcher.search(parser.parse('"rule of law"'))] == [1]


def test_an_index_of_an_older_schema_version_answers_rebuild_needed(tmp_path):
    shutil.copytree(OLD_INDEX, tmp_path / "index")
    service = SearchService(base_settings().with_index_dir(tmp_path / "index"))
    with pytest.raises(IndexUnreadableError, match="built with schema version 1, this searchsvc reads version"):
        service.search(SearchRequest(q="tariffs"))


@pytest.mark.parametrize("path", W.PICKLED_PATHS)
def test_pickled_paths_are_importable(path):
    module, name = path.rsplit(".", 1)
    assert getattr(importlib.import_module(module), name).__module__ == module


# ---- the fast paths are the ones taken on the pinned Whoosh --------------------------------

def _leaves(service):
    return list(service.current().reader.leaf_readers())


def test_postings_are_read_a_block_at_a_time(sample_service):
    gen = sample_service.current()
    sub, _ = _leaves(sample_service)[0]
    found = W.posting_arrays(sub.postings("answer", "presid"))
    assert found is not None                                      # the W3 block decode, not posting by posting
    ids, weights = found
    assert len(ids) > 128 and (ids == np.sort(ids)).all()         # more than one block
    public = [(m.id(), m.weight()) for m in _walk(sub.postings("answer", "presid"))]
    assert list(zip(ids.tolist(), weights.tolist())) == public or gen.has_deletions


def test_phrase_positions_are_read_from_w3_blocks(sample_service):
    sub, _ = _leaves(sample_service)[0]
    blocks = W.value_blocks(sub.postings("answer", "presid"))
    assert blocks is not None and blocks.active() and blocks.length() > 0
    assert len(blocks.values()) == blocks.length()


def test_phrase_positions_come_from_the_blocks_the_directory_points_at(sample_service):
    """A posting list's directory (each block's start, postings so far, last docnum) leads to the same blocks the
    walk reads, in any order."""
    sub, _ = _leaves(sample_service)[0]
    walk = W.value_blocks(sub.postings("answer", "presid"))
    walked = []
    while walk.active():
        walked.append((walk.length(), walk.last_id(), list(walk.values())))
        walk.next()
    blocks = W.value_blocks(sub.postings("answer", "presid"))
    directory = blocks.directory()
    assert directory.table.shape == (3, len(walked)) and directory.table.dtype == np.int64   # one array object
    assert len(walked) > 1 and directory.ends.tolist() == np.cumsum([n for n, _, _ in walked]).tolist()
    assert directory.last_ids.tolist() == [last for _, last, _ in walked]
    for k in [len(walked) - 1, 0, len(walked) // 2]:
        blocks.goto(int(directory.positions[k]))
        assert (blocks.length(), blocks.last_id(), list(blocks.values())) == walked[k]


def test_columns_lengths_and_deletions_are_read_in_one_go(sample_service, tmp_path):
    from searchsvc.index import schema as S
    for sub, _ in _leaves(sample_service):
        for field in (S.SPEAKER, S.CONFERENCE, S.SEQ, S.DATE):
            assert W.raw_column(sub, field) is not None, field      # VarBytes and Numeric columns
        assert W.length_bytes(sub, S.ANSWER, sub.doc_count_all()) is not None
    settings = base_settings().with_index_dir(tmp_path / "index")
    from support import WEB_DATA, tiny_conferences

    from searchsvc.index.build import add_to_index, rebuild_from_conferences
    rebuild_from_conferences(settings, tiny_conferences())
    add_to_index(settings, [WEB_DATA])                               # a second segment
    service = SearchService(settings)
    with_deletions = [sub for sub, _ in _leaves(service) if sub.has_deletions()]
    for sub in with_deletions:
        assert W.deleted_docnums(sub) is not None
    service.close()


def test_the_bulk_writer_and_process_segments_are_used():
    from whoosh.filedb.filestore import RamStorage

    from searchsvc.index.build import _bulk_writer
    from searchsvc.index.bulkwriter import BulkSegmentWriter
    from searchsvc.index.schema import build_schema
    ix = RamStorage().create_index(build_schema())
    assert _bulk_writer(ix) is BulkSegmentWriter


def test_off_the_pinned_whoosh_the_public_paths_give_the_same_results(sample_settings, sample_service, monkeypatch):
    """What another Whoosh version gets (every door answers None, Whoosh's public API is walked)."""
    requests = [SearchRequest(q=q, per_page=20) for q in ("trade", '"trade war"', "president -china", "")]
    fast = [sample_service.search(r) for r in requests]
    fast_tables = sample_service.current().tables
    monkeypatch.setattr(W.version, "FAST", False)
    slow_service = SearchService(sample_settings)
    slow = [slow_service.search(r) for r in requests]
    tables = slow_service.current().tables
    assert (tables.live == fast_tables.live).all()
    for field, lengths in tables.lengths.items():
        assert (lengths == fast_tables.lengths[field]).all(), field
    for name, codes in tables.codes.items():
        assert (codes == fast_tables.codes[name]).all(), name
    for a, b in zip(fast, slow):
        assert (a.total, [h.id for h in a.hits], [h.score for h in a.hits], a.facets) == \
            (b.total, [h.id for h in b.hits], [h.score for h in b.hits], b.facets)
    from whoosh.filedb.filestore import RamStorage

    from searchsvc.index.build import _bulk_writer
    from searchsvc.index.schema import build_schema
    assert _bulk_writer(RamStorage().create_index(build_schema())) is None   # Whoosh's own writer
    slow_service.close()


def test_the_bulk_writer_is_built_on_the_door_and_its_fast_paths_are_taken(tmp_path):
    """BulkSegmentWriter's Whoosh parts come from whoosh_private (W3 stored column, posting blocks, term rows):
    postings never reach Whoosh's PostingPool, stored fields go through W.compress."""
    from whoosh import index as whoosh_index
    from whoosh.writing import SegmentWriter

    from searchsvc.index.bulkwriter import BulkSegmentWriter
    from searchsvc.index.schema import build_schema
    assert issubclass(BulkSegmentWriter, W.bulk_writer_base()) and issubclass(BulkSegmentWriter, SegmentWriter)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    assert W.bulk_writer_supports(ix)
    writer = BulkSegmentWriter(ix)
    assert writer._stored_writer._compress is W.compress
    writer.add_document(id="c#0", conference="c", answer="trade talks resumed", answer_exact="trade talks resumed")
    assert writer.pool.iter_postings is not None and not list(writer.pool.iter_postings())
    assert set(writer.postings()) >= {"answer", "answer_exact"}
    writer.commit()
    with ix.searcher() as searcher:
        assert [hit["id"] for hit in searcher.search(Term("answer_exact", "talks"))] == ["c#0"]


def test_off_the_pinned_whoosh_the_bulk_writer_is_refused_clearly(monkeypatch):
    from whoosh.filedb.filestore import RamStorage

    from searchsvc.index.schema import build_schema
    monkeypatch.setattr(W.version, "FAST", False)
    assert not W.bulk_writer_supports(RamStorage().create_index(build_schema()))
    with pytest.raises(RuntimeError, match="needs whoosh-reloaded"):
        W.bulk_writer_base.__wrapped__()


def _everything(ix) -> dict:
    """Every stored document, each field's terms with their postings (ids, weights, values), lengths, columns."""
    with ix.reader() as reader:
        out: dict = {"stored": [reader.stored_fields(n) for n in range(reader.doc_count_all())]}
        for field in ("question", "answer"):
            out[field] = {term: [(m.id(), m.weight(), m.value()) for m in _walk(reader.postings(field, term))]
                          for term in list(reader.lexicon(field))[::7]}
            out[field + "-len"] = [reader.doc_field_length(n, field) for n in range(reader.doc_count_all())]
        out["date"] = list(reader.column_reader("date"))
    return out


def _walk(matcher):
    while matcher.is_active():
        yield matcher
        matcher.next()


def test_read_storage_answers_as_the_memory_mapped_one_without_mapping(sample_settings):
    """Segments read through the page cache (pread parts, chunked pickles) hold exactly what Whoosh's mapped reading
    gives, and no segment file is mapped into the process."""
    from whoosh.filedb.filestore import FileStorage

    from searchsvc.index.store import current_generation, index_root

    folder = index_root(sample_settings) / current_generation(sample_settings)
    read_ix = W.read_storage(folder).open_index()
    mapped_ix = FileStorage(str(folder), supports_mmap=True).open_index()
    assert _everything(read_ix) == _everything(mapped_ix)
    with read_ix.reader() as reader:
        reader.stored_fields(0)
        maps = Path("/proc/self/maps").read_text()
        assert not any(line.endswith(".seg") and str(folder) in line for line in maps.splitlines())


def test_growable_arrays_extended_in_runs_end_as_whoosh_extends_them():
    """The bulk writer extends a column's lengths and offsets (GrowableArray) a run at a time: the same numbers and
    the same array type as Whoosh's append per number, whose first number past the type retypes the array."""
    import random

    from whoosh.util.numlists import GrowableArray

    rng = random.Random(5)
    for _ in range(300):
        ours, whoosh = GrowableArray(allow_longs=False), GrowableArray(allow_longs=False)
        for _ in range(3):
            choices = [0, 7, 255, 256, 65_536, 2**31, rng.randint(0, 300)]
            numbers = [rng.choice(choices) for _ in range(rng.randint(0, 20))]
            W._extend_growable(ours, numbers)
            whoosh.extend(numbers)
            assert ours.array.typecode == whoosh.array.typecode
            assert list(ours.array) == list(whoosh.array)


@pytest.mark.parametrize("keys", [0, 1, 7, 5000])
def test_hash_tables_are_written_as_whoosh_writes_them(keys):
    """The term table's hash tables (whoosh_private._write_hash_tables, used by the bulk writer) are the bytes
    HashWriter._write_hashes writes, collisions and empty buckets included."""
    import io

    from whoosh.filedb.filetables import OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    rows = sorted((f"term{i * 7919 % 10007:05d}".encode(), b"v" * (i % 5)) for i in range(keys))

    def written(ours: bool) -> bytes:
        buffer = io.BytesIO()
        table = OrderedHashWriter(StructFile(buffer))
        W._add_rows(table, rows)
        W._write_hash_tables(table) if ours else table._write_hashes()
        table._write_directory()
        return buffer.getvalue()

    assert written(ours=True) == written(ours=False)
