"""Search stage: phrase matching: turns having every word (numpy), then positions read only for those turns.

Whoosh matches a phrase by walking the intersection of its words' postings and building span objects
for every candidate, which costs up to a second for common words on a large index. Here the candidate
turns come from the cached postings masks (DocSets), and each word's positions are read only for the
turns still in play, rarest word first, so later (common) words are read for ever fewer turns. A
possible phrase start is the key turn * STRIDE + (position - word index); a turn matches when a key
survives every word (numpy set intersections).

Posting blocks holding none of the wanted turns are skipped on their header alone, their docnums come
from the cached postings (no Python delta decoding), and decoded position lists are memoised by their
bytes (most are one small position). That walk reads W3 codec blocks through index.whoosh_private
(pinned Whoosh); any other matcher takes the public skip_to/value_as path. Only exact phrases (slop 1)
come here; other proximity queries keep Whoosh's matcher.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

from ..index import whoosh_private as W

DECODED_CACHE = 200_000   # position lists memoised per PositionDecoder
STRIDE = 1 << 32          # key = turn * STRIDE + phrase start position


class PositionDecoder:
    """Position lists from posting values, memoised by value bytes (one per searcher; not thread-safe)."""

    def __init__(self) -> None:
        self._known: dict[bytes, tuple[int, ...]] = {}

    def many(self, fmt: Any, values: list[bytes]) -> list[tuple[int, ...]]:
        known = self._known
        if len(known) >= DECODED_CACHE:
            known.clear()
        out: list[Any] = [known.get(v) for v in values]
        for k, found in enumerate(out):
            if found is None:
                out[k] = known[values[k]] = tuple(fmt.decode_positions(values[k]))
        return out


def phrase_docs(reader: Any, fieldname: str, words: list[str], candidates: np.ndarray,
                postings: Callable[[str], np.ndarray], decode: PositionDecoder,
                check_time: Callable[[], None] = lambda: None, offsets: list[int] | None = None) -> np.ndarray:
    """Docnums among `candidates` (sorted, each holding every word) where `words` occur at consecutive positions
    (or at `offsets` from the phrase's start: a quoted phrase's stop words leave gaps, exact.ExactPhrase).

    `postings(word)` gives the word's docnums over the whole reader in posting order (DocSets' cache).
    """
    offsets = list(range(len(words))) if offsets is None else offsets
    span = max(offsets) + 1
    held = {w: postings(w) for w in set(words)}
    order = sorted(range(len(words)), key=lambda i: len(held[words[i]]))   # rarest word first
    found: list[np.ndarray] = []
    for sub, base in reader.leaf_readers():
        end = base + sub.doc_count_all()
        lo, hi = np.searchsorted(candidates, [base, end])
        if hi <= lo:
            continue
        keys = None
        for i in order:
            check_time()
            wanted = candidates[lo:hi] - base if keys is None else np.unique(keys // STRIDE)
            if not len(wanted):
                break
            ids = held[words[i]]
            a, b = np.searchsorted(ids, [base, end])
            new = _word_keys(sub, fieldname, words[i], ids[a:b] - base, wanted, decode) - offsets[i]
            new = new[new % STRIDE < STRIDE - span]                  # a start before position 0 is none
            keys = new if keys is None else np.intersect1d(keys, new, assume_unique=True)
        if keys is not None and len(keys):
            found.append(np.unique(keys // STRIDE) + base)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _word_keys(sub: Any, fieldname: str, text: str, ids: np.ndarray, wanted: np.ndarray, decode: PositionDecoder
               ) -> np.ndarray:
    """turn * STRIDE + position for every position of a term in the `wanted` turns (sorted segment docnums)."""
    try:
        matcher = sub.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64)
    blocks = W.value_blocks(matcher)   # deleted turns are never candidates
    found = _block_positions(blocks, ids, wanted, decode) if blocks is not None else None
    docs: Any
    decoded: list[Any]
    if found is not None:
        docs, decoded = found
    else:
        matcher = sub.postings(fieldname, text)
        docs, decoded = [], []
        for d in wanted.tolist():
            if not matcher.is_active():
                break
            if matcher.id() < d:
                matcher.skip_to(d)
                if not matcher.is_active():
                    break
            if matcher.id() == d:
                docs.append(d)
                decoded.append(matcher.value_as("positions"))
    lengths = np.fromiter(map(len, decoded), dtype=np.int64, count=len(decoded))
    positions = np.fromiter(chain.from_iterable(decoded), dtype=np.int64, count=int(lengths.sum()))
    return np.repeat(np.asarray(docs, dtype=np.int64), lengths) * STRIDE + positions


def _block_positions(blocks: W.ValueBlocks, ids: np.ndarray, wanted: np.ndarray, decode: PositionDecoder
                     ) -> tuple[np.ndarray, list[tuple[int, ...]]] | None:
    """The W3 walk: where each wanted turn sits in the postings comes from `ids` (all at once), so a block
    is read only when one of them sits in it. The wanted turns found and their positions; None when the
    blocks do not line up with `ids` (then the caller takes the public path)."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64), []
    at = np.searchsorted(ids, wanted)
    inside = at < len(ids)
    hit = np.zeros(len(wanted), dtype=bool)
    hit[inside] = ids[at[inside]] == wanted[inside]
    docs, places = wanted[hit], at[hit].tolist()
    raw: list[bytes] = []
    j, n, off = 0, len(places), 0
    while j < n and blocks.active():
        end = off + blocks.length()
        if end > len(ids) or ids[end - 1] != blocks.last_id():
            return None
        if places[j] < end:
            values = blocks.values()
            while j < n and places[j] < end:
                raw.append(values[places[j] - off])
                j += 1
        off = end
        blocks.next()
    if j < n:
        return None
    return docs, decode.many(blocks.format, raw)
