"""Tests for searchsvc.schema: fields, pickling of the schema, Turn -> document mapping."""

import pickle
from datetime import datetime

from support import tiny_conferences
from whoosh import index as whoosh_index

from searchsvc.index import schema as S
from searchsvc.index import whoosh_private as W
from searchsvc.models import Conference, Turn


def test_schema_has_the_documented_fields():
    schema = S.build_schema()
    for name in (S.QUESTION, S.ANSWER, S.SPEAKER, S.OUTLET, S.CONFERENCE, S.YEAR, S.MONTH, S.KIND, S.DATE, S.ID_FIELD):
        assert name in schema.names()
    for facet in (S.SPEAKER, S.OUTLET, S.CONFERENCE, S.YEAR, S.MONTH, S.KIND, S.DATE):
        assert schema[facet].column_type is not None, f"{facet} must be sortable (a column)"
    assert schema[S.QUESTION].stored and schema[S.ANSWER].stored
    assert schema[S.QUESTION].format.supports("positions")


def test_schema_pickles_with_its_analyzers():
    schema = S.build_schema()
    clone = pickle.loads(pickle.dumps(schema))
    text = "Investigating the café tariffs"
    assert list(clone[S.ANSWER].process_text(text)) == list(schema[S.ANSWER].process_text(text))
    assert isinstance(clone[S.ANSWER].format, S.TermPositions)


def test_index_reopens_in_a_fresh_schema(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), S.build_schema())
    conf = tiny_conferences()[0]
    with ix.writer() as w:
        for turn in conf.turns:
            w.add_document(**S.turn_to_document(conf, turn))
    reopened = whoosh_index.open_dir(str(tmp_path))
    with reopened.searcher() as s:
        assert s.doc_count() == len(conf.turns)
        assert list(s.lexicon(S.ANSWER))  # terms were analysed and written


def test_term_positions_equal_whoosh_positions():
    field = S.build_schema()[S.ANSWER]
    text = "the law and the rule of law, the law"
    fast = sorted(field.format.word_values(text, field.analyzer, mode="index"))
    slow = sorted(super(S.TermPositions, field.format).word_values(text, field.analyzer, mode="index"))
    assert fast == slow
    decode = field.format.decode_positions
    assert {w: decode(v) for w, _, _, v in fast}["law"] == [0, 2, 3]


def test_turn_to_document():
    conf = tiny_conferences()[1]
    doc = S.turn_to_document(conf, conf.turns[2])
    assert doc[S.ID_FIELD] == f"{conf.id}-2"
    assert doc[S.CONFERENCE] == conf.id
    assert doc[S.SPEAKER] == "Jen Psaki,Jake Sullivan"
    assert doc[S.YEAR] == "2021" and doc[S.MONTH] == "2021-01"
    assert doc[S.DATE] == datetime(2021, 1, 21)
    assert S.OUTLET not in doc  # no outlet known
    assert doc[S.TITLE] == conf.title


def test_names_with_commas_do_not_split_into_two_speakers():
    conf = Conference(id="c", title="t", date=datetime(2020, 1, 1).date(), source_url="", source_file="f",
                      source_format="mfa",
                      turns=[Turn(0, "statement", "", "", ("Smith, John",), "hello", 1)])
    doc = S.turn_to_document(conf, conf.turns[0])
    assert doc[S.SPEAKER] == "Smith John"
    assert S.clean_name("  A ,  B ") == "A B"


def _multi_segment_index(tmp_path):
    """An index of the tiny conferences plus an `index add` (a second segment, deleted turns, no outlets)."""
    from support import multi_segment_settings

    from searchsvc.index.store import open_index

    return open_index(multi_segment_settings(tmp_path / "index"))


def test_columns_read_in_one_go_equal_whoosh_per_document_reads(tmp_path):
    ix = _multi_segment_index(tmp_path)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
        for field in (S.SPEAKER, S.OUTLET, S.CONFERENCE, S.YEAR, S.DATE, S.SEQ, S.TITLE, S.KIND):
            slow = []
            for sub, _ in reader.leaf_readers():
                if sub.has_column(field):
                    slow.extend(v.decode() if isinstance(v, bytes) else v
                                for v in sub.column_reader(field, translate=True))
                else:
                    slow.extend([None] * sub.doc_count_all())
            assert S.column_values(reader, field) == slow, field
            for sub, _ in reader.leaf_readers():
                if sub.has_column(field):
                    assert W.raw_column(sub, field) is not None, field   # the one-go path was taken


