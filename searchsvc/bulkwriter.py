"""Indexing stage: a Whoosh segment writer that keeps postings in memory and writes each term's blocks at once.

Whoosh's SegmentWriter puts every posting in a PostingPool: a size estimate per posting, sorted runs
pickled to disk one tuple at a time, a heap merge on commit, and one length-column lookup plus one
type-checked add_posting call per posting. On the shared corpus (4 million postings) that costs more
than the analysis itself. BulkSegmentWriter keeps the postings of each term in lists (documents arrive
in docnum order, so the lists are already sorted), caches what Whoosh computes per field value
(`field.index`, column values) for values that repeat (dates, conferences, speakers...), and writes each
posting list through Whoosh's own W3 codec block by block. The segment files are byte for byte those
SegmentWriter writes for the same documents (tests/test_bulkwriter.py checks this).

Not supported (BulkSegmentWriter.supports says so): schemas with separate spelling fields, and codecs
other than W3.
"""

from __future__ import annotations

from array import array

from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

INDEX_CACHE_VALUES = 50_000    # distinct values per field whose `field.index` result is kept
INDEX_CACHE_CHARS = 300        # longer string values (question and answer text) are not cached


def _decoded_length(length: int) -> int:
    """The length a Whoosh reader gives back for a field length (stored as one byte)."""
    return byte_to_length(length_to_byte(length))


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter with in-memory postings; same segment contents, a fraction of the CPU time."""

    @staticmethod
    def supports(ix) -> bool:
        from whoosh.codec import default_codec

        schema = ix.schema
        return isinstance(default_codec(), W3Codec) and not any(
            schema[name].separate_spelling() for name in schema.names())

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._postings: dict[str, dict[bytes, tuple[list, list, list]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}      # field -> docnum -> decoded length
        self._index_cache: dict[str, dict] = {}
        self._column_cache: dict[str, dict] = {}
        self._merged = False                               # postings of merged segments went to the pool

    # ---- documents ------------------------------------------------------------------

    def _index_items(self, name: str, field, value) -> list | tuple:
        """field.index(value) as a list, cached for short repeated values."""
        if isinstance(value, str) and len(value) > INDEX_CACHE_CHARS:
            return list(field.index(value))
        cache = self._index_cache.get(name)
        if cache is None:
            cache = self._index_cache[name] = {}
        try:
            found = cache.get(value)
        except TypeError:                 # unhashable (a list of values)
            return list(field.index(value))
        if found is None:
            found = tuple(field.index(value))
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

    def add_document(self, **fields):
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        pdw = self.perdocwriter
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    posts = self._postings.get(name)
                    if posts is None:
                        posts = self._postings[name] = {}
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in self._index_items(name, field, value):
                        entry = posts.get(tbytes)
                        if entry is None:
                            entry = posts[tbytes] = ([], [], [])
                        entry[0].append(docnum)
                        entry[1].append(weight * boost)
                        entry[2].append(vbytes)
                        if scorable:
                            length += freq
                    if length:
                        lengths = self._lengths.get(name)
                        if lengths is None:
                            lengths = self._lengths[name] = {}
                        lengths[docnum] = _decoded_length(length)
                if field.vector:
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    pdw.add_vector_items(name, field, sorted((t, w, v) for t, _, w, v in vitems))
                custom = fields.get("_stored_" + name, value)
                pdw.add_field(name, field, custom if field.stored else None, length)
                column = field.column_type
                if column and custom is not None:
                    pdw.add_column_value(name, column, self._column_value(name, field, custom))
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
        if self._merged:   # a merge policy added older segments: their postings and lengths are on disk
            # merged documents were numbered after the added ones and the pool is sorted by (field, term,
            # docnum), so appending keeps every posting list in docnum order
            for name, text, docnum, weight, vbytes in self.pool.iter_postings():
                entry = self._postings.setdefault(name, {}).setdefault(text, ([], [], []))
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(vbytes)
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
            terms = self._postings[name]
            field = schema[name]
            fw.start_field(name, field)
            lengths = lengths_of(name)
            for tbytes in sorted(terms):
                fw.start_term(tbytes)
                _write_posting_list(fw._postwriter, *terms[tbytes], lengths)
                fw.finish_term()
            fw.finish_field()
        self._postings.clear()


class _LengthsOf:
    """docnum -> field length from a per-document reader (only after merging older segments)."""

    def __init__(self, pdr, name):
        self._pdr, self._name = pdr, name

    def get(self, docnum, default=0):
        return self._pdr.doc_field_length(docnum, self._name) or default


def _write_posting_list(pw, ids: list, weights: list, values: list, lengths) -> None:
    """Fill a W3PostingsWriter's block buffer a block at a time: what add_posting does one posting at a time.

    Every block but the last is written here; the caller's finish_term writes the last one.
    """
    limit = pw._blocklimit
    count = len(ids)
    for start in range(0, count, limit):
        end = min(start + limit, count)
        block_weights = weights[start:end]
        block_lengths = [n for n in map(lengths.get, ids[start:end]) if n]
        pw._ids = array("I", ids[start:end])
        pw._weights = array("f", block_weights)
        pw._values = [v for v in values[start:end] if v]
        pw._maxweight = max(0, max(block_weights))
        pw._minlength = min(block_lengths) if block_lengths else None
        pw._maxlength = max(block_lengths) if block_lengths else 0
        if end < count:
            pw._write_block()
