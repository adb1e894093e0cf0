"""Tests for searchsvc.index.segments: a new index built by forked writer processes, one segment each."""

from __future__ import annotations

import dataclasses

import pytest
from support import SAMPLE, tiny_conferences
from whoosh import index as whoosh_index

from searchsvc.errors import SearchsvcError
from searchsvc.index import schema as S
from searchsvc.index.bulkwriter import BulkSegmentWriter
from searchsvc.index.segments import split_work, write_in_processes
from searchsvc.ingest import parse_paths


def sample_conferences():
    return parse_paths([SAMPLE]).conferences + tiny_conferences()


def new_index(path):
    path.mkdir()
    return whoosh_index.create_in(str(path), S.build_schema())


def postings_by_term(ix) -> dict:
    """term -> [(docnum, weight, value)] over the whole index (all segments)."""
    out = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field, term in reader.all_terms():
            m = reader.postings(field, term)
            found = []
            while m.is_active():
                found.append((m.id(), m.weight(), m.value()))
                m.next()
            out[(field, term)] = found
    return out


def single_writer_index(path, conferences):
    ix = new_index(path)
    writer = BulkSegmentWriter(ix)
    for conf in conferences:
        for turn in conf.turns:
            writer.add_document(**S.turn_to_document(conf, turn))
    writer.commit()
    return ix


def stored_in_order(ix) -> list[dict]:
    with ix.searcher() as searcher:
        return [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]


@pytest.mark.parametrize("parts", [1, 2, 3, 50])
def test_split_work_keeps_order_and_balances(parts):
    conferences = sample_conferences()
    chunks = split_work(conferences, parts)
    assert [c for chunk in chunks for c in chunk] == conferences
    assert 1 <= len(chunks) <= parts
    if parts == 2:
        sizes = [sum(len(t.question) + len(t.answer) for c in chunk for t in c.turns) for chunk in chunks]
        assert max(sizes) < 2 * min(sizes)


def test_processes_build_the_index_one_writer_builds(tmp_path):
    conferences = sample_conferences()
    parallel = new_index(tmp_path / "parallel")
    progress = []
    write_in_processes(parallel, conferences, 2, progress=lambda done, total: progress.append((done, total)))
    single = single_writer_index(tmp_path / "single", conferences)
    assert len(parallel._segments()) == 2
    assert stored_in_order(parallel) == stored_in_order(single)     # docnums follow the conferences
    assert postings_by_term(parallel) == postings_by_term(single)
    total = sum(len(c.turns) for c in conferences)
    assert progress and progress[-1] == (total, total)
    assert not list((tmp_path / "parallel").glob("*.tmp"))          # the writers' shared temp folder is gone


def test_a_failing_writer_process_fails_the_build(tmp_path):
    conferences = sample_conferences()
    broken = dataclasses.replace(conferences[-1], turns=[dataclasses.replace(conferences[-1].turns[0], seq="x")])
    ix = new_index(tmp_path / "ix")
    with pytest.raises(SearchsvcError, match="writer process failed"):
        write_in_processes(ix, conferences[:-1] + [broken], 2)
    assert ix.doc_count_all() == 0                                  # nothing was committed


def test_big_shares_are_written_as_several_segments_in_order(tmp_path, monkeypatch):
    import searchsvc.index.segments as segments

    conferences = sample_conferences()
    monkeypatch.setattr(segments, "SEGMENT_TURNS", sum(len(c.turns) for c in conferences) // 5)
    ix = new_index(tmp_path / "ix")
    write_in_processes(ix, conferences, 2)
    assert len(ix._segments()) == 6                                 # 2 processes x 3 segments each
    single = single_writer_index(tmp_path / "single", conferences)
    assert stored_in_order(ix) == stored_in_order(single)
    assert postings_by_term(ix) == postings_by_term(single)
