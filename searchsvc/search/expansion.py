"""Search stage: paraphrase: other words for a query word or phrase, from the shipped lists of this domain.

searchsvc/data/query_synonyms_en.txt (synonyms and abbreviations) and query_word_forms_en.txt (places and their
people, word families that stemming does not join: `China | Chinese`, `oppose | opponent | opposition`) hold one
group a line (`dprk | north korea | pyongyang`); each member is read as its index terms (stemmed, stop words
dropped), so `vaccination` also stands for `vaccinations`. Expansions always count below the words typed
(wordplan.EXPANSION_BOOST, wordplan.FORM_BOOST).

Related terms learned from the generation's own text at build time (index/related.py, when `index.related_terms`
is on) are the loosest: used only when few turns have every word (relaxing), ranked lowest (wordplan.RELATED_BOOST).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from ..analysis import analyze_terms
from ..index.related import RelatedTerms

MAX_MEMBER_TERMS = 4
RELATED_PER_WORD = 1         # a query word's related terms used at most (2: a speaker_topic dev query 1 -> 2)
RELATED_MIN_SIMILARITY = 0.6  # cosine of the learned vectors below which a neighbour is not used


@dataclass(frozen=True)
class Synonyms:
    """Index-term sequences -> the other members of their group (as index-term sequences, with their text)."""
    groups: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]

    @cached_property
    def longest(self) -> int:
        """The most index terms of a member (read once: every query word asks)."""
        return max((len(k) for k in self.groups), default=0)

    def others(self, terms: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
        return self.groups.get(terms, ())


@lru_cache(maxsize=1)
def load_synonyms() -> Synonyms:
    return parse_synonyms(_read("data/query_synonyms_en.txt"))


@lru_cache(maxsize=1)
def load_word_forms() -> Synonyms:
    return parse_synonyms(_read("data/query_word_forms_en.txt"))


def _read(name: str) -> str:
    return resources.files("searchsvc").joinpath(name).read_text(encoding="utf-8")


def parse_synonyms(text: str) -> Synonyms:
    """Synonyms from the list's text: a member that is only stop words is left out; the first group of a term
    wins; members right of "=>" are what the left ones also match, not keys themselves."""
    groups: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        left, arrow, right = line.partition("=>")
        keys = _members(left)
        targets = keys + [m for m in _members(right) if m[0] not in (k for k, _ in keys)]
        for terms, _ in keys:
            if terms not in groups:
                groups[terms] = tuple(m for m in targets if m[0] != terms)
    return Synonyms(groups)


def _members(text: str) -> list[tuple[tuple[str, ...], str]]:
    members: list[tuple[tuple[str, ...], str]] = []
    for raw in text.split("|"):
        terms = tuple(analyze_terms(raw.strip()))
        if terms and len(terms) <= MAX_MEMBER_TERMS and terms not in (m for m, _ in members):
            members.append((terms, raw.strip()))
    return members


def related_to(term: str, table: RelatedTerms, exclude: Collection[str], unwanted: Callable[[str], bool]
               ) -> tuple[tuple[str, str], ...]:
    """(term, word shown) of a query term's closest related terms in the generation, most similar first: not
    terms of the query (`exclude`), not words without a topic (`unwanted`)."""
    found = [(t, table.surface(t)) for t, sim in table.of(term)
             if sim >= RELATED_MIN_SIMILARITY and t not in exclude and not unwanted(t)]
    return tuple(found[:RELATED_PER_WORD])
