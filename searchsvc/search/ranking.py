"""Search stage: plain query words as people type them: names as fields, words without a topic optional,
synonyms, and coverage of the informative words (weighted by rarity) ranked before BM25F.

A query's plain words become slots. A slot is satisfied by its typed word(s) in the text, by a synonym
(expansion.py), or, for a name (names.py), by the turn's speaker or outlet: a name never has to be in the text.
Words that carry no topic (searchsvc/data/query_filler_en.txt) or are found in a large share of the turns are
not slots: the listed ones add a little to the score, the common ones rank like typed words (low idf already).
Strict matching requires every slot; relaxed matching (few
strict matches) requires half of them (or two or more carrying half of the query's rarity weight) and ranks by
weighted coverage: the names' coverage first
(matching.RELAX_BONUS per slot), the words' coverage as a bonus of the size of one word's BM25F score
(matching.WORD_COVERAGE_BONUS), so a turn with fewer but better-placed words can still win.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from math import log
from typing import Any

import numpy as np
from whoosh import query as Q

from ..analysis import fold_word, term_for_token
from ..index import schema as S
from ..index.related import RelatedTerms
from ..models import SuggestedFilter
from .docsets import DocSets
from .expansion import load_synonyms, load_word_forms, related_to
from .facets import IndexTables, values_mask
from .names import NameMatch, NameTable
from .phrases import pair_docs
from .querying import ParsedQuery, is_compound, widen_word
from .verbatim import VERBATIM_BONUS

# A plain word as plan_words reads it: (surface, query, its terms, its (start, end) spans in the text).
Word = tuple[str, Q.Query, "tuple[str, ...] | None", "set[tuple[int, int]]"]
NAME_BOOST = 1.5          # a speaker/outlet named in the query scores like a text word of this boost (times its idf)
FILLER_BOOST = 0.3        # words without a topic (the shipped list) still rank, a little
COMMON_BOOST = 1.0        # words optional for being in many turns rank as typed (their idf is low already)
EXPANSION_BOOST = 0.5     # synonyms and spelling alternatives rank below the typed words
FORM_BOOST = 0.25         # so do other forms of a word (query_word_forms_en.txt: China / Chinese)
RELATED_BOOST = 0.15      # and, lowest, terms learned from the generation's text (relaxing only; index/related.py)
RELATED_COVERAGE = 0.5    # a turn with only a related term (or a widened form) of a word: this share of its weight
FILLER_SHARE = 0.1        # a word in more than this share of the turns carries no topic ...
MIN_TURNS = 1000          # ... in an index of at least this many turns (shares of a tiny index mean nothing)
TYPO_DOCS = 3             # a word in at most this many turns, when relaxing, also matches ...
TYPO_FACTOR = 20          # ... the closest indexed words found in this many times more turns
TYPO_ALTERNATIVES = 2
RARITY_POWER = 2          # coverage weights: idf to this power
RELAX_WEIGHT_SHARE = 0.5  # relaxed, a turn also matches with the rarer words: half the weight, two words at least
PROXIMITY_BOOST = 4.0     # per pair of consecutive query words side by side in a turn
PROXIMITY_CANDIDATES = 30
SUGGESTED_PER_NAME = 3    # values of one name offered as filters
SUGGESTED_FILTERS = 4
PROXIMITY_MIN_WORDS = 3   # shorter queries rank well on BM25F alone; proximity costs position reads
PROXIMITY_PAIRS = 10
_QUOTED_RE = re.compile(r'"[^"]*"?')


@dataclass
class Slot:
    """One informative thing the query asks for: a word, a phrase of the synonym list, or a name."""
    surface: str
    typed: Q.Query | None                                   # the typed word(s) in the text fields
    alternatives: list[Q.Query] = field(default_factory=list)
    expansions: tuple[str, ...] = ()                        # the alternatives as written (for the notices)
    forms: list[Q.Query] = field(default_factory=list)      # other forms of the word (ranked at FORM_BOOST)
    names: list[NameMatch] = field(default_factory=list)
    listed: bool = False                                    # a filler from the shipped list (else: a common word)
    related: list[Q.Query] = field(default_factory=list)    # terms learned from the text (ranked at RELATED_BOOST)
    related_shown: tuple[str, ...] = ()


@dataclass
class WordPlan:
    slots: list[Slot]
    fillers: list[Slot]
    required: list[Q.Query]
    changed: bool            # names, fillers or synonyms: the plain words are not simply all required
    masks: dict[Any, np.ndarray] = field(default_factory=dict)   # name masks computed for this query


@lru_cache(maxsize=1)
def load_fillers() -> frozenset[str]:
    text = resources.files("searchsvc").joinpath("data/query_filler_en.txt").read_text(encoding="utf-8")
    words = [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]
    return frozenset(words) | frozenset(t for t in map(term_for_token, words) if t)


def text_share(reader: Any, size: int) -> Callable[[str], float]:
    """term -> share of the turns whose text holds it."""
    def share(term: str) -> float:
        found: float = max(reader.doc_frequency(f, term) for f in S.TEXT_FIELDS) / max(1, size)
        return found
    return share


def word_terms(q: Q.Query) -> tuple[str, ...] | None:
    """The index terms of a plain part that is one word or one hyphenated compound (else None)."""
    if is_compound(q):
        return tuple(t.text for t in q.subqueries[0].subqueries)
    word = single_word(q)
    return (word[2],) if word else None


def leaf_spans(q: Q.Query) -> set[tuple[int, int]]:
    found = {(getattr(t, "startchar", None), getattr(t, "endchar", None)) for t in q.leaves()}
    return {(a, b) for a, b in found if a is not None and b is not None}


def single_word(q: Q.Query) -> tuple[int, int, str] | None:
    """(start, end, term) when a plain part is one word over the text fields (not a prefix, not an OR)."""
    leaves = list(q.leaves())
    spans = {(getattr(t, "startchar", None), getattr(t, "endchar", None), getattr(t, "text", None)) for t in leaves}
    if len(spans) != 1 or not all(isinstance(t, Q.Term) and t.fieldname in S.TEXT_FIELDS for t in leaves):
        return None
    start, end, term = spans.pop()
    return (int(start), int(end), str(term)) if start is not None and end is not None else None


def plan_words(parsed: ParsedQuery, names: NameTable | None, reader: Any, size: int) -> WordPlan:
    """The slots and fillers of a parsed query's plain words."""
    words = [(surface, q, word_terms(q), leaf_spans(q)) for surface, q in parsed.plain]
    names_found = _find_names(parsed.text, words, names)
    used: set[int] = set()
    slots: list[Slot] = []
    for span, found in names_found.items():
        inside = [i for i, w in enumerate(words) if w[3] and all(span[0] <= a < span[1] for a, _ in w[3])]
        used.update(inside)
        typed = [words[i][1] for i in inside]
        slots.append(Slot(parsed.text[span[0]:span[1]], _all(typed), names=found))
    fillers: list[Slot] = []
    share = text_share(reader, size)
    synonyms, forms = load_synonyms(), load_word_forms()
    i = 0
    while i < len(words):
        if i in used:
            i += 1
            continue
        size_found, others = _synonym_at(words, i, used, synonyms)
        if size_found:
            chosen = words[i:i + size_found]
            known = {t for t, _ in others}
            extra = [m for m in forms.others(tuple(t for w in chosen for t in w[2] or ())) if m[0] not in known]
            slots.append(Slot(" ".join(w[0] for w in chosen), _all([w[1] for w in chosen]),
                              alternatives=[_terms_query(t) for t, _ in others],
                              expansions=tuple(text for _, text in others + tuple(extra)),
                              forms=[_terms_query(t) for t, _ in extra]))
            i += size_found
            continue
        surface, q, terms, _ = words[i]
        filler = filler_kind(surface, terms[0], share, size >= MIN_TURNS) if terms and len(terms) == 1 else None
        size_found, others = _synonym_at(words, i, used, forms)
        if size_found and (size_found > 1 or filler is None):
            chosen = words[i:i + size_found]
            slots.append(Slot(" ".join(w[0] for w in chosen), _all([w[1] for w in chosen]),
                              expansions=tuple(text for _, text in others),
                              forms=[_terms_query(t) for t, _ in others]))
            i += size_found
            continue
        slot = Slot(surface, q, listed=bool(filler))
        if filler is not None:
            fillers.append(slot)
        else:
            slots.append(slot)
        i += 1
    if not slots:            # only words without a topic: then they are what the query asks for
        slots, fillers = fillers, []
    if len(slots) == 1 and not fillers:   # one word counts exactly its turns (totals, timelines, exports)
        slots = [Slot(slots[0].surface, slots[0].typed, names=slots[0].names)]
    changed = bool(fillers) or any(s.names or s.alternatives or s.forms for s in slots)
    return WordPlan(slots, fillers, list(parsed.required), changed)


