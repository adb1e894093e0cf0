"""Insights stage (run at index time): answers that decline to answer ("deflections"), found by the shipped list of
patterns in searchsvc/data/deflections_en.txt together with the answer's length and what follows the match.

An answer is a deflection when one of its sentences matches a pattern ("I'm not aware of the specifics", "I'd
refer you to the competent authorities", "I don't have anything for you on that", "I'm not going to get ahead of
the President") and either the whole answer is short, or the match opens the answer and little follows it. A long
answer that only hedges on the way (a match late in it, or much text after it) is substantive. The index stores
the name of the pattern that matched (`index.schema.turn_to_document` calls `deflection_mark`). Imports only the
standard library and models, so the index stage may call it without loading search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ..models import KIND_QA, Turn

PATTERNS_PATH = Path(__file__).resolve().parents[1] / "data" / "deflections_en.txt"
SHORT_WORDS = 80          # an answer of at most this many words with a matching sentence is a deflection
OPENING_WORDS = 25        # a longer one too when the matching sentence starts within its first words ...
FOLLOW_WORDS = 120        # ... and at most this many words follow that sentence
ANSWER_DEFLECTION, ANSWER_SUBSTANTIVE = "deflection", "substantive"   # the values of the `answer` filter

_SENTENCE_END = re.compile(r"(?<=[.?!])[\"')\]]*\s+(?=[\"'(\[—–-]*[A-Z0-9])")
_STUTTER = re.compile(r"\b((?:\w++ ){0,2}\w++)(?: —)+ \1\b", re.IGNORECASE)   # spoken repeats: "go into — into"
# (possessive words: a word given back could only end before a word character, never before the " —")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "—"})
_QUOTE_PAIRS = tuple((chr(k), v) for k, v in _QUOTES.items() if v != chr(k))   # no target is also a source
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")         # a word character outside ASCII (é, ğ, 中 ...)
_COMMON_NON_WORD = ("—", "–", "…")                        # non-ASCII characters normalised answers often hold


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern[str]


@dataclass(frozen=True, eq=False)
class DeflectionRules:
    patterns: tuple[Pattern, ...]
    short_words: int = SHORT_WORDS
    opening_words: int = OPENING_WORDS
    follow_words: int = FOLLOW_WORDS

    @cached_property
    def combined(self) -> re.Pattern[str]:
        """Every pattern, lower-cased, in one non-capturing alternation matched on lower-cased text: one pass
        finds whether any pattern matches (about 6x faster than one case-insensitive search per pattern;
        capturing groups would lose most of that)."""
        return re.compile("|".join(f"(?:{p.regex.pattern.lower()})" for p in self.patterns))

    @cached_property
    def _dfa(self) -> Any | None:
        """`combined` compiled by RE2 (google-re2: a DFA, one pass over the text whatever the number of patterns,
        about 8x faster here), or None when RE2 cannot read it (lookarounds, back references, possessive repeats,
        `{,n}`, which RE2 reads as text): then Python's re alone is used."""
        pattern = self.combined.pattern
        if "{," in pattern:
            return None
        import re2  # google-re2

        options = re2.Options()
        options.log_errors = False
        try:
            return re2.compile(pattern, options)
        except re2.error:
            return None

    def search_start(self, lowered: str) -> int | None:
        """Where the leftmost match of any pattern starts in a normalised, lower-cased text (what
        `combined.search(lowered).start()` gives), or None. RE2 answers it for texts without non-ASCII word
        characters: there its ASCII word characters and boundaries are Python's, a normalised text holds no white
        space but single spaces (where the engines' classes differ too), and both engines give the leftmost start
        at which some match exists. Python's re answers the others."""
        dfa = self._dfa
        found = (dfa if dfa is not None and _ascii_words(lowered) else self.combined).search(lowered)
        return None if found is None else int(found.start())

    def first_match(self, text: str) -> str | None:
        """Name of the first pattern (in file order) matching `text`, or None."""
        if self.combined.search(text.lower()) is None:
            return None
        return next((p.name for p in self.patterns if p.regex.search(text)), None)


@dataclass(frozen=True)
class Deflection:
    pattern: str              # name of the pattern that matched
    sentence: str             # the matching sentence
    words: int                # words in the answer
    words_after: int          # words after the matching sentence


def _ascii_words(text: str) -> bool:
    """True when every word character of the text is ASCII (str.isascii first: most texts)."""
    if text.isascii():
        return True
    stripped = text
    for char in _COMMON_NON_WORD:
        stripped = stripped.replace(char, "")
    return stripped.isascii() or _NON_ASCII_WORD.search(text) is None


