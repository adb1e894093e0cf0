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
Whoosh versions. This module is the writing half of the door to Whoosh's internals (whoosh_private.py is the
rest): it is imported only when whoosh_private.FAST says the installed Whoosh is the pinned one.
"""

from __future__ import annotations

import zlib
from array import array
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3PerDocWriter, W3TermInfo, _lenfield
from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.fields import FieldType
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from ..analysis import TOKEN_PATTERN, TOKEN_RE
from ..schema import TermPositions
from . import whoosh_private as W

INDEX_CACHE_VALUES = 50_000    # distinct values per field whose analysis is kept
INDEX_CACHE_CHARS = 300        # longer string values (question and answer text) are not cached
PLAIN_BLOCK_BYTES = 100        # posting blocks smaller than this (pickled) are not compressed
PICKLE_PROTOCOL = 4            # block data and stored fields (Whoosh writes 2: bytes go through _codecs.encode)


def compress(data: bytes, level: int = 3) -> bytes:
    """zlib.compress with a window and hash table sized to the data (zlib.decompress reads it as usual).

    zlib.compress allocates about 256 KB of state per call; while a process's heap is small, glibc maps
    and unmaps that every time (measured: 80 us per call for 100 bytes, against 9 us with this). Output
    sizes are the same for values of a few KB."""
    wbits = min(15, max(9, len(data).bit_length()))
    packer = zlib.compressobj(level, zlib.DEFLATED, wbits, min(8, max(1, wbits - 7)))
    return packer.compress(data) + packer.flush()


def _decoded_length(length: int) -> int:
    """The length a Whoosh reader gives back for a field length (stored as one byte)."""
    return byte_to_length(length_to_byte(length))


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter with in-memory postings: the same index, a fraction of the CPU time."""

    @staticmethod
    def supports(ix) -> bool:
        """True for the pinned Whoosh's W3 codec and schemas without separate spelling fields."""
        if not W.FAST:
            return False
        from whoosh.codec import default_codec

        schema = ix.schema
        codec = default_codec()
        return type(codec) is W3Codec and codec._inlinelimit <= 1 and not any(
            schema[name].separate_spelling() for name in schema.names())

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if not isinstance(self.perdocwriter, W3PerDocWriter):
            raise TypeError("BulkSegmentWriter needs Whoosh's W3 codec")
        # field -> term (str for fields analysed by word_values, else bytes) -> ([docnums], [posting items])
        self._postings: dict[str, dict] = {}
        self._lengths: dict[str, dict[int, int]] = {}      # field -> docnum -> decoded length
        self._plans: dict[str, _FieldPlan] = {}
        self._merged = False                               # postings of merged segments went to the pool
        self._last_tokens: tuple[str, list[str]] | None = None   # (text, its raw tokens): see raw_tokens
        stored = self.perdocwriter._get_column("_stored")
        if not (isinstance(stored, PickleColumn.Writer) and isinstance(stored._child, CompressedBytesColumn.Writer)):
            raise TypeError("BulkSegmentWriter needs Whoosh's W3 stored-fields column")
        self._stored_writer = stored._child     # takes the pickled bytes; compresses them with compress()
        if self._stored_writer._compress is zlib.compress:
            self._stored_writer._compress = compress

    # ---- documents ------------------------------------------------------------------

    def _plan(self, name: str) -> _FieldPlan:
        plan = self._plans[name] = _FieldPlan(self, name, self.schema[name])
        return plan

    def add_document(self, **fields):
        """SegmentWriter.add_document with postings kept in memory (see the module docstring)."""
        self._check_state()
        docnum = self.docnum
        pdw = self.perdocwriter
        plans = self._plans
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        special = len(names) != len(fields)        # _boost, _<field>_boost, _stored_<field> arguments
        docboost = self._doc_boost(fields) if special else 1.0
        pdw.start_doc(docnum)
        try:
            stored = pdw._storedfields
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                plan = plans.get(name) or self._plan(name)
                if plan.indexed:
                    boost = self._field_boost(fields, name, docboost) if special else 1.0
                    length = plan.add_postings(docnum, value, boost)
                    if length:
                        plan.lengths[docnum] = _decoded_length(length)
                        plan.length_writer().add(docnum, length_to_byte(length))
                        pdw._fieldlengths[name] += length
                if plan.vector:
                    field = plan.field
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    pdw.add_vector_items(name, field, sorted((t, w, v) for t, _, w, v in vitems))
                custom = fields.get("_stored_" + name, value) if special else value
                if custom is not None:
                    if plan.stored:
                        stored[name] = custom
                    if plan.column:
                        plan.add_column_value(docnum, custom)
        except Exception:
            pdw.cancel_doc()
            raise
        stored = pdw._storedfields            # W3PerDocWriter.finish_doc, pickled with PICKLE_PROTOCOL
        if stored:
            self._stored_writer.add(docnum, dumps(stored, PICKLE_PROTOCOL))
            stored.clear()
        pdw._indoc = False
        self._added = True
        self.docnum += 1

    def raw_tokens(self, text: str) -> list[str]:
        """TOKEN_RE.findall(text), found once for consecutive fields given the same text object (a turn's answer
        and answer_exact)."""
        last = self._last_tokens
        if last is not None and last[0] is text:
            return last[1]
        tokens = TOKEN_RE.findall(text)
        self._last_tokens = (text, tokens)
        return tokens

    def add_postings_to_pool(self, reader, startdoc, docmap):
        self._merged = True
        super().add_postings_to_pool(reader, startdoc, docmap)

    # ---- postings -------------------------------------------------------------------

    def _flush_segment(self):
        self.perdocwriter.close()
        for name, plan in self._plans.items():   # terms kept as str -> UTF-8 bytes, as FieldType.index gives
            if plan.direct and name in self._postings:
                self._postings[name] = {term.encode("utf-8"): entry for term, entry in self._postings[name].items()}
        if self._merged:   # a merge policy added older segments: their postings and lengths are on disk
            # merged documents were numbered after the added ones and the pool is sorted by (field, term,
            # docnum), so appending keeps every posting list in docnum order
            for name, text, docnum, weight, vbytes in self.pool.iter_postings():
                docs, items = self._postings.setdefault(name, {}).setdefault(text, ([], []))
                docs.append(docnum)
                items.append((text, 0, weight, vbytes))
            pdr = self.per_document_reader()
            try:
                self._write_postings(lambda name: _LengthsOf(pdr, name))
            finally:
                pdr.close()
        else:
            self._write_postings(lambda name: self._lengths.get(name, {}))
        self.fieldwriter.close()

    def _write_postings(self, lengths_of) -> None:
        fw = self.fieldwriter
        schema = self.schema
        for name in sorted(self._postings):
            if name not in schema:
                continue
            field = schema[name]
            fw.start_field(name, field)
            _write_terms(fw, field, self._postings[name], lengths_of(name))
            fw.finish_field()