def with_related(plan: WordPlan, table: RelatedTerms, reader: Any, size: int) -> WordPlan:
    """The plan with each one-word slot (not a name) also standing for its related terms in the generation
    (expansion.related_to): what relaxing matches when the generation has a table."""
    typed = {t for s in plan.slots + plan.fillers if s.typed is not None for t in word_terms(s.typed) or ()}
    share = text_share(reader, size)

    def unwanted(term: str) -> bool:
        return filler_kind(term, term, share, size >= MIN_TURNS) is not None

    slots = []
    for slot in plan.slots:
        terms = word_terms(slot.typed) if slot.typed is not None and not slot.names else None
        found = related_to(terms[0], table, typed, unwanted) if terms and len(terms) == 1 else ()
        slots.append(dataclasses.replace(slot, related=[_terms_query((t,)) for t, _ in found],
                                         related_shown=tuple(shown for _, shown in found)) if found else slot)
    return dataclasses.replace(plan, slots=slots)


def related_notices(plan: WordPlan) -> list[str]:
    return [f"“{s.surface}” also matched words used like it in these transcripts: {', '.join(s.related_shown)} "
            "(ranked lowest)." for s in plan.slots if s.related_shown]


def filler_kind(surface: str, term: str, share: Callable[[str], float], big: bool) -> bool | None:
    """True: a word of the shipped list of words without a topic; False: a word in a large share of the turns;
    None: an informative word."""
    fillers = load_fillers()
    if fold_word(surface) in fillers or term in fillers:
        return True
    return False if big and share(term) > FILLER_SHARE else None


