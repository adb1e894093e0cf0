"""Index stage: the one door to Whoosh's internals: private attributes, W3 on-disk format details, pickled paths.

Everything else in searchsvc uses Whoosh's public API. The fast paths here read (and the bulk writer
writes) the W3 codec of the pinned whoosh-reloaded version directly; on any other version FAST is
False, every reader below answers None and its caller takes the public-API path (slower, same
results), and the bulk writer is not used (Whoosh's own writer is). Private names are imported lazily,
inside the functions, so a renamed one never breaks importing searchsvc.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

PINNED = "2.7.5"   # whoosh-reloaded version whose internals this module reads (pyproject.toml pins it)
# Class paths Whoosh pickles into every index's table of contents: they must stay importable forever.
PICKLED_PATHS = ("searchsvc.analysis.TermTokenizer", "searchsvc.analysis.NormalizeFilter",
                 "searchsvc.schema.TermPositions")
# What opening a damaged generation raises (table of contents not unpickled, truncated or missing files),
# besides Whoosh's own whoosh.index.IndexError (see unreadable_errors).
_DAMAGE_ERRORS: tuple[type[Exception], ...] = (
    pickle.UnpicklingError, EOFError, struct.error, zlib.error, ValueError, KeyError, IndexError, TypeError,
    AttributeError, ImportError, OSError,
)


def installed_version() -> str:
    try:
        return metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        import whoosh
        return str(whoosh.versionstring())


FAST = installed_version() == PINNED   # constant per process: the installed Whoosh does not change


def version_notice() -> str | None:
    """None on the pinned Whoosh; else what runs differently (said once at start by the CLI and the server)."""
    if FAST:
        return None
    return (f"whoosh-reloaded {installed_version()} is installed, searchsvc is built for {PINNED}: "
            "its fast paths are off (searches and builds are slower, results the same)")


def unreadable_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean "this generation cannot be opened as it is on disk"."""
    from whoosh.index import IndexError as WhooshIndexError  # its EmptyIndexError, IndexVersionError ...

    return (*_DAMAGE_ERRORS, WhooshIndexError)


def describe_damage(exc: BaseException) -> str:
    """A short reason for a generation that cannot be opened."""
    if isinstance(exc, pickle.UnpicklingError | ImportError | AttributeError):
        return f"its table of contents cannot be read ({type(exc).__name__}: {exc})"
    if type(exc).__module__ == "whoosh.index":
        return f"its table of contents is damaged or missing ({type(exc).__name__})"
    if isinstance(exc, FileNotFoundError):
        return f"a file is missing ({Path(str(exc.filename)).name})"
    if isinstance(exc, OSError):   # its text would name the server's folders
        return f"a file cannot be read ({type(exc).__name__}: {exc.strerror})"
    return f"a file is damaged ({type(exc).__name__}: {exc})"


# ---- postings (search.docsets, search.phrases) ---------------------------------------------

