"""Index stage, Whoosh's internals: a field's posting blocks and term table rows, written as W3 writes them."""

from __future__ import annotations

from array import array
from typing import Any, NamedTuple

import numpy as np

from .writing import PICKLE_PROTOCOL, PLAIN_BLOCK_BYTES, compress


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
