"""Index stage, Whoosh's internals: W3 posting lists, block directories, columns, lengths, deletions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import version

# ---- postings (search.docsets, search.phrases) ---------------------------------------------

def _w3_leaf(matcher: Any) -> Any | None:
    """The W3 codec's leaf matcher under `matcher` (deleted documents are filtered by a wrapper around it);
    None off the pinned Whoosh or for other matchers (a single posting is inlined in the term info)."""
    if not version.FAST:
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
    if not version.FAST:
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
    if not version.FAST:
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
    if not version.FAST:
        return None
    from whoosh.codec.whoosh3 import W3PerDocReader

    perdoc: Any = getattr(sub, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    deleted: Iterable[int] = perdoc.deleted_docs()
    return deleted
