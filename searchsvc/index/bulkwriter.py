"""Index stage: a Whoosh segment writer that keeps postings in memory and writes each term's blocks at once.

Whoosh's SegmentWriter puts every posting in a PostingPool: a size estimate per posting, sorted runs
pickled to disk one tuple at a time, a heap merge on commit, then one length-column lookup and one
type-checked add_posting call per posting, and a fresh 256 KB zlib stream per block of postings. On the
shared corpus (4 million postings, 150,000 posting lists) that costs more than the analysis itself.

BulkSegmentWriter keeps each term's postings in lists (documents arrive in docnum order, so the lists
are already sorted), caches what Whoosh computes per field value for values that repeat (dates,
conferences, speakers...), and writes the posting lists through Whoosh's W3 codec objects a block at a
time. What it writes reads back exactly as SegmentWriter's segment does (same terms, postings, weights,
positions, lengths, stored fields and columns; tests/test_bulkwriter.py compares them). The bytes differ
in two ways the W3 readers do not see (they unpickle and decompress whatever the block header says):
- block data and stored fields are pickled with protocol 4 instead of 2, where every bytes value (a
  posting's positions) costs a call to _codecs.encode: a third fewer bytes to compress, and posting
  blocks unpickle about four times faster at search time;
- blocks too small to gain from compression are stored plain, and the rest (and stored fields) are
  compressed by ISA-L instead of zlib (the same zlib format: see whoosh_private.compress).

Not supported (BulkSegmentWriter.supports says so): schemas with separate spelling fields, other codecs, other
Whoosh versions. Every Whoosh writer attribute and W3 byte layout it needs is in whoosh_private/ (the one
door): bulk_writer_base() is its base class, and this module is imported only when whoosh_private.FAST says the
installed Whoosh is the pinned one.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from whoosh.fields import FieldType

from ..analysis import TOKEN_PATTERN, TOKEN_RE
from ..schema import TermPositions, encode_runs
from . import whoosh_private as W

INDEX_CACHE_VALUES = 50_000    # distinct values per field whose analysis is kept
INDEX_CACHE_CHARS = 300        # longer string values (question and answer text) are not cached
TOKEN_CACHE_VALUES = 2_000_000  # distinct raw tokens per text field whose term id is kept
CHUNK_CACHE_VALUES = 2_000_000  # distinct white-space separated chunks of texts whose raw ids are kept
PLAIN_BLOCK_BYTES = W.PLAIN_BLOCK_BYTES
compress = W.compress

# (docnums, posting items) of one term; items are (term, frequency, weight, encoded value)
Postings = tuple[list[int], list[Any]]


class BulkSegmentWriter(W.bulk_writer_base()):  # type: ignore[misc]
    """A SegmentWriter with in-memory postings: the same index, a fraction of the CPU time."""

    @staticmethod
    def supports(ix: Any) -> bool:
        """True for the pinned Whoosh's W3 codec and schemas without separate spelling fields."""
        return W.bulk_writer_supports(ix)

    def __init__(self, ix: Any, vocabulary: Vocabulary | None = None, **kwargs: Any):
        super().__init__(ix, **kwargs)
        # field -> term (str for fields analysed by word_values, else bytes) -> ([docnums], [posting items])
        self._postings: dict[str, dict[Any, Postings]] = {}
        self._lengths: dict[str, dict[int, int]] = {}      # field -> docnum -> decoded length
        self._plans: dict[str, _FieldPlan] = {}
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self._raw_ids = self.vocabulary.raw_ids            # raw token -> raw id, for every text field
        self._last_ids: tuple[str, array[int]] | None = None     # (text, its raw ids): see raw_ids
        self._encoded: set[str] = set()                    # fields whose str terms postings() made bytes

    # ---- documents ------------------------------------------------------------------

    def _plan(self, name: str) -> _FieldPlan:
        plan = self._plans[name] = _FieldPlan(self, name, self.schema[name])
        return plan

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document with postings kept in memory (see the module docstring)."""
        docnum, names, special, docboost = self.open_doc(fields)
        boosted = special and any(key.endswith("_boost") for key in fields if key[0] == "_")   # else every boost is 1
        plans = self._plans
        try:
            stored = self.stored_fields()
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                plan = plans.get(name) or self._plan(name)
                if plan.indexed:
                    boost = self.field_boost(fields, name, docboost) if boosted else 1.0
                    length = plan.add_postings(docnum, value, boost)
                    if length:
                        plan.lengths[docnum] = W.decoded_length(length)
                        plan.length_docs.append(docnum)
                        plan.length_bytes.append(W.length_byte(length))
                        self.add_field_length(name, length)
                if plan.vector:
                    self.add_vector(name, plan.field, value)
                custom = fields.get("_stored_" + name, value) if special else value
                if custom is not None:
                    if plan.stored:
                        stored[name] = custom
                    if plan.column:
                        plan.add_column_value(docnum, custom)
        except Exception:
            self.cancel_doc()
            raise
        self.close_doc()

    def term_ids(self, name: str, analyzer: Any) -> _TermIds:
        """The raw token -> term id map of an analyzer, one for every field it analyses (Vocabulary.term_ids)."""
        return self.vocabulary.term_ids(name, analyzer, self.schema)

    def raw_ids(self, text: str) -> array[int]:
        """The raw ids of the text's TOKEN_RE tokens, found once for consecutive fields given the same text object
        (a turn's answer and answer_exact): one dict lookup per white-space separated chunk ("China's", "said,") for
        both fields; tokens never hold white space, so a text's tokens are its chunks' tokens in order."""
        last = self._last_ids
        if last is not None and last[0] is text:
            return last[1]
        ids = array("i")
        ids.frombytes(b"".join(map(self._raw_ids.chunks.__getitem__, text.split())))
        self._last_ids = (text, ids)
        return ids

    def finish_documents(self) -> None:
        """Record the lengths of the texts kept as raw ids (length columns, decoded lengths, field totals) and write
        the column values kept so far: called before documents of other segments are merged in and before the
        per-document files are closed."""
        for plan in self._plans.values():
            if plan.tokens is not None and plan.scorable and plan.tokens.count > plan.tokens.measured:
                plan.add_lengths(*plan.tokens.lengths())
            plan.write_columns()

    # ---- postings -------------------------------------------------------------------

    def postings(self) -> dict[str, dict[Any, Postings]]:
        """Every field's posting lists by term bytes (terms kept as str become UTF-8, as FieldType.index gives; the
        token-id postings of text fields as lists too): the form older segments' postings are merged into."""
        for name, plan in self._plans.items():
            if plan.direct and name in self._postings and name not in self._encoded:
                self._postings[name] = {term.encode("utf-8"): entry for term, entry in self._postings[name].items()}
                self._encoded.add(name)
            if plan.tokens is not None and plan.tokens.count:
                _merge_postings(self._postings.setdefault(name, {}), plan.tokens.columns(plan.field))
                plan.tokens = plan.tokens.emptied()
        return self._postings

    def posting_columns(self) -> dict[str, W.PostingColumns]:
        """Every field's posting lists in term order (W.PostingColumns); asked for once, when the segment is written."""
        out = {}
        for name, plan in self._plans.items():
            if plan.tokens is not None and plan.tokens.count and not plan.postings:   # texts only (the usual)
                out[name] = plan.tokens.columns(plan.field)
                plan.tokens = plan.tokens.emptied()
        for name, terms in self.postings().items():
            if name not in out:
                out[name] = W.columns_of(terms)
        return out

    def field_lengths(self, name: str) -> dict[int, int]:
        return self._lengths.get(name, {})


