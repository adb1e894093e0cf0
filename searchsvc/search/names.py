"""Search stage: names in a query: words that name a speaker or an outlet of the index (its own facet values).

A name has several forms: `Jen Psaki`, `Psaki`, `MS. PSAKI`; `Zhao Lijian`, `Zhao`; `The Paper`; `AFP`.
Forms are the folded tokens of a value without titles (searchsvc/data/name_titles_en.txt), and each single
token of it that is rare in the transcripts' text (a word used everywhere, like `young` or `paper`, would
name someone in every query); plus the shipped aliases (searchsvc/data/name_aliases_en.txt: `ABC`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..analysis import TOKEN_RE, fold_word, is_stop_word, term_for_token

NAME_FACETS = ("speaker", "outlet")
MAX_FORM_TOKENS = 5
RARE_IN_TEXT = 0.004     # a single-token form must be in at most this share of the turns' text
CHECKED_VALUES_FROM = 1000   # turns from which one-word values are checked too
MIN_FORM_CHARS = 3


@dataclass(frozen=True)
class NameMatch:
    """Query words (characters start:end of the query) that name facet values."""
    facet: str
    values: tuple[str, ...]
    start: int
    end: int
    surface: str


@lru_cache(maxsize=1)
def load_titles() -> frozenset[str]:
    return frozenset(_data_lines("name_titles_en.txt"))


@lru_cache(maxsize=1)
def load_aliases() -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in _data_lines("name_aliases_en.txt"):
        alias, _, value = line.partition("=")
        if alias.strip() and value.strip():
            pairs.append((alias.strip(), value.strip()))
    return tuple(pairs)


def _data_lines(name: str) -> list[str]:
    text = resources.files("searchsvc").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]


def fold_tokens(text: str) -> tuple[str, ...]:
    return tuple(fold_word(m.group()) for m in TOKEN_RE.finditer(text))


class NameTable:
    """Forms -> (facet, value) over one generation's facet values. `text_share(term)` is the share of turns
    whose text holds an index term (to keep common words from naming anyone)."""

    def __init__(self, values: dict[str, list[str]], text_share: Callable[[str], float], size: int) -> None:
        titles = load_titles()
        forms: dict[tuple[str, ...], set[tuple[str, str]]] = {}
        known = {facet: set(values.get(facet, ())) for facet in NAME_FACETS}
        for facet in NAME_FACETS:
            for value in values.get(facet, ()):
                for form in _forms(value, facet, titles, text_share, size >= CHECKED_VALUES_FROM):
                    forms.setdefault(form, set()).add((facet, value))
        for alias, value in load_aliases():
            for facet in NAME_FACETS:
                if value in known[facet]:
                    forms.setdefault(fold_tokens(alias), set()).add((facet, value))
        self.forms = {form: tuple(sorted(found)) for form, found in forms.items() if form}

    def find(self, text: str, allowed: Callable[[int, int], bool]) -> list[NameMatch]:
        """Longest forms first, left to right, over the query's tokens whose spans `allowed(start, end)` accepts
        (plain words: not inside quotes or a field)."""
        tokens = [(m.start(), m.end(), fold_word(m.group())) for m in TOKEN_RE.finditer(text)]
        titles = load_titles()
        out, i = [], 0
        while i < len(tokens):
            found = self._longest(tokens, i, titles, allowed)
            if found is None:
                i += 1
                continue
            end_token, values = found
            start, end = tokens[i][0], tokens[end_token - 1][1]
            for facet in NAME_FACETS:
                chosen = tuple(v for f, v in values if f == facet)
                if chosen:
                    out.append(NameMatch(facet, chosen, start, end, text[start:end]))
            i = end_token
        return out


    def _longest(self, tokens: list[tuple[int, int, str]], i: int, titles: frozenset[str],
                 allowed: Callable[[int, int], bool]) -> tuple[int, tuple[tuple[str, str], ...]] | None:
        """(index after the last token, values) of the longest form starting at token i, or after up to two
        titles there (`MS. PSAKI`, `Dr. Fauci`); None when none starts there."""
        first = i
        while first < len(tokens) and tokens[first][2] in titles and first - i < 2:
            first += 1
        for begin in dict.fromkeys((i, first)):
            for size in range(min(MAX_FORM_TOKENS, len(tokens) - begin), 0, -1):
                found = self.forms.get(tuple(t for _, _, t in tokens[begin:begin + size]))
                if found and all(allowed(s, e) for s, e, _ in tokens[i:begin + size]):
                    return begin + size, found
        return None


def _forms(value: str, facet: str, titles: frozenset[str], text_share: Callable[[str], float],
           check_values: bool) -> set[tuple[str, ...]]:
    """A value's name forms; `check_values`: even a one-word value must be rare in the text (in a large index,
    where a stray value such as `Share` would otherwise name an outlet in every query)."""
    tokens = fold_tokens(value)
    core = tuple(t for t in tokens if t not in titles)
    if not core:                      # a role ("The President", "Moderator"): not a name
        return set()
    forms = {tokens, core}
    if tokens[0] == "the":
        forms.add(tokens[1:])
    if facet == "speaker":            # surnames: `Jean-Pierre` of Karine Jean-Pierre
        forms |= {core[k:] for k in range(1, len(core) - 1)}
    singles = [t for t in core if len(core) > 1 or len(tokens) > 1 or check_values]
    for token in singles:
        if len(token) >= MIN_FORM_CHARS and not is_stop_word(token) and not token.isdigit():
            term = term_for_token(token)
            if term is not None and text_share(term) <= RARE_IN_TEXT:
                forms.add((token,))
            elif len(core) == 1 and check_values:     # `The Paper`: `the paper` names it, `paper` does not
                forms.discard(core)
    return {f for f in forms if f}