class _FieldPlan:
    """What add_document needs to know and keep about one field, looked up once per writer."""

    def __init__(self, writer: BulkSegmentWriter, name: str, field):
        self.writer, self.name, self.field = writer, name, field
        self.indexed = field.indexed
        self.direct = type(field).index is FieldType.index     # field.index = word_values + UTF-8 encoding
        self.scorable = field.scorable
        self.stored = field.stored
        self.column = field.column_type
        self.vector = field.vector
        self.postings: dict[Any, Any] = writer._postings.setdefault(name, {}) if self.indexed else {}
        self.lengths = writer._lengths.setdefault(name, {})
        self._index_cache: dict = {}
        self._column_cache: dict = {}
        self._column_writer: Any = None
        self._length_writer: Any = None
        # TermPositions over an analyzer of TOKEN_RE tokens (question, answer and their exact fields): the raw tokens
        # of a text are found once for every field indexing that same text (BulkSegmentWriter.raw_tokens)
        analyzer = getattr(field, "analyzer", None)
        self.from_tokens = (self.direct and isinstance(field.format, TermPositions)
                            and hasattr(analyzer, "terms_of_tokens")
                            and getattr(getattr(analyzer, "expression", None), "pattern", None) == TOKEN_PATTERN)

    def _items(self, value, boost: float) -> tuple[list, int]:
        """(term, frequency, weight, encoded value) tuples of a value, and its length (sum of frequencies)."""
        field = self.field
        if self.from_tokens and isinstance(value, str):
            terms = field.analyzer.terms_of_tokens(self.writer.raw_tokens(value))
            items: list = field.format.values_of_terms(terms)
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
        return items, (sum([item[1] for item in items]) if self.scorable else 0)

    def add_postings(self, docnum: int, value, boost: float) -> int:
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

    def add_column_value(self, docnum: int, value) -> None:
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
            self._column_writer = self._writer_of(self.name, self.column)
        self._column_writer.add(docnum, found)

    def length_writer(self):
        if self._length_writer is None:
            self._length_writer = self._writer_of(_lenfield(self.name), LENGTHS_COLUMN)
        return self._length_writer

    def _writer_of(self, column_name: str, column):
        pdw = self.writer.perdocwriter
        if not pdw._has_column(column_name):
            pdw._create_column(column_name, column)
        return pdw._get_column(column_name)