def _merge_postings(terms: dict[bytes, Postings], columns: W.PostingColumns) -> None:
    """Add PostingColumns to {term bytes: ([docnums], [items])}, each list kept in docnum order (a document's value
    of a field is in one of them only)."""
    starts = columns.starts
    for k, term in enumerate(columns.terms):
        s, e = starts[k], starts[k + 1]
        items = [(term, 0, w, v) for w, v in zip(columns.weights[s:e], columns.values[s:e])]
        entry = terms.get(term)
        if entry is None:
            terms[term] = (columns.docs[s:e], items)
            continue
        pairs = sorted(zip(entry[0] + columns.docs[s:e], entry[1] + items), key=lambda pair: pair[0])
        terms[term] = ([d for d, _ in pairs], [i for _, i in pairs])


class _FieldPlan:
    """What add_document needs to know and keep about one field, looked up once per writer."""

    def __init__(self, writer: BulkSegmentWriter, name: str, field: Any):
        self.writer, self.name, self.field = writer, name, field
        self.indexed = field.indexed
        self.direct = type(field).index is FieldType.index     # field.index = word_values + UTF-8 encoding
        self.scorable = field.scorable
        self.stored = field.stored
        self.column = field.column_type
        self.vector = field.vector
        self.postings: dict[Any, Any] = writer._postings.setdefault(name, {}) if self.indexed else {}
        self.lengths = writer._lengths.setdefault(name, {})
        self._index_cache: dict[Any, tuple[list[tuple[list[int], list[Any], Any]], int]] = {}
        self._column_cache: dict[Any, Any] = {}
        # column values and length bytes by docnum, written at once when the documents are finished (write_columns)
        self.column_docs: list[int] = []
        self.column_values: list[Any] = []
        self.length_docs: list[int] = []
        self.length_bytes: list[int] = []
        # TermPositions over an analyzer of TOKEN_RE tokens (question, answer and their exact fields): the raw tokens
        # of a text are found and looked up once for every field indexing that same text (BulkSegmentWriter.raw_ids)
        analyzer = getattr(field, "analyzer", None)
        self.from_tokens = (self.direct and isinstance(field.format, TermPositions)
                            and hasattr(analyzer, "terms_of_tokens")
                            and getattr(getattr(analyzer, "expression", None), "pattern", None) == TOKEN_PATTERN)
        # text values of such a field are kept as term ids per token until the segment is written
        self.tokens = (_TokenPostings(writer.term_ids(name, analyzer), writer._raw_ids)
                       if self.from_tokens and self.indexed else None)

    def _items(self, value: Any, boost: float) -> tuple[list[Any], int]:
        """(term, frequency, weight, encoded value) tuples of a value, and its length (sum of frequencies)."""
        field = self.field
        items: list[Any]
        if self.direct:
            if not isinstance(value, (str, list, tuple)):
                raise ValueError(f"{value!r} is not unicode or sequence")
            items = field.format.word_values(value, field.analyzer, mode="index")
            if not isinstance(items, list):
                items = list(items)
        else:
            items = list(field.index(value))
        if boost != 1.0:
            items = [(t, f, w * boost, v) for t, f, w, v in items]
        return items, (sum([int(item[1]) for item in items]) if self.scorable else 0)

    def add_postings(self, docnum: int, value: Any, boost: float) -> int:
        """Append the postings of one document's value; returns the field length to record."""
        if self.tokens is not None and isinstance(value, str):
            self.tokens.add(docnum, self.writer.raw_ids(value), boost)
            return 0             # recorded with the others when the documents are finished (add_lengths)
        if boost == 1.0 and not (isinstance(value, str) and len(value) > INDEX_CACHE_CHARS):
            try:
                found = self._index_cache.get(value)
            except TypeError:             # unhashable (a list of values)
                found = None
            else:
                if found is None and len(self._index_cache) < INDEX_CACHE_VALUES:
                    items, length = self._items(value, boost)
                    posts = self.postings
                    pairs: list[tuple[list[int], list[Any], Any]] = []
                    for item in items:
                        entry = posts.get(item[0])
                        if entry is None:
                            entry = posts[item[0]] = ([], [])
                        pairs.append((entry[0], entry[1], item))
                    found = self._index_cache[value] = (pairs, length)
            if found is not None:
                pairs, length = found
                for docs, items, item in pairs:
                    docs.append(docnum)
                    items.append(item)
                return length
        items, length = self._items(value, boost)
        posts = self.postings
        get = posts.get
        for item in items:
            entry = get(item[0])
            if entry is None:
                posts[item[0]] = ([docnum], [item])
            else:
                entry[0].append(docnum)
                entry[1].append(item)
        return length

    def add_lengths(self, docs: list[int], lengths: list[int]) -> None:
        """What add_document records of each document's field length (nonzero ones), for many documents in docnum
        order: the length column's byte, the decoded length, the field's total."""
        if not any(lengths):
            return
        byte_of = {n: W.length_byte(n) for n in set(lengths)}
        decoded = {n: W.decoded_length(n) for n in byte_of}
        known = self.lengths
        length_docs, length_bytes = self.length_docs, self.length_bytes
        for docnum, length in zip(docs, lengths):
            if length:
                known[docnum] = decoded[length]
                length_docs.append(docnum)
                length_bytes.append(byte_of[length])
        total = sum(lengths)
        if total:
            self.writer.add_field_length(self.name, total)

    def add_column_value(self, docnum: int, value: Any) -> None:
        try:
            found = self._column_cache.get(value, self._column_cache)
        except TypeError:
            found = self.field.to_column_value(value)
        else:
            if found is self._column_cache:
                found = self.field.to_column_value(value)
                if len(self._column_cache) < INDEX_CACHE_VALUES:
                    self._column_cache[value] = found
        self.column_docs.append(docnum)
        self.column_values.append(found)

    def write_columns(self) -> None:
        """Give the column and length writers the values kept since the last call, in docnum order (one write each:
        whoosh_private.add_column_values)."""
        if self.column_docs:
            W.add_column_values(self.writer.column_writer(self.name, self.column), self.column_docs,
                                self.column_values)
            self.column_docs, self.column_values = [], []
        if self.length_docs:
            docs, values = self.length_docs, self.length_bytes
            if any(a > b for a, b in zip(docs, docs[1:])):    # texts' lengths come in after the other values
                pairs = sorted(zip(docs, values), key=lambda pair: pair[0])
                docs, values = [d for d, _ in pairs], [v for _, v in pairs]
            W.add_column_values(self.writer.length_writer(self.name), docs, values)
            self.length_docs, self.length_bytes = [], []


