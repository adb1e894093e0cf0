"""Index stage: the Whoosh schema (one document per turn) and the mapping Turn -> document; field names live here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import numpy as np
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ..analysis import build_exact_analyzer, build_name_analyzer, build_text_analyzer
from ..insights.deflections import answer_type, deflection_mark
from ..models import Conference, Turn, turn_id
from ..schema import TermPositions, encode_positions  # noqa: F401  (pickled path: searchsvc.schema)
from . import whoosh_private as W

# Recorded in each generation's stats; bump when fields or their analysis change (an index of another version
# answers "rebuild needed"). 1: up to the roles; 2: role, speaker_role, role_text, answer_type, deflection.
SCHEMA_VERSION = 2
# Postings per block of a posting list (Whoosh's W3 default: 128). Search reads whole posting lists a block at a
# time (search.docsets), and each block costs a read, a decompression and an unpickling however small it is: on
# the x10 index 512 took the first-pass p99 of the benchmark's queries from 142/144 to 106/111 ms and p95 from
# 64/82 to 53/64 ms, the index 1.3 -> 1.2 GB, the same answers (CPU time, 2 runs each, scratch probe).
POSTINGS_BLOCK = 512

# Searchable text
QUESTION = "question"
ANSWER = "answer"
TEXT_FIELDS = (QUESTION, ANSWER)
FIELD_BOOSTS = {QUESTION: 1.2, ANSWER: 1.0}
# The same text word for word (folded, unstemmed, stop words kept): what quoted phrases match (search/exact.py)
QUESTION_EXACT = "question_exact"
ANSWER_EXACT = "answer_exact"
EXACT_FIELDS = {QUESTION: QUESTION_EXACT, ANSWER: ANSWER_EXACT}    # text field -> its exact-wording field
SPEAKER_TEXT = "speaker_text"     # `speaker:` in queries
OUTLET_TEXT = "outlet_text"       # `outlet:` in queries
ROLE_TEXT = "role_text"           # `role:` in queries

# Facets and filters (sortable columns)
SPEAKER = "speaker"               # comma-separated names (multi-valued)
OUTLET = "outlet"
CONFERENCE = "conference"
YEAR = "year"
MONTH = "month"
KIND = "kind"
DATE = "date"
SEQ = "seq"
ID_FIELD = "id"
SOURCE = "source"
ROLE = "role"                     # roles of the turn's speakers in that conference (multi-valued)
SPEAKER_ROLE = "speaker_role"     # "name|role" of each speaker with a known role (multi-valued)
ANSWER_TYPE = "answer_type"       # "deflection" | "substantive" for answers to questions (insights/deflections.py)
DEFLECTION = "deflection"         # name of the deflection pattern that matched ("" none)

# Stored only
TITLE = "conference_title"
SOURCE_URL = "source_url"
SOURCE_FORMAT = "source_format"
OFFICIALS = "officials"
LINE = "line"


def _text_field(analyzer: Any, **kwargs: Any) -> TEXT:
    field = TEXT(analyzer=analyzer, **kwargs)
    field.format = TermPositions(field_boost=field.format.field_boost)
    return field


def _exact_field() -> TEXT:
    """Positions of every word as written; not stored and not scored (ranking uses the stemmed field)."""
    field = _text_field(build_exact_analyzer())
    field.scorable = False
    return field


def _one_term(field: Any) -> Any:
    """A NUMERIC/DATETIME field indexed as one term per value instead of a term per precision tier (8):
    searches never look these fields up by range (dates are filtered on the column), so the tiers only
    cost postings; a NumericRange/DateRange on the field still works (over the full-precision terms)."""
    field.shift_step = 0
    return field


def build_schema() -> Schema:
    """The schema of a searchsvc index."""
    text = build_text_analyzer()
    names = build_name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        conference=ID(stored=True, sortable=True),
        seq=_one_term(NUMERIC(int, stored=True, sortable=True)),
        date=_one_term(DATETIME(stored=True, sortable=True)),
        year=ID(sortable=True),
        month=ID(sortable=True),
        kind=ID(stored=True, sortable=True),
        outlet=ID(stored=True, sortable=True),
        speaker=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False, sortable=True),
        role=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False, sortable=True),
        speaker_role=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False, sortable=True),
        role_text=TEXT(analyzer=names),
        answer_type=ID(sortable=True),
        deflection=ID(stored=True),
        source=ID(stored=True),
        question=_text_field(text, stored=True),
        answer=_text_field(text, stored=True),
        question_exact=_exact_field(),
        answer_exact=_exact_field(),
        speaker_text=TEXT(analyzer=names),
        outlet_text=TEXT(analyzer=names),
        conference_title=ID(stored=True, sortable=True),
        source_url=STORED(),
        source_format=STORED(),
        officials=STORED(),
        line=STORED(),
    )


def shown_source(conf: Conference) -> str:
    """The source a conference shows: its file relative to the corpus folder it was read from; without one (built
    by hand), the path as given when relative, else only the file name (never a server path)."""
    if conf.source_name:
        return conf.source_name
    path = PurePosixPath(conf.source_file.replace("\\", "/"))
    return path.as_posix() if not path.is_absolute() and ".." not in path.parts else path.name


def clean_name(name: str) -> str:
    """A speaker/outlet name safe for a comma-separated keyword field."""
    return " ".join(name.replace(",", " ").split())


def turn_to_document(conf: Conference, turn: Turn) -> dict[str, Any]:
    """The Whoosh document of one turn."""
    return _document(_ConferenceFields.of(conf), turn)


def turn_documents(conf: Conference) -> Iterator[dict[str, Any]]:
    """turn_to_document of each turn of a conference in order; what every turn takes from the conference (dates,
    source, title, roles) is found once."""
    fields = _ConferenceFields.of(conf)
    for turn in conf.turns:
        yield _document(fields, turn)


class _ConferenceFields(NamedTuple):
    """The document fields of a conference that every one of its turns repeats."""
    conf: Conference
    date: datetime
    year: str
    month: str
    shown: str
    officials: tuple[str, ...]
    roles: dict[str, str]        # clean speaker name -> clean role (Conference.roles)

    @classmethod
    def of(cls, conf: Conference) -> _ConferenceFields:
        day = conf.date
        known = {clean_name(name): clean_name(role).replace("|", " ") for name, role in conf.roles}
        return cls(conf, datetime(day.year, day.month, day.day), f"{day.year:04d}", f"{day.year:04d}-{day.month:02d}",
                   shown_source(conf), tuple(conf.officials), known)


def _document(c: _ConferenceFields, turn: Turn) -> dict[str, Any]:
    conf = c.conf
    speakers = [clean_name(s) for s in turn.speakers if clean_name(s)]
    outlet = clean_name(turn.outlet)
    doc = {
        ID_FIELD: turn_id(conf.id, turn.seq),
        CONFERENCE: conf.id,
        SEQ: turn.seq,
        DATE: c.date,
        YEAR: c.year,
        MONTH: c.month,
        KIND: turn.kind,
        SOURCE: conf.source_file,                  # the key `index add` replaces by; never shown
        "_stored_" + SOURCE: c.shown,              # what is stored and shown: relative to the corpus folder
        TITLE: conf.title,
        SOURCE_URL: conf.source_url,
        SOURCE_FORMAT: conf.source_format,
        OFFICIALS: c.officials,
        LINE: turn.line,
    }
    if turn.question:
        doc[QUESTION] = doc[QUESTION_EXACT] = turn.question
    if turn.answer:
        doc[ANSWER] = doc[ANSWER_EXACT] = turn.answer
    if speakers:
        doc[SPEAKER] = ",".join(speakers)
        doc[SPEAKER_TEXT] = " ".join(speakers)
    if outlet:
        doc[OUTLET] = outlet
        doc[OUTLET_TEXT] = outlet
    doc.update(_role_fields(c.roles, speakers))
    mark = deflection_mark(turn)        # insights/deflections.py: a pure text rule, marked at index time
    doc.update({k: v for k, v in ((DEFLECTION, mark), (ANSWER_TYPE, answer_type(turn, mark))) if v})
    return doc


def _role_fields(known: dict[str, str], speakers: list[str]) -> dict[str, Any]:
    """The role fields of a turn: each speaker's role in this conference (Conference.roles), when known."""
    pairs = [(s, known[s]) for s in speakers if known.get(s)]
    if not pairs:
        return {}
    roles = list(dict.fromkeys(r for _, r in pairs))
    return {ROLE: ",".join(roles), SPEAKER_ROLE: ",".join(f"{s}|{r}" for s, r in pairs), ROLE_TEXT: " ".join(roles)}