class _LengthsOf:
    """docnum -> field length from a per-document reader (only after merging older segments)."""

    def __init__(self, pdr, name):
        self._pdr, self._name = pdr, name
        self._known = pdr.has_column(_lenfield(name))   # else every lookup would stat a missing file

    def get(self, docnum, default=0):
        return (self._known and self._pdr.doc_field_length(docnum, self._name)) or default


def _write_terms(fw, field, terms: dict, lengths) -> None:
    """Write a field's posting lists ({term bytes: ([docnums], [(term, freq, weight, value)])}) and their rows in
    the term table as W3FieldWriter and W3PostingsWriter do, a block (up to _blocklimit postings) at a time.

    Fills the postings writer's block buffer and statistics as add_posting does per posting, so the term
    info adds them up as usual, and writes each block as _write_block does (small blocks plain); file
    offsets are counted here instead of asking the file (a seek per call) twice per term.
    """
    pw = fw._postwriter
    postfile = pw._postfile
    limit = pw._blocklimit
    level = pw._compression
    fixed = field.format.fixed_value_size()
    prefix = pack_ushort(fw._fieldid)
    offset = postfile.tell()
    rows = []
    for tbytes in sorted(terms):
        docs, items = terms[tbytes]
        terminfo = W3TermInfo()
        pw._terminfo = terminfo
        chunks = [WHOOSH3_HEADER_MAGIC]
        size = len(WHOOSH3_HEADER_MAGIC)
        count = len(docs)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            if count > limit:
                ids, block = docs[start:end], items[start:end]
            else:
                ids, block = docs, items
            weights = [item[2] for item in block]
            block_lengths = [n for n in map(lengths.get, ids) if n]
            top = max(weights)
            pw._ids = ids
            pw._weights = stored_weights = array("f", weights)
            pw._maxweight = float(top) if top > 0 else 0    # as add_posting keeps it (after the boost product)
            pw._minlength = min(block_lengths) if block_lengths else None
            pw._maxlength = max(block_lengths) if block_lengths else 0
            terminfo.add_block(pw)
            values: Any = [item[3] for item in block if item[3]]
            if fixed is None or fixed < 0:
                values = tuple(values)
            elif fixed == 0:
                values = None
            else:
                values = b"".join(values)
            if all(w == 1.0 for w in stored_weights):
                mini_weights = None
            elif all(w == stored_weights[0] for w in stored_weights):
                mini_weights = stored_weights[0]
            else:
                mini_weights = tuple(stored_weights)
            mini_ids = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])]) if end - start > 1 else (ids[0],)
            databytes = dumps((mini_ids, mini_weights, values), PICKLE_PROTOCOL)
            comp = level if len(databytes) >= PLAIN_BLOCK_BYTES else 0
            if comp:
                databytes = compress(databytes, comp)
            infobytes = dumps((end - start, ids[-1], pw._maxweight, comp, length_to_byte(pw._minlength),
                               length_to_byte(pw._maxlength)), 2)
            blocklength = len(infobytes) + len(databytes)
            chunks += (pack_int(-blocklength if end == count else blocklength), infobytes, databytes)
            size += 4 + blocklength
        postfile.write(b"".join(chunks))
        terminfo.set_extent(offset, size)
        offset += size
        rows.append((prefix + tbytes, terminfo.to_bytes()))
    _add_rows(fw._tindex, rows)
    pw._terminfo = None
    pw._new_block()


def _add_rows(table, rows: list[tuple[bytes, bytes]]) -> None:
    """OrderedHashWriter.add for each (key, value) row, keys increasing: one write, positions counted here."""
    dbfile = table.dbfile
    pos = dbfile.tell()
    index = table.index
    buckets = table.buckets
    hashfn = table.hashfn
    lastkey = table.lastkey
    out = []
    for key, value in rows:
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        index.append(pos)
        record = _ROW_LENGTHS.pack(len(key), len(value)) + key + value
        out.append(record)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += len(record)
        lastkey = key
    dbfile.write(b"".join(out))
    table.lastkey = lastkey
