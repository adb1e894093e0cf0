"""Search stage: phrase matching: turns having every word (numpy), then positions read only for those turns.

Whoosh matches a phrase by walking the intersection of its words' postings and building span objects
for every candidate, which costs up to a second for common words on a large index. Here the candidate
turns come from the cached postings masks (DocSets), and each word's positions are read only for the
turns still in play, rarest word first, so later (common) words are read for ever fewer turns. A
possible phrase start is the key turn * STRIDE + (position - word index); a turn matches when a key
survives every word (numpy set intersections).

Posting blocks holding none of the wanted turns are never read: where each block of a posting list starts
is read once per searcher (its directory, from the block headers), their docnums come from the cached
postings (no Python delta decoding), and decoded position lists are memoised by their bytes (most are one
small position). That walk reads W3 codec blocks through index.whoosh_private
(pinned Whoosh); any other matcher takes the public skip_to/value_as path. Only exact phrases (slop 1)
come here; other proximity queries keep Whoosh's matcher.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh.reading import TermNotFound

from ..index import whoosh_private as W

DECODED_BYTES = 8 << 20   # default memory for the position lists memoised per PositionDecoder
DECODED_ENTRY = 150       # bytes one memoised position list costs on average (value bytes, tuple, dict slot)
DIRECTORY_BLOCKS = 500_000   # posting blocks whose place in the file is kept per PositionDecoder (24 bytes each)
STRIDE = 1 << 32          # key = turn * STRIDE + phrase start position


class PositionDecoder:
    """Position lists from posting values, memoised by value bytes, and the block directories of the posting lists
    read (one per searcher; not thread-safe)."""

    def __init__(self, memory: int = DECODED_BYTES) -> None:
        self._known: dict[bytes, tuple[int, ...]] = {}
        self._most = max(1, memory // DECODED_ENTRY)   # memoised lists before the memo starts again
        self._directories: LRUCache[tuple[int, str, str], W.BlockDirectory] = LRUCache(
            DIRECTORY_BLOCKS, getsizeof=lambda d: max(1, d.table.shape[1]))

    def directory(self, key: tuple[int, str, str], blocks: W.ValueBlocks) -> W.BlockDirectory:
        """The directory of the posting list `blocks` walks (key: its segment reader, field, term), read once."""
        found = self._directories.get(key)
        if found is None:
            found = blocks.directory()
            self._directories[key] = found
        return found

    def many(self, fmt: Any, values: list[bytes]) -> list[tuple[int, ...]]:
        known = self._known
        if len(known) >= self._most:
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


def pair_docs(reader: Any, fieldname: str, pairs: dict[tuple[str, str], np.ndarray],
              postings: Callable[[str], np.ndarray], decode: PositionDecoder,
              check_time: Callable[[], None] = lambda: None) -> dict[tuple[str, str], np.ndarray]:
    """phrase_docs of several two-word phrases, each over its own candidates (pair -> sorted docnums holding both
    words): the same turns, with each word's positions read once for all the pairs it is in (a query's middle
    words are in two)."""
    out: dict[tuple[str, str], list[np.ndarray]] = {pair: [] for pair in pairs}
    for sub, base in reader.leaf_readers():
        end = base + sub.doc_count_all()
        local: dict[tuple[str, str], np.ndarray] = {}
        for pair, candidates in pairs.items():
            lo, hi = np.searchsorted(candidates, [base, end])
            if hi > lo:
                local[pair] = candidates[lo:hi] - base
        wanted: dict[str, list[np.ndarray]] = {}
        for pair, docs in local.items():
            for word in pair:
                wanted.setdefault(word, []).append(docs)
        keys: dict[str, np.ndarray] = {}
        for word, docs_of in wanted.items():
            check_time()
            docs = np.unique(np.concatenate(docs_of))
            ids = postings(word)
            a, b = np.searchsorted(ids, [base, end])
            keys[word] = _word_keys(sub, fieldname, word, ids[a:b] - base, docs, decode)
        for pair, docs in local.items():
            first, second = (_keys_in(keys[w], docs) - k for k, w in enumerate(pair))
            first, second = first[first % STRIDE < STRIDE - 2], second[second % STRIDE < STRIDE - 2]
            both = np.intersect1d(first, second, assume_unique=True)
            if len(both):
                out[pair].append(np.unique(both // STRIDE) + base)
    return {pair: np.concatenate(found) if found else np.zeros(0, dtype=np.int64) for pair, found in out.items()}


def _keys_in(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The keys (turn * STRIDE + position) whose turn is one of `docs` (sorted)."""
    turns = keys // STRIDE
    at = np.searchsorted(docs, turns)
    inside = at < len(docs)
    keep = np.zeros(len(keys), dtype=bool)
    keep[inside] = docs[at[inside]] == turns[inside]
    return keys[keep]


def _word_keys(sub: Any, fieldname: str, text: str, ids: np.ndarray, wanted: np.ndarray, decode: PositionDecoder
               ) -> np.ndarray:
    """turn * STRIDE + position for every position of a term in the `wanted` turns (sorted segment docnums)."""
    try:
        matcher = sub.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64)
    blocks = W.value_blocks(matcher)   # deleted turns are never candidates
    found = _block_positions(blocks, ids, wanted, decode, (id(sub), fieldname, text)) if blocks is not None else None
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


def _block_positions(blocks: W.ValueBlocks, ids: np.ndarray, wanted: np.ndarray, decode: PositionDecoder,
                     key: tuple[int, str, str]) -> tuple[np.ndarray, list[tuple[int, ...]]] | None:
    """The W3 walk: where each wanted turn sits in the postings comes from `ids` (all at once), and where each
    block starts from the posting list's directory (read once), so only the blocks holding one of them are read.
    The wanted turns found and their positions; None when the blocks do not line up with `ids` (then the
    caller takes the public path)."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64), []
    at = np.searchsorted(ids, wanted)
    inside = at < len(ids)
    hit = np.zeros(len(wanted), dtype=bool)
    hit[inside] = ids[at[inside]] == wanted[inside]
    docs, places = wanted[hit], at[hit]
    directory = decode.directory(key, blocks)
    ends = directory.ends
    if not len(ends) or ends[-1] > len(ids) or (ids[ends - 1] != directory.last_ids).any():
        return None
    if len(places) and places[-1] >= ends[-1]:
        return None
    raw: list[bytes] = []
    block_of = np.searchsorted(ends, places, side="right")
    for block in np.unique(block_of).tolist():
        blocks.goto(int(directory.positions[block]))
        values = blocks.values()
        first = int(ends[block - 1]) if block else 0
        raw.extend(values[p - first] for p in places[block_of == block].tolist())
    return docs, decode.many(blocks.format, raw)