def test_tables_equal_per_document_lengths_and_deletions(tmp_path):
    from searchsvc.search.facets import load_tables

    ix = _multi_segment_index(tmp_path)
    with ix.reader() as reader:
        tables = load_tables(reader)
        for field in S.TEXT_FIELDS:
            slow = [reader.doc_field_length(n, field) or 0 for n in range(reader.doc_count_all())]
            assert tables.lengths[field].tolist() == slow
        assert tables.live.tolist() == [not reader.is_deleted(n) for n in range(reader.doc_count_all())]
        assert not tables.live.all()


def test_encode_runs_writes_what_pickle_writes_for_each_run():
    """encode_runs builds the pickles of short runs with numpy: the bytes of pack_uint(n) + dumps(run, 2) for runs of
    1, 2, 1000 and 1001 positions (pickle batches 1000 items), deltas at each BININT width and past 2**31."""
    import random

    from whoosh.system import pack_uint

    from searchsvc.schema import encode_runs

    rng = random.Random(7)
    for top in (200, 60_000, 2**31 - 1, 2**33):
        runs = [[rng.randint(0, top) for _ in range(n)] for n in (1, 2, 3, 1, 1000, 1001, 17, 2, 1)]
        runs.append([255, 256, 65535, 65536, 0])
        starts = [sum(len(r) for r in runs[:k]) for k in range(len(runs))]
        got = encode_runs([d for r in runs for d in r], starts, [len(r) for r in runs])
        assert got == [pack_uint(len(r)) + pickle.dumps(r, 2) for r in runs]


def test_turn_documents_are_turn_to_document_of_each_turn():
    """The writers take a conference's documents from turn_documents (conference fields found once): the same
    documents, keys in the same order, as turn_to_document gives turn by turn."""
    from support import SAMPLE

    from searchsvc.ingest import parse_paths

    conferences = parse_paths([SAMPLE]).conferences + tiny_conferences()
    assert any(conf.roles for conf in conferences)
    for conf in conferences:
        documents = list(S.turn_documents(conf))
        expected = [S.turn_to_document(conf, turn) for turn in conf.turns]
        assert documents == expected
        assert [list(d) for d in documents] == [list(d) for d in expected]



def _many_turns(conf_id: str, count: int) -> Conference:
    from datetime import date
    return Conference(id=conf_id, title="Briefing", date=date(2022, 3, 1), source_url="https://example.org/b",
                      source_file=f"{conf_id}.md", source_format="whitehouse", officials=("Jen Psaki",),
                      turns=[Turn(i, "qa", "Reuters", f"Question {i} on tariffs?", ("Jen Psaki",),
                                  f"Answer {i}: the tariffs stay.", i) for i in range(count)])


def _first_block_lengths(settings) -> set[int]:
    """The first block's length of every posting list longer than a block, over all segments."""
    from searchsvc.search import SearchService
    service = SearchService(settings)
    try:
        lengths = set()
        for sub, _base in service.current().reader.leaf_readers():
            for field in S.TEXT_FIELDS:
                for term in sub.lexicon(field):
                    if sub.doc_frequency(field, term) > S.POSTINGS_BLOCK:
                        blocks = W.value_blocks(sub.postings(field, term))
                        assert blocks is not None
                        lengths.add(blocks.length())
        return lengths
    finally:
        service.close()


def test_posting_lists_are_written_in_blocks_of_postings_block(tmp_path):
    """Every writer of the index uses S.codec(): a posting list longer than Whoosh's default block (128) is
    read back in blocks of POSTINGS_BLOCK postings, after a full rebuild and after an add (a new segment)."""
    from support import base_settings

    from searchsvc.index.build import add_conferences, rebuild_from_conferences
    settings = base_settings().with_index_dir(tmp_path / "index")
    rebuild_from_conferences(settings, [_many_turns("2022-03-01-briefing-aaaa", S.POSTINGS_BLOCK + 200)])
    assert _first_block_lengths(settings) == {S.POSTINGS_BLOCK}
    add_conferences(settings, [_many_turns("2022-03-02-briefing-bbbb", S.POSTINGS_BLOCK + 100)])
    assert _first_block_lengths(settings) == {S.POSTINGS_BLOCK}