class Vocabulary:
    """The raw tokens and term ids a writer has found (_RawIds, _TermIds), handed on to the next writer of the same
    process (segments.py writes a process's share as several segments, one after the other): it neither splits nor
    stems again what the one before it did. Term ids are private to a writer's token postings, which write every
    posting by its term's text, so a segment's bytes do not depend on what the ids were found for before."""

    def __init__(self) -> None:
        self.raw_ids = _RawIds()
        self._by_field: dict[str, _TermIds] = {}      # text field -> its analyzer's term ids

    def term_ids(self, name: str, analyzer: Any, schema: Any) -> _TermIds:
        """The _TermIds of field `name`, shared by every field of `schema` with that same analyzer object (question
        and answer); kept from an earlier writer when its field had an analyzer of the same configuration (an
        index's schema is unpickled anew for each writer, so the objects differ but compare equal)."""
        found = self._by_field.get(name)
        if found is not None and found.analyzer is not analyzer:
            if found.analyzer == analyzer:
                found.analyzer = analyzer
            else:
                found = None
        if found is None:
            found = next((ids for other, ids in self._by_field.items()
                          if other in schema and getattr(schema[other], "analyzer", None) is analyzer), None)
            if found is None:
                found = _TermIds(analyzer)
            self._by_field[name] = found
        return found


