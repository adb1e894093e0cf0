"""Tests for searchsvc.index.bulkwriter: the in-memory segment writer gives the index Whoosh's SegmentWriter gives."""

from __future__ import annotations

import zlib

import pytest
from support import SAMPLE, tiny_conferences
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from searchsvc.index import schema as S
from searchsvc.index.bulkwriter import PLAIN_BLOCK_BYTES, BulkSegmentWriter, compress
from searchsvc.ingest import parse_paths


def sample_documents() -> list[dict]:
    conferences = parse_paths([SAMPLE]).conferences + tiny_conferences()
    return [S.turn_to_document(conf, turn) for conf in conferences for turn in conf.turns]


def build(path, schema, documents, bulk: bool):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema)
    writer = BulkSegmentWriter(ix) if bulk else ix.writer()
    for doc in documents:
        writer.add_document(**doc)
    writer.commit()
    return ix


def postings_of(reader, field: str, term: bytes) -> list:
    """Every posting of a term with its block statistics, read through the W3 matcher."""
    m = reader.postings(field, term)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value(), m.block_min_length(), m.block_max_length(),
                    m.block_max_weight(), m.block_max_id()))
        m.next()
    return out


def index_contents(ix) -> dict:
    """Everything a reader can see: terms with term info and postings, stored fields, columns, lengths."""
    out: dict = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            out[("term", field, term)] = (info.weight(), info.doc_frequency(), info.min_length(),
                                          info.max_length(), info.max_weight(), info.min_id(), info.max_id(),
                                          postings_of(reader, field, term))
        for docnum in range(reader.doc_count_all()):
            out[("stored", docnum)] = reader.stored_fields(docnum)
        for field in ix.schema.names():
            if reader.has_column(field):
                out[("column", field)] = list(reader.column_reader(field))
            out[("length", field)] = [reader.doc_field_length(n, field) for n in range(reader.doc_count_all())]
            out[("total", field)] = reader.field_length(field)
    return out


def test_bulk_writer_index_reads_like_whoosh_segment_writer(tmp_path):
    documents = sample_documents()
    assert len(documents) > 500
    plain = index_contents(build(tmp_path / "plain", S.build_schema(), documents, bulk=False))
    bulk = index_contents(build(tmp_path / "bulk", S.build_schema(), documents, bulk=True))
    assert plain.keys() == bulk.keys()
    for key in plain:
        assert plain[key] == bulk[key], key
    assert any(len(v[-1]) > 128 for k, v in plain.items() if k[0] == "term")   # multi-block posting lists


@pytest.mark.parametrize("documents", [
    [{"title": "a b a", "tags": "x y", "n": 3, "note": [1, 2]}, {"title": "b c", "n": 3}, {"tags": "y"},
     {"title": "a d", "tags": "x", "_boost": 2.0}, {"title": "a e", "_title_boost": 1.5, "_stored_title": "A E"},
     {"title": "a b a", "n": [4, 5], "key": "k1"}],
    [{"title": "word " * 400, "n": i, "tags": f"t{i % 3}"} for i in range(300)],
], ids=["small", "multi-block"])
def test_bulk_writer_handles_plain_whoosh_fields(tmp_path, documents):
    def schema():
        return Schema(title=TEXT(stored=True), tags=KEYWORD(stored=True, sortable=True), n=NUMERIC(sortable=True),
                      note=STORED(), key=ID(unique=True))
    plain = index_contents(build(tmp_path / "plain", schema(), documents, bulk=False))
    bulk = index_contents(build(tmp_path / "bulk", schema(), documents, bulk=True))
    assert plain == bulk


def test_bulk_writer_merges_into_an_existing_index(tmp_path):
    documents = sample_documents()
    half = len(documents) // 2

    def build_and_merge(path, bulk: bool):
        ix = build(path, S.build_schema(), documents[:half], bulk=bulk)
        writer = BulkSegmentWriter(ix) if bulk else ix.writer()
        for doc in documents[half:]:
            writer.add_document(**doc)
        writer.commit(optimize=True)                  # merges the first segment into the new one
        assert len(ix._segments()) == 1
        return index_contents(ix)

    assert build_and_merge(tmp_path / "bulk", True) == build_and_merge(tmp_path / "plain", False)


def test_small_blocks_are_stored_plain_and_large_ones_compressed(tmp_path):
    ix = build(tmp_path / "ix", S.build_schema(), sample_documents(), bulk=True)
    seen = set()
    with ix.reader() as reader:
        for field, term in list(reader.all_terms())[::50]:
            m = reader.postings(field, term)
            leaf = getattr(m, "child", m)
            assert isinstance(leaf, W3LeafMatcher)
            seen.add(bool(leaf._compression))
    assert seen == {True, False}


@pytest.mark.parametrize("size", [0, 1, 50, PLAIN_BLOCK_BYTES, 4000, 70_000])
def test_compress_round_trips_through_zlib(size):
    data = bytes((i * 7) % 251 for i in range(size)) + b"the answer " * (size // 11)
    packed = compress(data, 3)
    assert zlib.decompress(packed) == data
    assert len(packed) <= len(zlib.compress(data, 3)) + 8


ODD_TEXTS = [
    "U.S.\u00a0officials said 1,000.5 tons\u3000— China’s\tview;\nthe U.N. e.g. 13.8%",
    "word\x1cword\x1dword\x1eword\x1f2,042 don't\u2009won’t\u2028x.y.z. end",
    "  leading and trailing  ", "no-space:run,of.punctuation's 5G COVID-19 \u00e9t\u00e9 na\u00efve",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_texts_split_at_any_white_space_index_as_whoosh_tokenizes_them(tmp_path, text):
    """The bulk writer looks tokens up per white-space separated chunk (bulkwriter._ChunkIds): the same terms and
    positions as Whoosh's writer tokenizing the whole text, at every kind of white space and punctuation."""
    base = sample_documents()[:3]
    documents = [{**doc, S.QUESTION: text, S.QUESTION_EXACT: text, S.ANSWER: text[::-1] + " " + text,
                  S.ANSWER_EXACT: text[::-1] + " " + text} for doc in base]
    plain = index_contents(build(tmp_path / "plain", S.build_schema(), documents, bulk=False))
    bulk = index_contents(build(tmp_path / "bulk", S.build_schema(), documents, bulk=True))
    assert plain == bulk


def test_a_writer_handed_an_earlier_writers_vocabulary_writes_the_same_segment(tmp_path):
    """segments.py hands each run's writer the Vocabulary of the run before it (raw tokens and stems found once per
    process): the second writer's index is the one a fresh writer makes of the same documents."""
    documents = sample_documents()
    first, second = documents[: len(documents) // 2], documents[len(documents) // 2:]
    earlier = whoosh_index.create_in(str(tmp_path), S.build_schema(), indexname="earlier")
    warm = BulkSegmentWriter(earlier)
    for doc in first:
        warm.add_document(**doc)
    warm.commit()
    vocabulary = warm.vocabulary
    assert len(vocabulary.raw_ids) > 100

    (tmp_path / "handed").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "handed"), S.build_schema())
    writer = BulkSegmentWriter(ix, vocabulary)
    for doc in second:
        writer.add_document(**doc)
    writer.commit()
    assert writer.vocabulary is vocabulary
    assert index_contents(ix) == index_contents(build(tmp_path / "fresh", S.build_schema(), second, bulk=True))