def parse_patterns(text: str, source: str = "patterns") -> tuple[Pattern, ...]:
    """`name: regex` lines (# comments, blank lines ignored); ValueError naming the line of a bad one."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, rx = line.partition(":")
        if not sep or not re.fullmatch(r"[a-z0-9-]+", name.strip()) or not rx.strip():
            raise ValueError(f"{source}:{number}: expected `name: regular expression`, got {line[:60]!r}")
        if re.search(r"\\[SWDBAZNPGUX]", rx):
            raise ValueError(f"{source}:{number}: patterns are matched lower-cased: "
                             "no upper-case escapes (\\S, \\W ...)")
        try:
            found.append(Pattern(name.strip(), re.compile(rx.strip(), re.IGNORECASE)))
        except re.error as exc:
            raise ValueError(f"{source}:{number}: bad regular expression: {exc}") from None
    return tuple(found)


def load_rules(path: Path = PATTERNS_PATH) -> DeflectionRules:
    return DeflectionRules(parse_patterns(path.read_text(encoding="utf-8"), str(path)))


@lru_cache(maxsize=1)
def default_rules() -> DeflectionRules:
    """The shipped rules, read once per process."""
    return load_rules()


def normalise(text: str) -> str:
    """Straight apostrophes and quotes, single spaces, spoken repeats ("into — into") once: what the patterns are
    written against."""
    if not text.isascii():             # every character _QUOTES changes is non-ASCII
        for src, dst in _QUOTE_PAIRS:      # str.replace per pair: as translate, without a lookup per character
            text = text.replace(src, dst)
    text = " ".join(text.split())
    return _unstutter(text) if "—" in text else text


def _unstutter(text: str) -> str:
    """_STUTTER.sub(r"\1", text) on a normalised text (single spaces), trying the regex only around each run of
    " —": a match starts at most three words before its run and its copy is no longer after it (the regex over
    the whole text tries every word: most of an answer's indexing time). The same matches, left to right."""
    out: list[str] = []
    pos = 0
    i = text.find(" —")
    while i >= 0:
        j = i + 2
        while text.startswith(" —", j):
            j += 2
        start = i
        for _ in range(3):                      # the start of the third word before the run (not before pos)
            start = max(pos, text.rfind(" ", 0, start - 1) + 1) if start > pos else pos
        end = min(len(text), j + 2 + i - start)      # past the longest copy, so that its closing \b is real
        m = _STUTTER.search(text, start, end)
        if m is not None and m.start() < i and (m.end() < end or end == len(text)):
            out += (text[pos:m.start()], m.group(1))
            pos = m.end()
            i = text.find(" —", pos)
        else:
            i = text.find(" —", j)
    return "".join(out) + text[pos:] if out else text


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def find_deflection(answer: str, rules: DeflectionRules | None = None) -> Deflection | None:
    """The deflection in an answer, or None when it is substantive (or empty)."""
    rules = rules or default_rules()
    text = normalise(answer)
    first = rules.search_start(text.lower())         # most answers: one pass (RE2) and done
    if first is None:
        return None
    parts = sentences(text)
    lengths = [len(s.split()) for s in parts]
    total = sum(lengths)
    i = _sentence_at(parts, first)                   # the first sentence holding a match
    name = rules.first_match(parts[i])
    if name is None:                                  # the match ran across sentences: look sentence by sentence
        i = next((k for k, part in enumerate(parts) if rules.first_match(part)), -1)
        if i < 0:
            return None
        name = rules.first_match(parts[i])
    before = sum(lengths[:i])
    after = total - before - lengths[i]
    if total <= rules.short_words or (before <= rules.opening_words and after <= rules.follow_words):
        return Deflection(name or "", parts[i], total, after)
    return None      # the first hedge is followed by an answer: substantive


def _sentence_at(parts: list[str], offset: int) -> int:
    """Index of the sentence of `parts` (split from one text by _SENTENCE_END) holding character `offset`."""
    end = 0
    for i, part in enumerate(parts):
        end += len(part) + 1          # sentences are joined by one space in normalised text
        if offset < end:
            return i
    return len(parts) - 1


def deflection_mark(turn: Turn, rules: DeflectionRules | None = None) -> str:
    """What the index stores for a turn: the matching pattern's name, "" for none (and for turns that are not
    answers to a question)."""
    if turn.kind != KIND_QA or not turn.answer.strip():
        return ""
    found = find_deflection(turn.answer, rules)
    return found.pattern if found else ""


def answer_type(turn: Turn, mark: str) -> str:
    """The `answer` filter's value of a turn: deflection, substantive, or "" (no answer to a question)."""
    if turn.kind != KIND_QA or not turn.answer.strip():
        return ""
    return ANSWER_DEFLECTION if mark else ANSWER_SUBSTANTIVE
