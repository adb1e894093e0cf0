"""Search stage: did-you-mean: rare query words replaced by the closest, much more frequent indexed word.

Candidates come from the generation's vocabulary (one field's index terms, grouped by first letter, read
once) ranked by RapidFuzz's optimal-string-alignment distance, which is Whoosh's damerau_levenshtein
computed in C: Whoosh's own corrector walks the whole term list in Python (about 60 ms a word).
Suggestions are shown in a written form found in the texts, never as a bare stem.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as Q

from ..analysis import TOKEN_RE, fold_word, term_for_token
from ..index import schema as S
from .querying import SCOPE_FIELDS, ParsedQuery

RARE_WORD_DOCS = 3      # words in at most this many turns are looked at ...
SUGGEST_FACTOR = 20     # ... and replaced by a word found in this many times more turns
MAX_DISTANCE = 2        # edits between the typed stem and a candidate
CANDIDATES = 8          # closest stems considered per word
SUGGEST_TRIES = 4       # of those, how many have their written forms looked up
SURFACE_DOCS = 3        # turns read to find how a stem is written


class Speller:
    """Did-you-mean over one open generation (not thread-safe: the SearchService lock guards it)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._by_initial: dict[str, dict[str, list[str]]] = {}   # field -> first letter -> terms

    def near(self, field: str, stem: str) -> list[str]:
        """Indexed terms within MAX_DISTANCE of `stem` with its first letter, closest and most frequent first."""
        if field not in self._by_initial:
            groups: dict[str, list[str]] = {}
            for raw in self.reader.lexicon(field):
                term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                groups.setdefault(term[:1], []).append(term)
            self._by_initial[field] = groups
        pool = self._by_initial[field].get(stem[:1], [])
        close = process.extract(stem, pool, scorer=OSA.distance, score_cutoff=MAX_DISTANCE, limit=None)
        freq = self.reader.doc_frequency
        ranked = sorted((dist, -freq(field, term), term) for term, dist, _ in close if term != stem)
        return [term for _, _, term in ranked[:CANDIDATES]]

    def suggest(self, parsed: ParsedQuery, scope: str, over_budget: Callable[[], bool]) -> tuple[str | None, bool]:
        """The query with each rare word replaced by the closest frequent indexed word (None when nothing
        changes); and whether the time budget cut it short (words left when it ran out are kept as typed)."""
        fields = [f for f in (S.ANSWER, S.QUESTION) if f in SCOPE_FIELDS[scope]]
        reader = self.reader
        vocabulary = fields[:1]   # answers hold nearly every word; one field halves the work
        spans: dict[tuple[int, int], list[Any]] = {}
        if parsed.query is None:
            return None, False
        for leaf in parsed.query.leaves():
            if isinstance(leaf, Q.Term) and leaf.fieldname in fields and getattr(leaf, "startchar", None) is not None:
                spans.setdefault((leaf.startchar, leaf.endchar), []).append(leaf)
        text, changed = parsed.text, False
        for (start, end), leaves in sorted(spans.items(), reverse=True):
            if over_budget():
                return (text if changed else None), True
            known = max(reader.doc_frequency(leaf.fieldname, leaf.text) for leaf in leaves)
            if known > RARE_WORD_DOCS:
                continue
            word = fold_word(text[start:end])
            best: tuple[int, int, str] | None = None
            for field in vocabulary:
                stem = leaves[0].text
                found = set(self.near(field, stem))
                found.update(word[:k] for k in range(len(word) - 1, max(2, len(word) - 5), -1))  # presidnet: presid
                ranked = sorted((OSA.distance(cand, stem), -reader.doc_frequency(field, cand), cand)
                                for cand in found if cand != stem)
                for _, negdf, cand in [r for r in ranked if -r[1] > known * SUGGEST_FACTOR][:SUGGEST_TRIES]:
                    surface = self.surface_form(field, cand, word)
                    dist = OSA.distance(surface, word) if surface else 99
                    if surface and dist <= MAX_DISTANCE and (best is None or (dist, negdf) < best[:2]):
                        best = (dist, negdf, surface)
            if best and best[2] != word:
                text, changed = text[:start] + best[2] + text[end:], True
        return (text if changed else None), False

    def surface_form(self, field: str, term: str, near: str) -> str | None:
        """A word as written in the texts whose index term is `term` (stems are not for reading), closest to `near`."""
        forms: set[str] = set()
        for n, docnum in enumerate(self.reader.postings(field, term).all_ids()):
            if n >= SURFACE_DOCS:
                break
            stored = self.searcher.stored_fields(docnum)
            for text in (stored.get(S.QUESTION, ""), stored.get(S.ANSWER, "")):
                forms.update(fold_word(m.group()) for m in TOKEN_RE.finditer(text) if term_for_token(m.group()) == term)
        return min(forms, key=lambda f: (OSA.distance(f, near), -SequenceMatcher(None, f, near).ratio(), f)) \
            if forms else None
