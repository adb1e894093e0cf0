"""Index stage, Whoosh's internals: segments committed from processes; the bulk writer's columns, lengths."""

from __future__ import annotations

from array import array
from functools import lru_cache
from typing import Any

import numpy as np

from . import version

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
    if not version.FAST:
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