def column_values(reader: Any, fieldname: str, default: Any = None) -> list[Any]:
    """Every document's value of a column field in docnum order (deleted documents too), bytes as str.

    Whoosh's MultiReader.column_reader leaves out segments that hold no value at all in a column (an
    `index add` of White House turns without outlets, say), so the docnums of later segments shift.
    Here each segment is read on its own and such a segment gives `default` for each of its documents.
    A segment's column is read in one go where its layout allows (whoosh_private.raw_column) and each distinct
    raw value translated once with the field's own from_column_value: the same values, without a file read
    and a translation per document (seconds per million turns).
    """
    codes, distinct = column_codes(reader, fieldname, default)
    return [distinct[c] for c in codes.tolist()]


def column_codes(reader: Any, fieldname: str, default: Any = None) -> tuple[np.ndarray, list[Any]]:
    """column_values as int32 codes into the list of distinct values: values[codes[d]] is document d's value.

    Facet tables are built from the codes (a few hundred distinct values over a million turns).
    """
    distinct: dict[str, Any] = {}
    parts = []
    for sub, _base in reader.leaf_readers():
        count = sub.doc_count_all()
        if not sub.has_column(fieldname):
            parts.append(np.full(count, distinct.setdefault(default, len(distinct)), dtype=np.int32))
            continue
        raw = W.raw_column(sub, fieldname)
        if raw is None:
            values = (_text(v) for v in sub.column_reader(fieldname, translate=True))
            parts.append(np.fromiter((distinct.setdefault(v, len(distinct)) for v in values), np.int32, count))
            continue
        local = {v: i for i, v in enumerate(dict.fromkeys(raw))}   # distinct raw values, in order (C loops)
        codes = np.fromiter(map(local.__getitem__, raw), np.int32, count)
        translate = sub.schema[fieldname].from_column_value
        remap = np.array([distinct.setdefault(_text(translate(v)), len(distinct)) for v in local], dtype=np.int32)
        parts.append(remap[codes] if count else codes)
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)), list(distinct)


def _text(v: Any) -> Any:
    return v.decode("utf-8") if isinstance(v, bytes) else v


def codec() -> Any:
    """The codec every writer of the index uses: Whoosh's W3 with POSTINGS_BLOCK postings a block."""
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec(blocklimit=POSTINGS_BLOCK)
