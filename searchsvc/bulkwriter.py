"""Indexing stage: a Whoosh segment writer that keeps postings in memory and writes each term's blocks at once.

Whoosh's SegmentWriter puts every posting in a PostingPool: a size estimate per posting, sorted runs
pickled to disk one tuple at a time, a heap merge on commit, then one length-column lookup and one
type-checked add_posting call per posting, and a fresh 256 KB zlib stream per block of postings. On the
shared corpus (4 million postings, 150,000 posting lists) that costs more than the analysis itself.

BulkSegmentWriter keeps each term's postings in lists (documents arrive in docnum order, so the lists
are already sorted), caches what Whoosh computes per field value for values that repeat (dates,
conferences, speakers...), and writes the posting lists through Whoosh's W3 codec objects a block at a
time. What it writes reads back exactly as SegmentWriter's segment does (same terms, postings, weights,
positions, lengths, stored fields and columns; tests/test_bulkwriter.py compares them); only the zlib
streams differ: blocks too small to gain from compression are stored plain (the block header says so),
and small values are compressed with a window sized to them, which zlib.decompress reads as usual.

Not supported (BulkSegmentWriter.supports says so): schemas with separate spelling fields, other codecs.
"""

from __future__ import annotations

import zlib
from array import array
from pickle import dumps

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3PerDocWriter, W3TermInfo, _lenfield
from whoosh.fields import FieldType
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

INDEX_CACHE_VALUES = 50_000    # distinct values per field whose analysis is kept
INDEX_CACHE_CHARS = 300        # longer string values (question and answer text) are not cached
PLAIN_BLOCK_BYTES = 100        # posting blocks smaller than this (pickled) are not compressed