def _find_names(text: str, words: list[Word], names: NameTable | None) -> dict[tuple[int, int], list[NameMatch]]:
    if names is None:
        return {}
    quoted = [(m.start(), m.end()) for m in _QUOTED_RE.finditer(text)]
    plain_ends = {a: b for w in words for a, b in w[3]}

    def allowed(start: int, end: int) -> bool:
        if any(a <= start < b for a, b in quoted):
            return False
        if start in plain_ends:
            return plain_ends[start] == end
        return term_for_token(text[start:end]) is None     # a stop word inside a name ("The Paper")

    out: dict[tuple[int, int], list[NameMatch]] = {}
    for match in names.find(text, allowed):
        if any(match.start <= s < match.end for s in plain_ends):   # not only stop words
            out.setdefault((match.start, match.end), []).append(match)
    return out


def _synonym_at(words: list[Word], i: int, used: set[int], synonyms: Any) -> tuple[int, tuple[Any, ...]]:
    """(number of words, other members) of the longest synonym-list member starting at plain word i."""
    for size in range(min(synonyms.longest, len(words) - i), 0, -1):
        chosen = words[i:i + size]
        if any(j in used for j in range(i, i + size)) or not all(w[2] for w in chosen):
            continue
        others = synonyms.others(tuple(t for w in chosen for t in w[2] or ()))
        if others:
            return size, others
    return 0, ()


def _all(parts: list[Q.Query]) -> Q.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _terms_query(terms: tuple[str, ...]) -> Q.Query:
    words = [Q.Or([Q.Term(f, t, boost=S.FIELD_BOOSTS[f]) for f in S.TEXT_FIELDS]) for t in terms]
    return words[0] if len(words) == 1 else Q.And(words)


# ---- masks and scores --------------------------------------------------------------------------

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
    return [_terms_query((t,)) for t in found[:TYPO_ALTERNATIVES]]


def ranking_query(plan: WordPlan) -> Q.Query:
    """What ranks and highlights: typed words at full weight, synonyms and fillers below them."""
    parts: list[Q.Query] = []
    for slot in plan.slots:
        if slot.typed is not None:
            parts.append(slot.typed)
        if slot.alternatives:
            parts.append(Q.Or(list(slot.alternatives), boost=EXPANSION_BOOST))
        if slot.forms:
            parts.append(Q.Or(list(slot.forms), boost=FORM_BOOST))
        if slot.related:
            parts.append(Q.Or(list(slot.related), boost=RELATED_BOOST))
    for filler in plan.fillers:
        if filler.typed is not None:
            parts.append(Q.Or([filler.typed], boost=FILLER_BOOST if filler.listed else COMMON_BOOST))
    parts += [r for r in plan.required if not isinstance(r, Q.Not)]
    return Q.Or(parts) if parts else Q.NullQuery


def name_bonus(plan: WordPlan, tables: IndexTables) -> np.ndarray | None:
    """Per turn: what the names of the query add (BM25F-like: boost times the idf of the name's turns)."""
    named = [s for s in plan.slots if s.names]
    if not named:
        return None
    out = np.zeros(tables.size, dtype=np.float32)
    for slot in named:
        mask = names_mask(tables, slot.names, plan.masks)
        out[mask] += NAME_BOOST * (log(tables.size / (int(mask.sum()) + 1)) + 1)
    return out