class _TermIds(dict[str, int]):
    """raw token -> term id of one field (0: no position, a dropped stop word; 1: a position without a posting),
    filled on demand from the analyzer's own terms_of_tokens, which maps each token on its own."""

    def __init__(self, analyzer: Any):
        super().__init__()
        self.analyzer = analyzer
        self.terms: list[str] = ["", ""]          # id -> term
        self.ids: dict[str, int] = {}

    def __missing__(self, raw: str) -> int:
        found = self.analyzer.terms_of_tokens([raw])
        if not found:
            tid = 0
        elif not found[0]:
            tid = 1
        else:
            tid = self.ids.get(found[0], 0)
            if not tid:
                tid = self.ids[found[0]] = len(self.terms)
                self.terms.append(found[0])
        if len(self) < TOKEN_CACHE_VALUES:
            self[raw] = tid
        return tid


class _RawIds(dict[str, int]):
    """raw token (as TOKEN_RE found it) -> raw id, one map per writer for every text field: a text's tokens are
    looked up once for its stemmed and its exact field, and each field maps the raw ids to its own term ids when the
    segment is written (_TokenPostings.term_tokens)."""

    def __init__(self) -> None:
        super().__init__()
        self.raws: list[str] = []                 # raw id -> raw token
        self.chunks = _ChunkIds(self)

    def __missing__(self, raw: str) -> int:
        rid = self[raw] = len(self.raws)
        self.raws.append(raw)
        return rid


class _ChunkIds(dict[str, bytes]):
    """white-space separated chunk of a text -> the raw ids of its TOKEN_RE tokens as array("i") bytes (most chunks
    repeat: no regex; a text's ids are its chunks' bytes joined, a copy each instead of an int conversion per id)."""

    def __init__(self, raw_ids: _RawIds) -> None:
        super().__init__()
        self.raw_ids = raw_ids

    def __missing__(self, chunk: str) -> bytes:
        ids = array("i", map(self.raw_ids.__getitem__, TOKEN_RE.findall(chunk))).tobytes()
        if len(self) < CHUNK_CACHE_VALUES:
            self[chunk] = ids
        return ids


