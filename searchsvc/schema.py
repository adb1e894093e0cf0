"""Index stage, pickled: TermPositions lives at this import path in every built index. Never move or rename it.

Whoosh pickles the schema (formats and analyzers included) into each index's table of contents, so the
class path `searchsvc.schema.TermPositions` must stay importable for as long as indexes built with it exist.
The rest of the schema lives in searchsvc.index.schema.
"""

from __future__ import annotations

from functools import lru_cache
from pickle import dumps
from typing import Any

import numpy as np
from whoosh.formats import Positions
from whoosh.system import pack_uint


class TermPositions(Positions):
    """Positions format that asks the analyzer for the whole term list at once (TermTokenizer.terms).

    Same postings as Positions (frequency, weight, positions; byte for byte the same encoding); skips one
    Token object per word, which dominates indexing time in pure Python, and encodes the common single
    position from a cache. Analyzers without `terms` take the ordinary path.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        terms_of = getattr(analyzer, "terms", None)
        if terms_of is None or kwargs.get("mode", "index") != "index":
            return super().word_values(value, analyzer, **kwargs)
        return self.values_of_terms(terms_of(value))

    def values_of_terms(self, terms: list[str]) -> list[tuple[str, int, float, bytes]]:
        """word_values of a text from its index terms in order ("" for a position without a posting: a stop word
        of the exact analyzer): (term, frequency, weight, encoded positions) in order of first occurrence."""
        poses: dict[str, list[int]] = {}
        for pos, term in enumerate(terms):
            found = poses.get(term)
            if found is None:
                poses[term] = [pos]
            else:
                found.append(pos)
        poses.pop("", None)
        fb = self.field_boost
        single = _single_position
        out = []
        for word, poslist in poses.items():
            n = len(poslist)
            out.append((word, n, n * fb, single(poslist[0]) if n == 1 else encode_positions(poslist)))
        return out

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)


@lru_cache(maxsize=1 << 16)
def _single_position(pos: int) -> bytes:
    packed: bytes = pack_uint(1) + dumps([pos], 2)
    return packed


def encode_runs(deltas: Any, starts: Any, counts: Any) -> list[bytes]:
    """encode_positions of many posting lists at once: posting k has counts[k] positions whose deltas (the first
    one the position itself) are deltas[starts[k]:starts[k] + counts[k]] (int sequences or numpy arrays).

    Single positions come from the cache; lists of 2 to PICKLE_BATCH positions below 2**31 are written by
    _pickled_runs with numpy, byte for byte what pack_uint(n) + dumps(deltas, 2) gives; others by dumps."""
    deltas = np.asarray(deltas, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    out = np.empty(len(counts), dtype=object)
    ones = counts == 1
    out[ones] = list(map(_single_position, deltas[starts[ones]].tolist()))
    many = np.flatnonzero(~ones)
    if len(many):
        fits = (counts[many] <= PICKLE_BATCH) & (counts[many] > 1)
        if len(deltas) and (deltas.min() < 0 or deltas.max() >= 2**31):
            fits[:] = False
        fast = many[fits]
        out[fast] = _pickled_runs(deltas, starts[fast], counts[fast])
        for k in many[~fits].tolist():
            s, n = int(starts[k]), int(counts[k])
            out[k] = pack_uint(n) + dumps(deltas[s:s + n].tolist(), 2)
    result: list[bytes] = out.tolist()
    return result


PICKLE_BATCH = 1000            # pickle writes a list's items in batches of this many (its C pickler's BATCHSIZE)
_LIST_HEAD = np.frombuffer(b"\x80\x02]q\x00(", dtype=np.uint8)  # PROTO 2, EMPTY_LIST, BINPUT 0, MARK


def _pickled_runs(deltas: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> list[bytes]:
    """pack_uint(n) + pickle.dumps(list of n ints, 2) for each run (2 <= n <= PICKLE_BATCH, 0 <= int < 2**31):
    the count (4 bytes big-endian), the list's head, each int as BININT1 "K" (< 256), BININT2 "M" (< 65536) or
    BININT "J" (little-endian), then APPENDS "e" and STOP "."."""
    if not len(counts):
        return []
    ends = np.cumsum(counts)
    where = np.repeat(starts - (ends - counts), counts) + np.arange(int(ends[-1]))
    values = deltas[where]
    sizes = np.where(values < 256, 2, np.where(values < 65536, 3, 5))
    item_ends = np.cumsum(sizes)
    run_items = item_ends[ends - 1] - np.concatenate(([0], item_ends[ends[:-1] - 1]))
    lengths = 12 + run_items                              # count 4, head 6, items, "e."
    offsets = np.cumsum(lengths) - lengths
    buf = np.zeros(int(lengths.sum()), dtype=np.uint8)
    buf[offsets[:, None] + np.arange(4)] = counts.astype(">u4").view(np.uint8).reshape(-1, 4)
    buf[offsets[:, None] + 4 + np.arange(6)] = _LIST_HEAD
    item_starts = np.repeat(offsets + 10 - (item_ends[ends - counts] - sizes[ends - counts]), counts) \
        + (item_ends - sizes)
    buf[item_starts] = np.where(sizes == 2, ord("K"), np.where(sizes == 3, ord("M"), ord("J")))
    little = values.astype("<u4").view(np.uint8).reshape(-1, 4)
    for byte in range(4):
        wide = sizes > byte + 1
        buf[item_starts[wide] + byte + 1] = little[wide, byte]
    stops = offsets + lengths
    buf[stops - 2] = ord("e")
    buf[stops - 1] = ord(".")
    data = buf.tobytes()
    return [data[a:b] for a, b in zip(offsets.tolist(), stops.tolist())]


def encode_positions(poslist: list[int]) -> bytes:
    """whoosh.formats.Positions.encode: the count, then the pickled position deltas."""
    if len(poslist) == 1:
        return _single_position(poslist[0])
    deltas = [poslist[0]]
    deltas += [b - a for a, b in zip(poslist, poslist[1:])]
    packed: bytes = pack_uint(len(deltas)) + dumps(deltas, 2)
    return packed