def _w3_leaf(matcher: Any) -> Any | None:
    """The W3 codec's leaf matcher under `matcher` (deleted documents are filtered by a wrapper around it);
    None off the pinned Whoosh or for other matchers (a single posting is inlined in the term info)."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import W3LeafMatcher

    leaf = getattr(matcher, "child", matcher)
    return leaf if type(leaf) is W3LeafMatcher else None


def posting_arrays(matcher: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """A fresh matcher's whole posting list as (segment docnums int64, weights float32), decoded with numpy a
    block at a time (deleted documents included: W3 keeps each block's docnums as deltas from 0, its weights as
    None (all 1.0), one float for all, or one per posting); None where the public path (is_active/id/weight/next)
    must be walked."""
    leaf = _w3_leaf(matcher)
    if leaf is None or leaf._byteids or leaf._i != 0:
        return None
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while leaf.is_active():
        if leaf._data is None:
            leaf._read_data()
        deltas, stored = leaf._data[0], leaf._data[1]
        count = leaf._blocklength
        ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if stored is None:
            weights.append(np.ones(count, dtype=np.float32))
        elif isinstance(stored, float):
            weights.append(np.full(count, stored, dtype=np.float32))
        else:
            weights.append(np.asarray(stored, dtype=np.float32))
        leaf._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


@dataclass(frozen=True, slots=True)
class BlockDirectory:
    """Where each block of one posting list starts, how many postings the blocks up to it hold, its last docnum.
    One int64 array of three rows (a search worker keeps thousands of directories, most of one block: one array
    object each instead of three, about 3.5 -> 1.4 MB after the benchmark's load)."""
    table: np.ndarray          # int64[3, blocks]: positions, ends, last_ids

    @property
    def positions(self) -> np.ndarray:
        """Offsets of the blocks in the postings file."""
        row: np.ndarray = self.table[0]
        return row

    @property
    def ends(self) -> np.ndarray:
        """Postings in each block and the ones before it."""
        row: np.ndarray = self.table[1]
        return row

    @property
    def last_ids(self) -> np.ndarray:
        """Each block's last (segment) docnum."""
        row: np.ndarray = self.table[2]
        return row


class ValueBlocks:
    """A W3 posting list walked block by block without decoding docnums: each block's length and last docnum,
    its encoded values (positions) read only on demand; or, from its directory, only the blocks wanted."""

    def __init__(self, leaf: Any):
        self._leaf = leaf
        self.format = leaf.format
        self._position = int(leaf._baseoffset)     # where the current block starts (a fresh matcher: the first)

    def active(self) -> bool:
        return bool(self._leaf.is_active())

    def length(self) -> int:
        return int(self._leaf._blocklength)

    def last_id(self) -> int:
        return int(self._leaf._maxid)

    def values(self) -> Sequence[bytes]:
        leaf = self._leaf
        if leaf._values is None:
            leaf._read_values()
        return leaf._values  # type: ignore[no-any-return]

    def next(self) -> None:
        self._position = int(self._leaf._nextoffset)
        self._leaf._next_block()

    def directory(self) -> BlockDirectory:
        """Every block's header from the current one to the end (the walk is then at its end: goto a block)."""
        positions, ends, last_ids = [], [], []
        total = 0
        while self.active():
            total += self.length()
            positions.append(self._position)
            ends.append(total)
            last_ids.append(self.last_id())
            self.next()
        return BlockDirectory(np.array([positions, ends, last_ids], dtype=np.int64).reshape(3, -1))

    def goto(self, position: int) -> None:
        """To the block starting at `position` (one of this posting list's directory)."""
        leaf = self._leaf
        leaf._atend = leaf._lastblock = False
        leaf._goto(position)
        self._position = position


def value_blocks(matcher: Any) -> ValueBlocks | None:
    """ValueBlocks over a matcher's posting list; None where the public path (skip_to/value_as) must be taken."""
    leaf = _w3_leaf(matcher)
    return None if leaf is None else ValueBlocks(leaf)


# ---- columns, lengths, deletions (index.schema, search.facets) -----------------------------

def raw_column(sub: Any, fieldname: str) -> list[Any] | None:
    """Every document's untranslated column value in one segment, read in one go from the VarBytesColumn or
    NumericColumn reader; None off the pinned Whoosh or for other column layouts (then iterate the column)."""
    if not FAST:
        return None
    from whoosh.columns import NumericColumn, VarBytesColumn

    col = sub.column_reader(fieldname, translate=False)
    count = sub.doc_count_all()
    if type(col) is VarBytesColumn.Reader:
        lengths, offsets = col._lengths, col._offsets
        if len(lengths) != count or len(offsets) != count:
            return None
        data = col._dbfile.get(col._basepos, offsets[-1] + lengths[-1]) if count else b""
        return [data[o:o + n] for o, n in zip(offsets, lengths)]
    if type(col) is NumericColumn.Reader:
        have = min(col._count, count)
        values = np.frombuffer(col._dbfile.get(col._basepos, have * col._fixedlen), dtype=">" + col._typecode)
        return list(values.tolist()) + [col._default] * (count - have)
    return None


def length_bytes(sub: Any, fieldname: str, count: int) -> np.ndarray | None:
    """A segment's one-byte field lengths (W3's lengths column) in one read; None off the pinned Whoosh."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield

    perdoc: Any = getattr(sub, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if col is None:                      # no document has the field
        return np.zeros(count, dtype=np.uint8)
    have = min(col._count, count)
    raw = np.frombuffer(col._dbfile.get(col._basepos, have), dtype=np.uint8)
    return np.concatenate([raw, np.zeros(count - have, dtype=np.uint8)])


def decoded_lengths() -> np.ndarray:
    """float32[256]: the field length each stored length byte stands for (0 for byte 0)."""
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float32)


def deleted_docnums(sub: Any) -> Iterable[int] | None:
    """The deleted documents of a segment in one call; None where each is_deleted(n) must be asked."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import W3PerDocReader

    perdoc: Any = getattr(sub, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    deleted: Iterable[int] = perdoc.deleted_docs()
    return deleted


# ---- committing segments written by processes (index.segments) ---------------------------

def finish_segment(writer: Any) -> Any:
    """A SegmentWriter's segment, flushed and closed without committing it (sent to the parent process)."""
    return writer._finalize_segment()


def commit_segments(writer: Any, segments: list[Any]) -> None:
    """Make `segments` the index's segments through `writer` (which holds the write lock) and release it."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


# ---- the bulk writer's W3 parts (index.bulkwriter) -------------------------------------------
# BulkSegmentWriter (bulkwriter.py) keeps postings in memory and is built on bulk_writer_base(): every Whoosh
# writer attribute it reads or sets, and every W3 block and table byte it writes, is here.

PLAIN_BLOCK_BYTES = 100        # posting blocks smaller than this (pickled) are not compressed
PICKLE_PROTOCOL = 4            # block data and stored fields (Whoosh writes 2: bytes go through _codecs.encode)


def compress(data: bytes, level: int = 3) -> bytes:
    """A zlib stream of `data` (what zlib.decompress reads, as Whoosh's readers do) written by ISA-L (isal), at its
    level min(level, 3): posting blocks and stored fields about a third of zlib's CPU time at level 3, the same
    size within a few percent (bench figures in README "Build CPU"); decompressing them costs what zlib's own
    streams cost."""
    packed: bytes = _isal_compress()(data, min(level, 3))
    return packed


@lru_cache(maxsize=1)
def _isal_compress() -> Any:
    from isal import isal_zlib  # imported by the writer only

    return isal_zlib.compress


def add_column_values(column: Any, docs: list[int], values: list[Any]) -> None:
    """column.add(docnum, value) for each pair, in order: for Whoosh's VarBytesColumn and NumericColumn writers and
    strictly increasing docnums (the usual) in one write of the bytes those calls would write one by one."""
    from whoosh.columns import NumericColumn, VarBytesColumn

    increasing = all(a < b for a, b in zip(docs, docs[1:])) and (not docs or docs[0] >= column._count)
    kind = type(column)
    if not docs or not increasing or kind not in (VarBytesColumn.Writer, NumericColumn.Writer):
        for docnum, value in zip(docs, values):
            column.add(docnum, value)
        return
    if kind is VarBytesColumn.Writer:
        _add_var_bytes(column, docs, values)
    else:
        _add_numbers(column, docs, values)


def _add_var_bytes(column: Any, docs: list[int], values: list[bytes]) -> None:
    """VarBytesColumn.Writer.add of each value (docs increasing from its count): lengths and offsets with the
    empty entries fill() adds for the documents in between, the bytes in one write."""
    lengths: list[int] = []
    offsets: list[int] = []
    count, base = column._count, column._offset_base
    for docnum, value in zip(docs, values):
        if docnum > count:
            gap = docnum - count
            lengths += [0] * gap
            offsets += [base] * gap
        lengths.append(len(value))
        offsets.append(base)
        base += len(value)
        count = docnum + 1
    column._dbfile.write(b"".join(values))
    _extend_growable(column._lengths, lengths)
    _extend_growable(column._offsets, offsets)
    column._offset_base, column._count = base, count


_TYPE_TOPS = {"B": 2**8 - 1, "H": 2**16 - 1, "i": 2**31 - 1, "I": 2**32 - 1}   # GrowableArray's types


def _extend_growable(grow: Any, numbers: list[int]) -> None:
    """GrowableArray.extend (an append per number, retyped by the first number its type cannot hold), the runs
    that fit its current type extended at once."""
    values = np.asarray(numbers, dtype=np.int64)
    i = 0
    while i < len(numbers):
        top = _TYPE_TOPS.get(grow.array.typecode) if isinstance(grow.array, array) else None
        if top is None or values.min(initial=0) < 0:
            grow.extend(numbers[i:])
            return
        over = np.flatnonzero(values[i:] > top)
        if not len(over):
            grow.array.extend(numbers[i:])
            return
        j = i + int(over[0])
        grow.array.extend(numbers[i:j])
        grow.append(numbers[j])                # retypes the array
        i = j + 1


def _add_numbers(column: Any, docs: list[int], values: list[Any]) -> None:
    """NumericColumn.Writer.add of each value (docs increasing from its count): the default value is not written
    (add skips it), the documents before each written one get the default bytes (fill), one pack and write."""
    default = column._default
    kept = [(d, v) for d, v in zip(docs, values) if v != default]
    if not kept:
        return
    count = column._count
    out = [default] * (kept[-1][0] + 1 - count)
    for docnum, value in kept:
        out[docnum - count] = value
    column._dbfile.write(b"".join(map(column._pack, out)))
    column._count = kept[-1][0] + 1


def bulk_writer_supports(ix: Any) -> bool:
    """True on the pinned Whoosh with its W3 codec (terms never inlined) and a schema without separate spelling
    fields: what bulk_writer_base writes for."""
    if not FAST:
        return False
    from whoosh.codec import default_codec
    from whoosh.codec.whoosh3 import W3Codec

    schema = ix.schema
    codec = default_codec()
    return type(codec) is W3Codec and codec._inlinelimit <= 1 and not any(
        schema[name].separate_spelling() for name in schema.names())


@lru_cache(maxsize=1 << 16)
def decoded_length(length: int) -> int:
    """The length a Whoosh reader gives back for a field length (stored as one byte)."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    return int(byte_to_length(length_to_byte(length)))


@lru_cache(maxsize=1 << 16)
def length_byte(length: int) -> int:
    """The byte a field length is stored as."""
    from whoosh.util.numeric import length_to_byte

    return int(length_to_byte(length))


@lru_cache(maxsize=1)
def bulk_writer_base() -> type:
    """The base class of BulkSegmentWriter: Whoosh's SegmentWriter with the private parts it needs named here
    (documents, stored fields, columns, lengths, posting blocks, term table rows). Only for the pinned Whoosh:
    on another version a clear error (build.py checks bulk_writer_supports first and takes Whoosh's writer)."""
    if not FAST:
        raise RuntimeError(f"the bulk writer needs whoosh-reloaded {PINNED} (installed: {installed_version()})")
    from pickle import dumps

    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter, _lenfield
    from whoosh.columns import CompressedBytesColumn, PickleColumn
    from whoosh.writing import SegmentWriter

    class BulkWriterBase(SegmentWriter):
        """SegmentWriter whose segment is written by write_postings (postings kept by the subclass)."""

        def __init__(self, ix: Any, **kwargs: Any):
            super().__init__(ix, **kwargs)
            pdw = self.perdocwriter
            if not isinstance(pdw, W3PerDocWriter):
                raise TypeError("BulkSegmentWriter needs Whoosh's W3 codec")
            stored = pdw._get_column("_stored")
            if not (isinstance(stored, PickleColumn.Writer)
                    and isinstance(stored._child, CompressedBytesColumn.Writer)):
                raise TypeError("BulkSegmentWriter needs Whoosh's W3 stored-fields column")
            self._stored_writer = stored._child     # takes the pickled bytes; compresses them with compress()
            if self._stored_writer._compress is zlib.compress:
                self._stored_writer._compress = compress
            self._merged = False                    # postings of merged segments went to the pool
            self._known_keys: dict[tuple[str, ...], tuple[list[str], bool]] = {}   # open_doc's checked names

        # documents: SegmentWriter.add_document's steps, for the subclass's add_document
        def open_doc(self, fields: dict[str, Any]) -> tuple[int, list[str], bool, float]:
            """Start the next document: (docnum, its field names sorted, whether special arguments (_boost,
            _<field>_boost, _stored_<field>) were given, the document boost). The names of each distinct key
            tuple are sorted and checked against the schema once (every turn gives one of a few dozen)."""
            self._check_state()
            keys = tuple(fields)
            known = self._known_keys.get(keys)
            if known is None:
                names = sorted(name for name in fields if not name.startswith("_"))
                self._check_fields(self.schema, names)
                known = self._known_keys[keys] = (names, len(names) != len(fields))
            names, special = known
            docboost = self._doc_boost(fields) if special else 1.0
            self.perdocwriter.start_doc(self.docnum)
            return self.docnum, names, special, docboost

        def field_boost(self, fields: dict[str, Any], name: str, docboost: float) -> float:
            return float(self._field_boost(fields, name, docboost))

        def stored_fields(self) -> dict[str, Any]:
            """The open document's stored fields (fill it)."""
            return self.perdocwriter._storedfields  # type: ignore[no-any-return]

        def add_field_length(self, name: str, length: int) -> None:
            self.perdocwriter._fieldlengths[name] += length

        def add_vector(self, name: str, field: Any, value: Any) -> None:
            vitems = field.vector.word_values(value, field.analyzer, mode="index")
            self.perdocwriter.add_vector_items(name, field, sorted((t, w, v) for t, _, w, v in vitems))

        def cancel_doc(self) -> None:
            self.perdocwriter.cancel_doc()

        def close_doc(self) -> None:
            """W3PerDocWriter.finish_doc with the stored fields pickled with PICKLE_PROTOCOL; next docnum."""
            pdw = self.perdocwriter
            stored = pdw._storedfields
            if stored:
                self._stored_writer.add(self.docnum, dumps(stored, PICKLE_PROTOCOL))
                stored.clear()
            pdw._indoc = False
            self._added = True
            self.docnum += 1

        def column_writer(self, column_name: str, column: Any) -> Any:
            pdw = self.perdocwriter
            if not pdw._has_column(column_name):
                pdw._create_column(column_name, column)
            return pdw._get_column(column_name)

        def length_writer(self, fieldname: str) -> Any:
            return self.column_writer(_lenfield(fieldname), LENGTHS_COLUMN)

        # the segment
        def add_reader(self, reader: Any) -> None:
            self.finish_documents()         # the added documents' lengths first: a column is written in docnum order
            super().add_reader(reader)

        def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
            self._merged = True
            super().add_postings_to_pool(reader, startdoc, docmap)

        def postings(self) -> dict[str, dict[Any, tuple[list[int], list[Any]]]]:
            """field -> term bytes -> ([docnums], [posting items]) of the added documents (the subclass's); only
            asked for when older segments are merged in (their postings are appended to these lists)."""
            raise NotImplementedError

        def posting_columns(self) -> dict[str, PostingColumns]:
            """field -> the added documents' posting lists in term order (the subclass's)."""
            raise NotImplementedError

        def field_lengths(self, name: str) -> Any:
            """docnum -> decoded length of the added documents' field (has .get)."""
            raise NotImplementedError

        def finish_documents(self) -> None:
            """Called once after the last document, before the per-document files close (the subclass's)."""

        def _flush_segment(self) -> None:
            self.finish_documents()
            self.perdocwriter.close()
            if self._merged:   # a merge policy added older segments: their postings and lengths are on disk
                # merged documents were numbered after the added ones and the pool is sorted by (field, term,
                # docnum), so appending keeps every posting list in docnum order
                postings = self.postings()
                for name, text, docnum, weight, vbytes in self.pool.iter_postings():
                    docs, items = postings.setdefault(name, {}).setdefault(text, ([], []))
                    docs.append(docnum)
                    items.append((text, 0, weight, vbytes))
                pdr = self.per_document_reader()
                try:
                    self._write_postings({name: columns_of(terms) for name, terms in postings.items()},
                                         lambda name: _LengthsOf(pdr, name))
                finally:
                    pdr.close()
            else:
                self._write_postings(self.posting_columns(), self.field_lengths)
            table = self.fieldwriter._tindex
            table._write_hashes = partial(_write_hash_tables, table)    # its close() writes them
            self.fieldwriter.close()

        def _write_postings(self, columns: dict[str, PostingColumns], lengths_of: Any) -> None:
            fw = self.fieldwriter
            schema = self.schema
            for name in sorted(columns):
                if name not in schema:
                    continue
                field = schema[name]
                fw.start_field(name, field)
                _write_terms(fw, field, columns[name], lengths_of(name))
                fw.finish_field()

    class _LengthsOf:
        """docnum -> field length from a per-document reader (only after merging older segments)."""

        def __init__(self, pdr: Any, name: str):
            self._pdr, self._name = pdr, name
            self._known = pdr.has_column(_lenfield(name))   # else every lookup would stat a missing file

        def get(self, docnum: int, default: int = 0) -> int:
            return (self._known and self._pdr.doc_field_length(docnum, self._name)) or default

    return BulkWriterBase


class PostingColumns(NamedTuple):
    """A field's posting lists in term order, side by side: term k's postings are at starts[k]:starts[k + 1] of
    docs (docnums, increasing), weights and values (encoded posting values)."""
    terms: list[bytes]          # increasing
    starts: list[int]           # len(terms) + 1 offsets
    docs: list[int]
    weights: list[float]
    values: list[Any]


def columns_of(terms: dict[bytes, tuple[list[int], list[Any]]]) -> PostingColumns:
    """PostingColumns of {term bytes: ([docnums], [(term, freq, weight, encoded value)])}."""
    keys = sorted(terms)
    starts, docs, weights, values = [0], [], [], []
    for key in keys:
        ids, items = terms[key]
        docs += ids
        weights += [item[2] for item in items]
        values += [item[3] for item in items]
        starts.append(len(docs))
    return PostingColumns(keys, starts, docs, weights, values)


def _write_terms(fw: Any, field: Any, columns: PostingColumns, lengths: Any) -> None:
    """Write a field's posting lists and their rows in the term table as W3FieldWriter and W3PostingsWriter do, a
    block (up to _blocklimit postings) at a time.

    Each block is written as _write_block writes it (small blocks plain) and each term info holds what
    W3TermInfo.add_block would add up over its blocks (W3TermInfo.to_bytes's layout, packed here); file
    offsets are counted here instead of asking the file (a seek per call) twice per term. What add_block finds in
    each block's postings (the top weight, the shortest and longest field length, whether the float32 weights
    are all 1.0 or all equal, the docnum deltas) comes from numpy over the whole field (_BlockStats).
    """
    from pickle import dumps

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
    from whoosh.system import pack_int, pack_long, pack_ushort
    from whoosh.util.numeric import length_to_byte

    pw = fw._postwriter
    postfile = pw._postfile
    level = pw._compression
    fixed = field.format.fixed_value_size()
    tupled = fixed is None or fixed < 0
    prefix = pack_ushort(fw._fieldid)
    pack_info = W3TermInfo._struct.pack
    magic = WHOOSH3_HEADER_MAGIC
    byte_of = _Memo(length_to_byte)
    offset = postfile.tell()
    rows = []
    starts, all_docs, all_values = columns.starts, columns.docs, columns.values
    known = not isinstance(lengths, dict) or bool(lengths)      # an unscored field has no lengths
    stats = _BlockStats(columns, pw._blocklimit, lengths if known else None)
    tops, lows, highs, ones, sames = stats.tops, stats.lows, stats.highs, stats.ones, stats.sames
    floats, deltas, block_ends = stats.floats, stats.deltas, stats.ends
    b = 0                                                       # the block number
    for k, tbytes in enumerate(stats.terms):
        first, last = starts[k], starts[k + 1]
        total: Any = 0
        min_length: Any = None
        max_length: Any = 0
        max_weight: Any = 0
        chunks = [magic]
        size = len(magic)
        start = first
        while start < last:
            end = block_ends[b]
            count = end - start
            top = tops[b]
            low = lows[b]
            high = highs[b]
            block_weights = floats[start:end]
            total += sum(block_weights)                     # W3TermInfo.add_block's sums
            min_length = low if min_length is None else min(min_length, low)
            max_length = max(max_length, high)
            max_weight = max(max_weight, top)
            block_values = filter(None, all_values[start:end])
            values: Any = tuple(block_values) if tupled else None if fixed == 0 else b"".join(block_values)
            mini_weights: Any = None if ones[b] else block_weights[0] if sames[b] else tuple(block_weights)
            databytes = dumps((tuple(deltas[start:end]), mini_weights, values), PICKLE_PROTOCOL)
            comp = level if len(databytes) >= PLAIN_BLOCK_BYTES else 0
            if comp:
                databytes = compress(databytes, comp)
            infobytes = dumps((count, all_docs[end - 1], top, comp, byte_of[low], byte_of[high]), 2)
            blocklength = len(infobytes) + len(databytes)
            chunks += (pack_int(-blocklength if end == last else blocklength), infobytes, databytes)
            size += 4 + blocklength
            start = end
            b += 1
        postfile.write(b"".join(chunks))
        info = pack_info(False, total, last - first, 0 if min_length is None else byte_of[min_length],
                         byte_of[max_length], max_weight, all_docs[first], all_docs[last - 1])
        rows.append((prefix + tbytes, info + pack_long(offset) + pack_int(size)))
        offset += size
    _add_rows(fw._tindex, rows)
    pw._terminfo = None
    pw._new_block()


class _BlockStats:
    """What _write_terms writes of each block of a field's posting lists (blocks of `limit` postings, each term's
    last one shorter), found with numpy over all postings at once; lists of Python values, as the old per-block
    code computed them with max, min, array("f") and its count:
    - tops: the block's top weight as add_posting keeps it (a float; 0 when none is above 0),
    - lows, highs: the shortest nonzero field length of its documents (None if none) and the longest (0),
    - floats: every posting's weight rounded to float32 (as array("f") stores it), as a Python float,
    - ones, sames: whether the block's float32 weights are all 1.0, all equal,
    - deltas: docnum deltas from the block's previous posting (its first docnum itself), ends: block ends."""

    def __init__(self, columns: PostingColumns, limit: int, lengths: Any):
        self.terms = columns.terms
        self.tops: list[Any] = []
        self.floats: list[float] = []
        self.sames: list[bool] = []
        self.ones: list[bool] = []
        self.lows: list[Any] = []
        self.highs: list[Any] = []
        starts = np.asarray(columns.starts, dtype=np.int64)
        sizes = np.diff(starts)
        blocks = -(-sizes // limit)                              # ceil: blocks per term
        within = np.arange(int(blocks.sum()), dtype=np.int64) - np.repeat(np.cumsum(blocks) - blocks, blocks)
        firsts = np.repeat(starts[:-1], blocks) + within * limit
        ends = np.minimum(firsts + limit, np.repeat(starts[1:], blocks))
        self.ends = ends.tolist()
        n = int(starts[-1])
        weights = np.asarray(columns.weights, dtype=np.float64) if n else np.zeros(0)
        if np.isnan(weights).any():         # NaN compares unequal: max and count per block, as before
            self._python_weights(columns.weights, firsts.tolist())
        elif len(firsts):
            tops = np.maximum.reduceat(weights, firsts)
            self.tops = [t if t > 0 else 0 for t in tops.tolist()]
            single = weights.astype(np.float32)
            low32, high32 = np.minimum.reduceat(single, firsts), np.maximum.reduceat(single, firsts)
            self.sames = (low32 == high32).tolist()
            self.ones = ((low32 == 1.0) & (high32 == 1.0)).tolist()
            self.floats = single.tolist()
        docs = np.asarray(columns.docs, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
        deltas = docs.copy()
        deltas[1:] -= docs[:-1]
        deltas[firsts] = docs[firsts]
        self.deltas = deltas.tolist()
        if lengths is None or not len(firsts):
            self.lows = [None] * len(firsts)
            self.highs = [0] * len(firsts)
            return
        found = _lengths_at(lengths, docs)
        highs = np.maximum.reduceat(found, firsts)
        big = np.iinfo(np.int64).max
        lows = np.minimum.reduceat(np.where(found > 0, found, big), firsts)
        self.highs = highs.tolist()
        self.lows = [None if low == big else low for low in lows.tolist()]

    def _python_weights(self, weights: list[Any], firsts: list[int]) -> None:
        self.floats = array("f", weights).tolist()
        for start, end in zip(firsts, self.ends):
            top = max(weights[start:end])
            self.tops.append(float(top) if top > 0 else 0)
            block = array("f", weights[start:end])
            self.ones.append(block.count(1.0) == end - start)
            self.sames.append(block.count(block[0]) == end - start)


def _lengths_at(lengths: Any, docs: np.ndarray) -> np.ndarray:
    """lengths.get(docnum) (0 for None) of each docnum: from a dict through a numpy table by docnum."""
    if type(lengths) is dict and lengths:
        table = np.zeros(max(int(docs.max()), max(lengths)) + 1, dtype=np.int64)
        table[np.fromiter(lengths.keys(), np.int64, len(lengths))] = np.fromiter(
            (n or 0 for n in lengths.values()), np.int64, len(lengths))
        found: np.ndarray = table[docs]
        return found
    return np.fromiter((n or 0 for n in map(lengths.get, docs.tolist())), dtype=np.int64, count=len(docs))


class _Memo(dict[Any, Any]):
    """fn(x) remembered per x: memo[x]."""

    def __init__(self, fn: Any):
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(key)
        return value


def _add_rows(table: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """OrderedHashWriter.add for each (key, value) row, keys increasing: one write, positions counted here."""
    from whoosh.filedb.filetables import _lengths as row_lengths

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
        record = row_lengths.pack(len(key), len(value)) + key + value
        out.append(record)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += len(record)
        lastkey = key
    dbfile.write(b"".join(out))
    table.lastkey = lastkey


_HASH_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])    # filetables._pointer ("!Iq"), one slot


def _write_hash_tables(table: Any) -> None:
    """HashWriter._write_hashes (the term table's 256 open-addressing tables: twice as many slots as keys, each
    key at (hash >> 8) % slots or the next free slot after it, in the order added), each table written at once
    instead of a struct.pack and a write per slot: the same bytes. A slot is free while its position is 0 (no key
    starts there: the file's header does)."""
    dbfile = table.dbfile
    for entries in table.buckets:
        numslots = 2 * len(entries)
        table.directory.append((dbfile.tell(), numslots))
        hashes = [0] * numslots
        positions = [0] * numslots
        for hashval, position in entries:
            slot = (hashval >> 8) % numslots
            while positions[slot]:
                slot = (slot + 1) % numslots
            hashes[slot] = hashval
            positions[slot] = position
        slots = np.empty(numslots, dtype=_HASH_SLOT)
        slots["hash"] = hashes
        slots["position"] = positions
        dbfile.write(slots.tobytes())


# ---- reading a generation's files without mapping them (index.store) ----------------------

PICKLE_CHUNK = 512   # bytes read at once for a posting block's pickled info (a few dozen); more when longer


class _Part:
    """A byte range of an open file, read with os.pread: no shared file position, no mapping, nothing kept."""

    def __init__(self, fd: int, start: int, length: int):
        self._fd, self._start, self._end, self._pos = fd, start, start + length, start

    def read(self, size: int | None = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._end, self._pos + size)
        if end <= self._pos:
            return b""
        data = os.pread(self._fd, end - self._pos, self._pos)
        self._pos += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = os.pread(self._fd, self._end - self._pos, self._pos).split(b"\n", 1)[0]
        data = data + b"\n" if self._pos + len(data) < self._end else data
        data = data if size is None or size < 0 else data[:size]
        self._pos += len(data)
        return data

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return os.pread(self._fd, max(0, min(length, self._end - start)), start)

    def seek(self, where: int, whence: int = 0) -> int:
        base = (self._start, self._pos, self._end)[whence]
        self._pos = max(self._start, base + where)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def part(self, offset: int, length: int) -> _Part:
        return _Part(self._fd, self._start + offset, length)

    def close(self) -> None:
        """The file is the segment's: closed with it."""


def _read_file_class() -> type:
    """StructFile whose compound parts are _Parts of the open segment file (Whoosh's SubFile seeks the shared
    file and reads through its buffer each time), and whose pickles are read in one chunk: the Unpickler would
    otherwise ask for every opcode (one read each)."""
    from whoosh.filedb.structfile import StructFile

    class ReadFile(StructFile):
        def subset(self, offset: int, length: int, name: str | None = None) -> Any:
            outer = self.file
            part = outer.part(offset, length) if type(outer) is _Part else _Part(outer.fileno(), offset, length)
            return ReadFile(part, name=name or self._name)

        def get(self, position: int, length: int) -> bytes:
            part = self.file
            return part.get(position, length) if type(part) is _Part else super().get(position, length)

        def read_pickle(self) -> Any:
            start = self.tell()
            size = PICKLE_CHUNK
            while True:
                data = self.read(size)
                buffer = io.BytesIO(data)
                try:
                    value = pickle.Unpickler(buffer).load()
                except (EOFError, pickle.UnpicklingError):
                    if len(data) < size:     # the file ends inside it: damaged
                        raise
                    size *= 16
                    self.seek(start)
                    continue
                self.seek(start + buffer.tell())
                return value
    return ReadFile


def read_storage(folder: Path) -> Any:
    """A Whoosh FileStorage of `folder` (read-only) whose files are read, never memory-mapped: from a mapped
    compound segment Whoosh copies each part it opens into the process's heap (BufferFile over BytesIO), so
    every process reading it would hold its own copy; read, the kernel's page cache holds one for all."""
    from whoosh.filedb.filestore import FileStorage

    if not FAST:
        return FileStorage(str(folder), supports_mmap=False, readonly=True)
    read_file = _read_file_class()

    class ReadStorage(FileStorage):
        def open_file(self, name: str, **kwargs: Any) -> Any:
            return read_file(open(self._fpath(name), "rb"), name=name, **kwargs)  # noqa: SIM115 - it closes it
    return ReadStorage(str(folder), supports_mmap=False, readonly=True)
