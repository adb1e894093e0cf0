"""Search stage: the turns a word plan matches, strict (every slot) or relaxed (coverage weighted by rarity).

Strict matching requires every slot; relaxed matching (few strict matches) requires half of them (or two or more
carrying half of the query's rarity weight) and ranks by weighted coverage: the names' coverage first
(matching.RELAX_BONUS per slot), the words' coverage as a bonus of the size of one word's BM25F score
(matching.WORD_COVERAGE_BONUS), so a turn with fewer but better-placed words can still win.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from math import log
from typing import Any

import numpy as np
from whoosh import query as Q

from ..index import schema as S
from .docsets import DocSets
from .facets import IndexTables, values_mask
from .names import NameMatch
from .querying import widen_word
from .wordplan import Slot, WordPlan, ranking_query, single_word, terms_query

RELATED_COVERAGE = 0.5    # a turn with only a related term (or a widened form) of a word: this share of its weight
TYPO_DOCS = 3             # a word in at most this many turns, when relaxing, also matches ...
TYPO_FACTOR = 20          # ... the closest indexed words found in this many times more turns
TYPO_ALTERNATIVES = 2
RARITY_POWER = 2          # coverage weights: idf to this power
RELAX_WEIGHT_SHARE = 0.5  # relaxed, a turn also matches with the rarer words: half the weight, two words at least


def names_mask(tables: IndexTables, found: list[NameMatch], memo: dict[Any, np.ndarray] | None = None) -> np.ndarray:
    key = tuple((m.facet, m.values) for m in found)
    if memo is not None and key in memo:
        known: np.ndarray = memo[key]
        return known
    out = np.zeros(tables.size, dtype=bool)
    for match in found:
        out |= values_mask(tables, match.facet, match.values)
    if memo is not None:
        memo[key] = out
    return out


def slot_mask(slot: Slot, docsets: DocSets, tables: IndexTables, memo: dict[Any, np.ndarray] | None = None
              ) -> np.ndarray:
    out = docsets.mask(slot.typed).copy() if slot.typed is not None else np.zeros(tables.size, dtype=bool)
    for alt in slot.alternatives + slot.forms + slot.related:
        out |= docsets.mask(alt)
    if slot.names:
        out |= names_mask(tables, slot.names, memo)
    return out


def strict_mask(plan: WordPlan, docsets: DocSets, tables: IndexTables) -> np.ndarray:
    """Turns with every slot (a name by field or text, a word or one of its synonyms) and every required part."""
    out = tables.live.copy()
    for part in plan.required:
        out &= docsets.mask(part)
    for slot in plan.slots:
        out &= slot_mask(slot, docsets, tables, plan.masks)
    return out


def relaxed_match(plan: WordPlan, docsets: DocSets, tables: IndexTables, reader: Any,
                  near: Callable[[str, str], list[str]] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Q.Query]:
    """Turns with at least half of the slots (words widened by their stem's longer forms and, when rare, by
    close spellings), each turn's coverage in slot units weighted by rarity, the part of it that the query's
    names give, and the query that ranks them."""
    allowed = tables.live.copy()
    for part in plan.required:
        allowed &= docsets.mask(part)
    widened, masks = [], []
    counts = np.zeros(tables.size, dtype=np.int16)
    weighted = np.zeros(tables.size, dtype=np.float32)
    named = np.zeros(tables.size, dtype=np.float32)
    total = 0.0
    for slot in plan.slots:
        typed = widen_word(slot.typed, reader) if slot.typed is not None else None
        extra = _spelling_alternatives(slot, reader, near)
        wide = Slot(slot.surface, typed, slot.alternatives + extra, slot.expansions, slot.forms, slot.names,
                    related=slot.related, related_shown=slot.related_shown)
        widened.append(wide)
        mask = slot_mask(wide, docsets, tables, plan.masks)
        masks.append(mask)
        counts += mask
        total += add_coverage(named if slot.names else weighted, slot, mask, docsets, tables, plan.masks)
    scale = np.float32(len(masks) / max(total, 1e-9))
    named *= scale
    weighted = weighted * scale + named
    need = len(masks) - len(masks) // 2
    shown = ranking_query(WordPlan(widened, plan.fillers, plan.required, plan.changed))
    enough = counts >= need
    if RELAX_WEIGHT_SHARE > 0:     # or the rarer words: half of the query's weight in at least two of its words
        enough |= (counts >= 2) & (weighted >= np.float32(RELAX_WEIGHT_SHARE * len(masks)))
    return allowed & enough, weighted, named, shown


def add_coverage(weighted: np.ndarray, slot: Slot, wide: np.ndarray, docsets: DocSets, tables: IndexTables,
                  memo: dict[Any, np.ndarray]) -> float:
    """Add a slot's coverage to `weighted`; return its full weight. A turn with the slot as typed (a word, its
    synonyms, a name's turns) gets the rarity of those turns; a turn with only a widened form or a close spelling
    gets the rarity of all the turns the widened slot matches (`Bronx` in 4 turns weighs far more than its
    alternatives `bring`, `broad`); so does a turn with only a related term (with_related). A word found nowhere as
    typed (a typo) weighs what its alternatives do."""
    typed = dataclasses.replace(slot, related=[]) if slot.related else slot     # related terms count as widened
    as_typed = names_mask(tables, slot.names, memo) if slot.names else slot_mask(typed, docsets, tables, memo)
    docs = int(as_typed.sum())
    wide_weight = rarity(tables.size, int(wide.sum()))
    if not docs:
        weighted += np.float32(wide_weight) * wide
        return wide_weight
    typed_weight = rarity(tables.size, docs)
    if slot.names:     # a name's weight is that of the turns it names; its text matches count the same
        weighted += np.float32(typed_weight) * wide
        return typed_weight
    if slot.related:
        wide_weight *= RELATED_COVERAGE
    weighted += np.float32(typed_weight) * as_typed + np.float32(wide_weight) * (wide & ~as_typed)
    return typed_weight


def rarity(size: int, docs: int) -> float:
    """A slot's weight in coverage: its idf squared (a rare word says much more than a common one);
    a name's is that of the turns it names."""
    return (log(size / (docs + 1)) + 1) ** RARITY_POWER


def _spelling_alternatives(slot: Slot, reader: Any, near: Callable[[str, str], list[str]] | None) -> list[Q.Query]:
    word = single_word(slot.typed) if slot.typed is not None and not slot.names else None
    if near is None or word is None:
        return []
    known = max(reader.doc_frequency(f, word[2]) for f in S.TEXT_FIELDS)
    if known > TYPO_DOCS:
        return []
    found = [t for t in near(S.ANSWER, word[2]) if reader.doc_frequency(S.ANSWER, t) > max(1, known) * TYPO_FACTOR]
    return [terms_query((t,)) for t in found[:TYPO_ALTERNATIVES]]
