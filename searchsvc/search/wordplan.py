"""Search stage: the word plan of a query: slots (words, synonyms, names), fillers and the query that ranks them.

A query's plain words become slots. A slot is satisfied by its typed word(s) in the text, by a synonym
(expansion.py), or, for a name (names.py), by the turn's speaker or outlet: a name never has to be in the text.
Words that carry no topic (searchsvc/data/query_filler_en.txt) or are found in a large share of the turns are
not slots: the listed ones add a little to the score, the common ones rank like typed words (low idf already).
The turns a plan matches are in relaxing.py, what ranking adds to BM25F in boosts.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from whoosh import query as Q

from ..analysis import fold_word, term_for_token
from ..index import schema as S
from ..index.related import RelatedTerms
from .expansion import load_synonyms, load_word_forms, related_to
from .names import NameMatch, NameTable
from .querying import ParsedQuery, is_compound

# A plain word as plan_words reads it: (surface, query, its terms, its (start, end) spans in the text).
Word = tuple[str, Q.Query, "tuple[str, ...] | None", "set[tuple[int, int]]"]
FILLER_BOOST = 0.3        # words without a topic (the shipped list) still rank, a little
COMMON_BOOST = 1.0        # words optional for being in many turns rank as typed (their idf is low already)
EXPANSION_BOOST = 0.5     # synonyms and spelling alternatives rank below the typed words
FORM_BOOST = 0.25         # so do other forms of a word (query_word_forms_en.txt: China / Chinese)
RELATED_BOOST = 0.15      # and, lowest, terms learned from the generation's text (relaxing only; index/related.py)
FILLER_SHARE = 0.1        # a word in more than this share of the turns carries no topic ...
MIN_TURNS = 1000          # ... in an index of at least this many turns (shares of a tiny index mean nothing)
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
                              alternatives=[terms_query(t) for t, _ in others],
                              expansions=tuple(text for _, text in others + tuple(extra)),
                              forms=[terms_query(t) for t, _ in extra]))
            i += size_found
            continue
        surface, q, terms, _ = words[i]
        filler = filler_kind(surface, terms[0], share, size >= MIN_TURNS) if terms and len(terms) == 1 else None
        size_found, others = _synonym_at(words, i, used, forms)
        if size_found and (size_found > 1 or filler is None):
            chosen = words[i:i + size_found]
            slots.append(Slot(" ".join(w[0] for w in chosen), _all([w[1] for w in chosen]),
                              expansions=tuple(text for _, text in others),
                              forms=[terms_query(t) for t, _ in others]))
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
        slots.append(dataclasses.replace(slot, related=[terms_query((t,)) for t, _ in found],
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


def terms_query(terms: tuple[str, ...]) -> Q.Query:
    """All of these index terms, each over the text fields at their boosts."""
    words = [Q.Or([Q.Term(f, t, boost=S.FIELD_BOOSTS[f]) for f in S.TEXT_FIELDS]) for t in terms]
    return words[0] if len(words) == 1 else Q.And(words)


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
