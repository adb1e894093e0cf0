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
- blocks too small to gain from compression are stored plain, and the rest are compressed with a
  window sized to them (see compress).

Not supported (BulkSegmentWriter.supports says so): schemas with separate spelling fields, other codecs, other
Whoosh versions. Every Whoosh writer attribute and W3 byte layout it needs is in whoosh_private.py (the one
door): bulk_writer_base() is its base class, and this module is imported only when whoosh_private.FAST says the
installed Whoosh is the pinned one.
"""

from __future__ import annotations

from typing import Any

from whoosh.fields import FieldType

from ..analysis import TOKEN_PATTERN, TOKEN_RE
from ..schema import TermPositions
from . import whoosh_private as W

INDEX_CACHE_VALUES = 50_000    # distinct values per field whose analysis is kept
INDEX_CACHE_CHARS = 300        # longer string values (question and answer text) are not cached
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

    def __init__(self, ix: Any, **kwargs: Any):
        super().__init__(ix, **kwargs)
        # field -> term (str for fields analysed by word_values, else bytes) -> ([docnums], [posting items])
        self._postings: dict[str, dict[Any, Postings]] = {}
        self._lengths: dict[str, dict[int, int]] = {}      # field -> docnum -> decoded length
        self._plans: dict[str, _FieldPlan] = {}
        self._last_tokens: tuple[str, list[str]] | None = None   # (text, its raw tokens): see raw_tokens
        self._encoded: set[str] = set()                    # fields whose str terms postings() made bytes

    # ---- documents ------------------------------------------------------------------

    def _plan(self, name: str) -> _FieldPlan:
        plan = self._plans[name] = _FieldPlan(self, name, self.schema[name])
        return plan

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document with postings kept in memory (see the module docstring)."""
        docnum, names, special, docboost = self.open_doc(fields)
        plans = self._plans
        try:
            stored = self.stored_fields()
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                plan = plans.get(name) or self._plan(name)
                if plan.indexed:
                    boost = self.field_boost(fields, name, docboost) if special else 1.0
                    length = plan.add_postings(docnum, value, boost)
                    if length:
                        plan.lengths[docnum] = W.decoded_length(length)
                        plan.length_writer().add(docnum, W.length_byte(length))
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

    def raw_tokens(self, text: str) -> list[str]:
        """TOKEN_RE.findall(text), found once for consecutive fields given the same text object (a turn's answer
        and answer_exact)."""
        last = self._last_tokens
        if last is not None and last[0] is text:
            return last[1]
        tokens = TOKEN_RE.findall(text)
        self._last_tokens = (text, tokens)
        return tokens

    # ---- postings -------------------------------------------------------------------

    def postings(self) -> dict[str, dict[Any, Postings]]:
        """Every field's posting lists by term bytes (terms kept as str become UTF-8, as FieldType.index gives)."""
        for name, plan in self._plans.items():
            if plan.direct and name in self._postings and name not in self._encoded:
                self._postings[name] = {term.encode("utf-8"): entry for term, entry in self._postings[name].items()}
                self._encoded.add(name)
        return self._postings

    def field_lengths(self, name: str) -> dict[int, int]:
        return self._lengths.get(name, {})


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
        self._column_writer: Any = None
        self._length_writer: Any = None
        # TermPositions over an analyzer of TOKEN_RE tokens (question, answer and their exact fields): the raw tokens
        # of a text are found once for every field indexing that same text (BulkSegmentWriter.raw_tokens)
        analyzer = getattr(field, "analyzer", None)
        self.from_tokens = (self.direct and isinstance(field.format, TermPositions)
                            and hasattr(analyzer, "terms_of_tokens")
                            and getattr(getattr(analyzer, "expression", None), "pattern", None) == TOKEN_PATTERN)

    def _items(self, value: Any, boost: float) -> tuple[list[Any], int]:
        """(term, frequency, weight, encoded value) tuples of a value, and its length (sum of frequencies)."""
        field = self.field
        if self.from_tokens and isinstance(value, str):
            terms = field.analyzer.terms_of_tokens(self.writer.raw_tokens(value))
            items: list[Any] = field.format.values_of_terms(terms)
        elif self.direct:
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
        if self._column_writer is None:
            self._column_writer = self.writer.column_writer(self.name, self.column)
        self._column_writer.add(docnum, found)

    def length_writer(self) -> Any:
        if self._length_writer is None:
            self._length_writer = self.writer.length_writer(self.name)
        return self._length_writer