class _TokenPostings:
    """The postings of a TermPositions field (question, answer and their exact fields), kept as one raw id per
    token until the segment is written: a C-level map and array append per text instead of Python work per token
    and per posting; the field's term ids and its posting lists (term, docnum, positions) come out of numpy
    (term_tokens, columns)."""

    def __init__(self, term_ids: _TermIds, raw_ids: _RawIds):
        self.term_ids = term_ids
        self.raw_ids = raw_ids
        self.tokens = array("i")        # raw ids of every added text, one after the other
        self.docs = array("i")          # docnum of each added text
        self.counts = array("i")        # its number of tokens
        self.boosts: dict[int, float] = {}
        self.measured = 0               # texts whose lengths were given (lengths)
        self._mapped: tuple[int, np.ndarray, np.ndarray] | None = None   # (texts, term_tokens) for that many texts

    def emptied(self) -> _TokenPostings:
        """A new, empty store for the same field."""
        return _TokenPostings(self.term_ids, self.raw_ids)

    @property
    def count(self) -> int:
        return len(self.docs)

    def add(self, docnum: int, ids: array[int], boost: float) -> None:
        """Keep a text's raw ids (BulkSegmentWriter.raw_ids)."""
        self.tokens.extend(ids)
        self.docs.append(docnum)
        self.counts.append(len(ids))
        if boost != 1.0:
            self.boosts[docnum] = boost

    def term_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """(term id of every token that has a position, the number of them per text): what the field's analyzer
        gives (_TermIds: 0 = no position, dropped; 1 = a position without a posting; >= 2 a term)."""
        if self._mapped is None or self._mapped[0] != self.count:
            raws = self.raw_ids.raws
            table = np.fromiter(map(self.term_ids.__getitem__, raws), np.int32, len(raws))
            ids = table[np.frombuffer(self.tokens, dtype=np.int32)]
            counts = np.frombuffer(self.counts, dtype=np.int32).astype(np.int64)
            keep = ids != 0
            if not keep.all():
                text_of = np.repeat(np.arange(len(counts)), counts)
                counts = np.bincount(text_of[keep], minlength=len(counts)).astype(np.int64)
                ids = ids[keep]
            self._mapped = (self.count, ids, counts)
        return self._mapped[1], self._mapped[2]

    def lengths(self) -> tuple[list[int], list[int]]:
        """(docnums, field length) of each text added since the last call: its positions that hold a posting."""
        ids, counts = self.term_tokens()
        unposted = ids == 1
        if unposted.any():
            counts = counts - np.bincount(np.repeat(np.arange(len(counts)), counts)[unposted], minlength=len(counts))
        first, self.measured = self.measured, self.count
        return self.docs[first:].tolist(), counts[first:].tolist()

    def columns(self, field: Any) -> W.PostingColumns:
        """The posting lists in term order: what TermPositions.values_of_terms gives per text (frequency, weight
        frequency x field boost x document boost, positions encoded as encode_positions does), by term."""
        tokens, counts = self.term_tokens()
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.int32), counts)
        positions = np.arange(len(tokens), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        keep = tokens >= 2
        terms = [t.encode("utf-8") for t in self.term_ids.terms]
        order = sorted(range(2, len(terms)), key=terms.__getitem__)
        rank = np.zeros(len(terms), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        keys = rank[tokens[keep]]
        by_term = np.argsort(keys, kind="stable")      # stable: each term's tokens stay in (docnum, position) order
        keys, docs, positions = keys[by_term], docs[keep][by_term], positions[keep][by_term]
        n = len(keys)
        if not n:
            return W.PostingColumns([], [0], [], [], [])
        new = np.ones(n, dtype=bool)
        new[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
        firsts = np.flatnonzero(new)
        freqs = np.diff(np.append(firsts, n))
        deltas = positions.copy()
        deltas[1:] -= positions[:-1]
        deltas[firsts] = positions[firsts]
        post_keys = keys[firsts]
        post_docs = docs[firsts]
        term_new = np.ones(len(firsts), dtype=bool)
        term_new[1:] = post_keys[1:] != post_keys[:-1]
        term_firsts = np.flatnonzero(term_new)
        weights = freqs * float(field.format.field_boost)
        if self.boosts:
            boost_of = np.ones(int(post_docs.max()) + 1)
            for docnum, boost in self.boosts.items():
                boost_of[docnum] = boost
            weights = weights * boost_of[post_docs]
        values = encode_runs(deltas, firsts, freqs)
        return W.PostingColumns([terms[order[k]] for k in post_keys[term_firsts].tolist()],
                                term_firsts.tolist() + [len(firsts)], post_docs.tolist(), weights.tolist(), values)