class Boosts:
    """What ranking adds to BM25F (and coverage) for a query: its names' scores and the proximity of its words:
    each pair of the query's consecutive words found side by side in a turn (stop words aside) adds
    PROXIMITY_BOOST, looked at in the PROXIMITY_CANDIDATES best turns (positions read for those only); the turns
    holding a pasted query as written (verbatim.py) rank first."""

    def __init__(self, names: np.ndarray | None, pairs: frozenset[tuple[str, str]], docsets: DocSets,
                 verbatim: np.ndarray | None = None):
        self.names, self.pairs, self.docsets, self.verbatim = names, pairs, docsets, verbatim

    def apply(self, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """scores (of docs) with the boosts added; the candidates depend on the scores only (stable paging)."""
        if self.names is not None:
            scores = scores + self.names[docs]
        if self.verbatim is not None:
            scores = scores + np.float32(VERBATIM_BONUS) * self.verbatim[docs]
        if not self.pairs or not len(docs):
            return scores
        best = np.argsort(-scores, kind="stable")[:PROXIMITY_CANDIDATES]
        found = self.pairs_found(np.sort(docs[best]))
        boosted: np.ndarray = scores + PROXIMITY_BOOST * found[docs].astype(np.float32)
        return boosted

    def pairs_found(self, candidates: np.ndarray) -> np.ndarray:
        """Per docnum: how many of the pairs stand side by side in one of its text fields (candidates only)."""
        ds = self.docsets
        seen = {pair: np.zeros(ds.tables.size, dtype=bool) for pair in self.pairs}
        for name in S.TEXT_FIELDS:
            held = {w: ds.term_mask(name, w)[candidates] for pair in self.pairs for w in pair}
            have = {pair: candidates[held[pair[0]] & held[pair[1]]] for pair in self.pairs}
            found = pair_docs(ds.reader, name, {p: d for p, d in have.items() if len(d)}, _postings_of(ds, name),
                              ds.decoder, ds.check_time)
            for pair, docs in found.items():
                seen[pair][docs] = True
        count = np.zeros(ds.tables.size, dtype=np.int16)
        for pair in self.pairs:
            count += seen[pair]
        return count


def _postings_of(docsets: DocSets, field: str) -> Callable[[str], np.ndarray]:
    return lambda word: docsets.postings(field, word)[0]


def boosts_for(plan: WordPlan, parsed: ParsedQuery, tables: IndexTables, docsets: DocSets,
               verbatim: np.ndarray | None = None) -> Boosts | None:
    terms = [t for _, q in parsed.plain for t in (word_terms(q) or ())]
    pairs = frozenset(list(dict.fromkeys(p for p in zip(terms, terms[1:]) if p[0] != p[1]))[:PROXIMITY_PAIRS]
                      if len(terms) >= PROXIMITY_MIN_WORDS else ())
    names = name_bonus(plan, tables)
    if verbatim is not None and not verbatim.any():
        verbatim = None
    return Boosts(names, pairs, docsets, verbatim) if names is not None or pairs or verbatim is not None else None


def suggest_filters(plan: WordPlan, tables: IndexTables, final: np.ndarray, selected: dict[str, tuple[str, ...]]
                    ) -> tuple[SuggestedFilter, ...]:
    """The values the query's names matched, as filters to offer: not already selected, held by some result."""
    out = []
    for slot in plan.slots:
        for match in slot.names:
            for value in match.values[:SUGGESTED_PER_NAME]:
                if value in selected.get(match.facet, ()):
                    continue
                count = int((final & values_mask(tables, match.facet, [value])).sum())
                if count:
                    out.append(SuggestedFilter(match.facet, value, count))
    return tuple(out[:SUGGESTED_FILTERS])


def plan_notices(plan: WordPlan) -> list[str]:
    """What the search tips call expansions: names matched as fields, synonyms, optional words."""
    out = []
    for slot in plan.slots:
        for match in slot.names:
            shown = ", ".join(match.values[:3]) + (" …" if len(match.values) > 3 else "")
            out.append(f"“{slot.surface}” also matched the {match.facet}: {shown}.")
        if slot.expansions:
            out.append(f"“{slot.surface}” also searched as: {', '.join(slot.expansions)} (ranked lower).")
    if plan.fillers:
        out.append("Not required (no topic): " + ", ".join(f.surface for f in plan.fillers) + ".")
    return out
