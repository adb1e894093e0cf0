"""Index stage, pickled: TermPositions lives at this import path in every built index. Never move or rename it.

Whoosh pickles the schema (formats and analyzers included) into each index's table of contents, so the
class path `searchsvc.schema.TermPositions` must stay importable for as long as indexes built with it exist.
The rest of the schema lives in searchsvc.index.schema.
"""

from __future__ import annotations

from functools import lru_cache
from pickle import dumps
from typing import Any

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


def encode_runs(deltas: list[int], starts: list[int], counts: list[int]) -> list[bytes]:
    """encode_positions of many posting lists at once: posting k has counts[k] positions whose deltas (the first
    one the position itself) are deltas[starts[k]:starts[k] + counts[k]]."""
    single = _single_position
    return [single(deltas[s]) if n == 1 else pack_uint(n) + dumps(deltas[s:s + n], 2)
            for s, n in zip(starts, counts)]


def encode_positions(poslist: list[int]) -> bytes:
    """whoosh.formats.Positions.encode: the count, then the pickled position deltas."""
    if len(poslist) == 1:
        return _single_position(poslist[0])
    deltas = [poslist[0]]
    deltas += [b - a for a, b in zip(poslist, poslist[1:])]
    packed: bytes = pack_uint(len(deltas)) + dumps(deltas, 2)
    return packed