def compress(data: bytes, level: int = 3) -> bytes:
    """zlib.compress with a window and hash table sized to the data: same output size for small values,
    several times faster (zlib.compress sets up 256 KB of state per call); zlib.decompress reads it."""
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
        from whoosh.codec import default_codec

        schema = ix.schema
        codec = default_codec()
        return type(codec) is W3Codec and codec._inlinelimit <= 1 and not any(
            schema[name].separate_spelling() for name in schema.names())

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if not isinstance(self.perdocwriter, W3PerDocWriter):
            raise TypeError("BulkSegmentWriter needs Whoosh's W3 codec")
        # field -> term (str for fields analysed by word_values, else bytes) -> [(docnum, posting item)]
        self._postings: dict[str, dict] = {}
        self._lengths: dict[str, dict[int, int]] = {}      # field -> docnum -> decoded length
        self._index_cache: dict[str, dict] = {}
        self._column_cache: dict[str, dict] = {}
        self._text_keys: set[str] = set()                  # fields whose terms are kept as str
        self._merged = False                               # postings of merged segments went to the pool
        stored = self.perdocwriter._colwriters.get("_stored")
        child = getattr(stored, "_child", None)
        if child is not None and getattr(child, "_compress", None) is zlib.compress:
            child._compress = compress

    # ---- documents ------------------------------------------------------------------

    def _analyse(self, name: str, field, value) -> tuple[list | tuple, int]:
        """The postings of one field value, (term, frequency, weight, encoded value) tuples, and its length."""
        if type(field).index is FieldType.index:          # the field does word_values + UTF-8 encoding
            if not isinstance(value, (str, list, tuple)):
                raise ValueError("%r is not unicode or sequence" % (value,))
            self._text_keys.add(name)
            items = field.format.word_values(value, field.analyzer, mode="index")
            if not isinstance(items, list):
                items = list(items)
        else:
            items = tuple(field.index(value))
        return items, (sum([item[1] for item in items]) if field.scorable else 0)

    def _index_items(self, name: str, field, value) -> tuple[list | tuple, int]:
        if isinstance(value, str) and len(value) > INDEX_CACHE_CHARS:
            return self._analyse(name, field, value)
        cache = self._index_cache.get(name)
        if cache is None:
            cache = self._index_cache[name] = {}
        try:
            found = cache.get(value)
        except TypeError:                 # unhashable (a list of values)
            return self._analyse(name, field, value)
        if found is None:
            found = self._analyse(name, field, value)
            if len(cache) < INDEX_CACHE_VALUES:
                cache[value] = found
        return found

    def _column_value(self, name: str, field, value):
        cache = self._column_cache.get(name)
        if cache is None:
            cache = self._column_cache[name] = {}
        try:
            found = cache.get(value, cache)
        except TypeError:
            return field.to_column_value(value)
        if found is cache:
            found = field.to_column_value(value)
            if len(cache) < INDEX_CACHE_VALUES:
                cache[value] = found
        return found

    def _column_writer(self, name: str, column):
        pdw = self.perdocwriter
        if not pdw._has_column(name):
            pdw._create_column(name, column)
        return pdw._get_column(name)

    def add_document(self, **fields):
        """SegmentWriter.add_document with postings kept in memory (see the module docstring)."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        pdw = self.perdocwriter
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            stored = pdw._storedfields
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    items, length = self._index_items(name, field, value)
                    boost = self._field_boost(fields, name, docboost)
                    if boost != 1.0:
                        items = [(t, f, w * boost, v) for t, f, w, v in items]
                    posts = self._postings.get(name)
                    if posts is None:
                        posts = self._postings[name] = {}
                    get = posts.get
                    for item in items:
                        entry = get(item[0])
                        if entry is None:
                            posts[item[0]] = [(docnum, item)]
                        else:
                            entry.append((docnum, item))
                    if length:
                        lengths = self._lengths.get(name)
                        if lengths is None:
                            lengths = self._lengths[name] = {}
                        lengths[docnum] = _decoded_length(length)
                        self._column_writer(_lenfield(name), LENGTHS_COLUMN).add(docnum, length_to_byte(length))
                        pdw._fieldlengths[name] += length
                if field.vector:
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    pdw.add_vector_items(name, field, sorted((t, w, v) for t, _, w, v in vitems))
                custom = fields.get("_stored_" + name, value)
                if field.stored and custom is not None:
                    stored[name] = custom
                column = field.column_type
                if column and custom is not None:
                    self._column_writer(name, column).add(docnum, self._column_value(name, field, custom))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(self, reader, startdoc, docmap):
        self._merged = True
        super().add_postings_to_pool(reader, startdoc, docmap)

    # ---- postings -------------------------------------------------------------------

    def _flush_segment(self):
        self.perdocwriter.close()
        for name in self._text_keys:      # terms kept as str -> UTF-8 bytes, as FieldType.index gives them
            posts = self._postings.get(name, {})
            self._postings[name] = {term.encode("utf-8"): entry for term, entry in posts.items()}
        if self._merged:   # a merge policy added older segments: their postings and lengths are on disk
            # merged documents were numbered after the added ones and the pool is sorted by (field, term,
            # docnum), so appending keeps every posting list in docnum order
            for name, text, docnum, weight, vbytes in self.pool.iter_postings():
                entry = self._postings.setdefault(name, {}).setdefault(text, [])
                entry.append((docnum, (text, 0, weight, vbytes)))
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


class _LengthsOf:
    """docnum -> field length from a per-document reader (only after merging older segments)."""

    def __init__(self, pdr, name):
        self._pdr, self._name = pdr, name

    def get(self, docnum, default=0):
        return self._pdr.doc_field_length(docnum, self._name) or default


def _write_terms(fw, field, terms: dict, lengths) -> None:
    """Write a field's posting lists ({term bytes: [(docnum, (term, freq, weight, value))]}) and their rows in
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
    add_row = fw._tindex.add
    prefix = pack_ushort(fw._fieldid)
    offset = postfile.tell()
    for tbytes in sorted(terms):
        postings = terms[tbytes]
        terminfo = W3TermInfo()
        pw._terminfo = terminfo
        start_offset = offset
        postfile.write(WHOOSH3_HEADER_MAGIC)
        offset += len(WHOOSH3_HEADER_MAGIC)
        count = len(postings)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            block = postings if count <= limit else postings[start:end]
            ids = [p[0] for p in block]
            items = [p[1] for p in block]
            weights = [float(item[2]) for item in items]   # SegmentWriter multiplies by the boost (1.0)
            block_lengths = [n for n in map(lengths.get, ids) if n]
            pw._ids = ids
            pw._weights = stored_weights = array("f", weights)
            pw._maxweight = max(0, max(weights))
            pw._minlength = min(block_lengths) if block_lengths else None
            pw._maxlength = max(block_lengths) if block_lengths else 0
            terminfo.add_block(pw)
            values = [item[3] for item in items if item[3]]
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
            mini_ids = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])])
            databytes = dumps((mini_ids, mini_weights, values), 2)
            comp = level if len(databytes) >= PLAIN_BLOCK_BYTES else 0
            if comp:
                databytes = compress(databytes, comp)
            infobytes = dumps((end - start, ids[-1], pw._maxweight, comp, length_to_byte(pw._minlength),
                               length_to_byte(pw._maxlength)), 2)
            blocklength = len(infobytes) + len(databytes)
            postfile.write(pack_int(-blocklength if end == count else blocklength) + infobytes + databytes)
            offset += 4 + blocklength
        terminfo.set_extent(start_offset, offset - start_offset)
        add_row(prefix + tbytes, terminfo.to_bytes())
    pw._terminfo = None
    pw._new_block()
