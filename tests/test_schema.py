"""Tests for searchsvc.schema: fields, pickling of the schema, Turn -> document mapping."""

import pickle
from datetime import datetime

from whoosh import index as whoosh_index

from searchsvc import schema as S
from searchsvc.models import Conference, Turn

from conftest import tiny_conferences


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
