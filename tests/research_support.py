"""Brute-force counts for the research tests (trends, concordance): every live turn's stored text read and
tokenized here, independently of the index's postings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from searchsvc.analysis import TOKEN_RE, term_for_token
from searchsvc.index import schema as S


@dataclass(frozen=True)
class StoredTurn:
    id: str
    day: date
    speakers: tuple[str, ...]
    outlet: str
    question: str
    answer: str


def read_turns(service) -> list[StoredTurn]:
    """Every live turn of the service's current generation, from its stored fields."""
    with service.snapshot() as snap:
        gen = snap.generation
        out = []
        for d in snap.tables.live.nonzero()[0].tolist():
            f = gen.stored(d)
            speakers = tuple(s for s in f.get(S.SPEAKER, "").split(",") if s)
            out.append(StoredTurn(f[S.ID_FIELD], f[S.DATE].date(), speakers,
                                  f.get(S.OUTLET, ""), f.get(S.QUESTION, ""), f.get(S.ANSWER, "")))
        return out


def word_count(text: str, word: str) -> int:
    """Tokens of `text` with the index term of `word` (stems: 'sanctions' counts 'sanctioned')."""
    stem = term_for_token(word)
    return sum(1 for raw in TOKEN_RE.findall(text) if term_for_token(raw) == stem)


def phrase_pattern(phrase: str) -> re.Pattern:
    """The words of `phrase` as written (case aside), separated by anything but word characters."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w'\u2019])" + r"[^\w'\u2019]+".join(words) + r"(?!\w|['\u2019]\w)", re.IGNORECASE)


def occurrences(turn: StoredTurn, q: str) -> int:
    """Occurrences of a single word (stemmed) or a "quoted phrase" (as written) in a turn's question and answer."""
    if q.startswith('"'):
        pattern = phrase_pattern(q.strip('"'))
        return len(pattern.findall(turn.question)) + len(pattern.findall(turn.answer))
    return word_count(turn.question, q) + word_count(turn.answer, q)


def matching(turns: list[StoredTurn], q: str) -> list[StoredTurn]:
    return [t for t in turns if occurrences(t, q)]


def per_key(turns, key) -> Counter:
    return Counter(key(t.day) for t in turns)
