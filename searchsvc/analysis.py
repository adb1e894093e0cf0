"""Analysis stage: the tokenizer, NLTK stemming and stop words shared by indexing, querying and highlighting.

Whoosh pickles the schema (analyzers included) into the index, so everything here lives at a
stable import path, holds no unpicklable state, and creates NLTK objects lazily.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.support.charset import accent_map

# One token per match, tried in this order:
#   numbers with decimals or thousands separators: 13.8 (of 13.8%), 2.042, 1,000
#   dotted acronyms: U.S., U.N., e.g.
#   words, with apostrophes inside: China's, don't, 5G, COVID
# that is r"\d+(?:[.,]\d+)+|(?:[^\W\d_]\.){2,}|\w+(?:['\u2019]\w+)*", written with lookaheads that skip a
# branch at once when its first characters cannot match and possessive repeats (nothing after them could
# match what they would give back): the same tokens, about a fifth faster (tests/test_analysis.py).
TOKEN_PATTERN = r"(?=\d)\d++(?:[.,]\d++)++|(?=[^\W\d_]\.)(?:[^\W\d_]\.){2,}|\w++(?:['\u2019]\w++)*+"
TOKEN_RE = re.compile(TOKEN_PATTERN)

# Lowercased text -> folded text: accents removed (whoosh accent_map), typographic apostrophe -> "'".
FOLD_MAP = {**accent_map, ord("\u2019"): "'", ord("\u2018"): "'"}

_THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")
STEM_CACHE_SIZE = 200_000


@lru_cache(maxsize=1)
def load_stop_words() -> frozenset[str]:
    """The shipped English stop word list (searchsvc/data/stopwords_en.txt)."""
    text = resources.files("searchsvc").joinpath("data/stopwords_en.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _snowball() -> Any:
    from .snowball import snowball_stemmer_class  # lazily: it reads NLTK's files

    return snowball_stemmer_class()("english")


def load_stemmer() -> None:
    """Import NLTK's stemmer and build it now: done once before forking index writer processes, so that
    each of them does not import it again."""
    _snowball()
    load_stop_words()


def stem_word(word: str) -> str:
    """NLTK Snowball (English) stem of a lowercased word; numbers and acronyms are kept as they are.
    Not memoised itself: its callers are (term_for_token, the analyzers' term caches), so a memo here answered
    about one call in seven in a search worker and held 20,000 folded words (~3 MB) after the benchmark."""
    if not word or word[0].isdigit() or "." in word:
        return word
    stem: str = _snowball().stem(word)
    return stem


def normalize_token_text(text: str) -> str:
    """Canonical form of a lowercased, folded token: '1,000' -> '1000', 'u.s.' -> 'u.s'."""
    if text[0].isdigit():
        return _THOUSANDS.sub("", text) if "," in text else text
    if text.endswith("."):
        return text[:-1]
    return text


class ContractionStopFilter(Filter):
    """Drops contracted stop words ("what's", "they'll") that a plain stop list misses."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            if "'" in t.text and is_stop_word(t.text):
                if t.removestops:
                    continue
                t.stopped = True
            yield t


class NormalizeFilter(Filter):
    """Whoosh filter applying normalize_token_text (thousands separators, acronym dots)."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if text and (text[0].isdigit() or text[-1] == "."):
                t.text = normalize_token_text(text)
            yield t


class _TermCache(dict[str, str]):
    """raw token -> index term ("" for stop words), filled on demand: a dict lookup per token instead of a
    call through term_for_token's LRU cache (the indexer maps every token of the corpus)."""

    def __missing__(self, raw: str) -> str:
        term = term_for_token(raw) or ""
        if len(self) < STEM_CACHE_SIZE:
            self[raw] = term
        return term


class TermTokenizer(RegexTokenizer):
    """The question/answer analyzer in one stage: TOKEN_PATTERN tokens -> index terms (term_for_token).

    Equivalent to RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP) |
    NormalizeFilter() | StopFilter(stop words, minsize=1) | StemFilter(stem_word) (see build_filter_chain),
    but each distinct surface word is analysed once (LRU cache) instead of passing every token through
    five generators: indexing the corpus is about three times faster. Positions skip stop words.
    """

    def __init__(self, expression: str = TOKEN_PATTERN) -> None:
        super().__init__(expression)

    def terms(self, value: str) -> list[str]:
        """Index terms of a text in order (stop words dropped): the fast path the indexer uses."""
        return self.terms_of_tokens(self.expression.findall(value))

    def terms_of_tokens(self, tokens: list[str]) -> list[str]:
        """terms() of a text whose raw tokens (TOKEN_RE.findall) are given: the indexer finds them once for the
        stemmed and the exact field of the same text."""
        cache = self.__dict__.get("_terms")
        if cache is None:
            cache = self._terms = _TermCache()
        return list(filter(None, map(cache.__getitem__, tokens)))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_terms", None)    # a cache, not part of the analyzer pickled into the index schema
        return state

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = term_for_token(value) or fold_word(value)
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for match in self.expression.finditer(value):
            raw = match.group()
            term = term_for_token(raw)
            if term is None:
                if removestops:
                    continue
                t.stopped, t.text = True, fold_word(raw)
            else:
                t.stopped, t.text = False, term
            t.boost = 1.0
            if keeporiginal:
                t.original = raw
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            yield t


class _FoldCache(dict[str, str]):
    """raw token -> folded word (fold_word), "" for a stop word; filled on demand (the exact analyzer maps every
    token of the corpus)."""

    def __missing__(self, raw: str) -> str:
        word = fold_word(raw)
        word = "" if is_stop_word(word) else word
        if len(self) < STEM_CACHE_SIZE:
            self[raw] = word
        return word


class ExactTokenizer(RegexTokenizer):
    """The analyzer of the exact-wording fields (question_exact, answer_exact): TOKEN_PATTERN tokens, lowercased,
    folded and normalized (fold_word), not stemmed, so quoted phrases match the words as written ("summer
    campaigns"). Stop words get no postings (they would double the cost of the field) but keep their
    positions: "people to people" is "people" at p and p + 2, its "to" checked in the text (search/exact.py)."""

    def __init__(self, expression: str = TOKEN_PATTERN) -> None:
        super().__init__(expression)

    def terms(self, value: str) -> list[str]:
        """Folded words of a text in order, "" for each stop word (a position without a posting): the fast path
        the indexer uses (TermPositions skips the empty terms)."""
        return self.terms_of_tokens(self.expression.findall(value))

    def terms_of_tokens(self, tokens: list[str]) -> list[str]:
        """terms() of a text whose raw tokens (TOKEN_RE.findall) are given (see TermTokenizer.terms_of_tokens)."""
        cache = self.__dict__.get("_words")
        if cache is None:
            cache = self._words = _FoldCache()
        return list(map(cache.__getitem__, tokens))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_words", None)    # a cache, not part of the analyzer pickled into the index schema
        return state

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = [(0, len(value), value)] if not tokenize else (
            (m.start(), m.end(), m.group()) for m in self.expression.finditer(value))
        for pos, (start, end, raw) in enumerate(matches, start_pos):
            t.text, t.boost = fold_word(raw) if raw else raw, 1.0
            t.stopped = bool(t.text) and is_stop_word(t.text)
            if t.stopped and removestops:
                continue
            if keeporiginal:
                t.original = raw
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def exact_words(text: str) -> list[str]:
    """The words of a text as the exact-wording fields index them (folded, unstemmed, stop words kept)."""
    return [fold_word(raw) for raw in TOKEN_RE.findall(text)]


def build_filter_chain() -> Any:
    """The same analysis as TermTokenizer spelled out as a Whoosh filter chain (reference and tests)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(FOLD_MAP)
        | NormalizeFilter()
        | StopFilter(stoplist=load_stop_words(), minsize=1)
        | ContractionStopFilter()
        | StemFilter(stemfn=stem_word, cachesize=None)
    )


def build_text_analyzer() -> TermTokenizer:
    """Analyzer for question/answer text: tokenize, lowercase, fold accents, normalize, drop stop words, stem."""
    return TermTokenizer()


def build_exact_analyzer() -> ExactTokenizer:
    """Analyzer for the exact-wording fields: tokenize, lowercase, fold accents, normalize; no stemming (stop words
    keep their positions, without postings)."""
    return ExactTokenizer()


def build_name_analyzer() -> Any:
    """Analyzer for names (speaker, outlet) searched with `speaker:` / `outlet:`: no stop words, no stemming."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(FOLD_MAP) | NormalizeFilter()


def fold_word(raw: str) -> str:
    """Lowercase, fold and normalize one raw token, without stemming (what the spelling field keeps)."""
    return normalize_token_text(raw.lower().translate(FOLD_MAP))


CONTRACTIONS = frozenset({"s", "re", "ll", "ve", "d", "m", "t"})


def is_stop_word(text: str) -> bool:
    """A folded token that carries no meaning: a listed stop word or one contracted ("what's", "we'll")."""
    stops = load_stop_words()
    if text in stops:
        return True
    head, apostrophe, tail = text.partition("'")
    return bool(apostrophe) and tail in CONTRACTIONS and head in stops


@lru_cache(maxsize=STEM_CACHE_SIZE)
def term_for_token(raw: str) -> str | None:
    """The index term of one raw token as TOKEN_RE found it (None for stop words): same steps as the analyzer."""
    text = fold_word(raw)
    if not text or is_stop_word(text):
        return None
    return stem_word(text)


def analyze_terms(text: str) -> list[str]:
    """Index terms of a text, in order (stop words dropped)."""
    terms = []
    for m in TOKEN_RE.finditer(text):
        term = term_for_token(m.group())
        if term is not None:
            terms.append(term)
    return terms


def iter_token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, raw) of every token in a text, as the analyzer sees them."""
    for m in TOKEN_RE.finditer(text):
        yield m.start(), m.end(), m.group()
