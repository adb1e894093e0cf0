"""Search stage: exact wording: text in quotes ("summer campaigns", 'one China') searched as written.

Quoted text becomes a Phrase (or, for one word, a Term) over the exact-wording fields of the index
(question_exact, answer_exact: every word folded and lowercased, not stemmed), so "summer campaigns" does
not find "summer campaign". Bare words keep stemming. Stop words have positions but no postings in those
fields: a phrase with stop words ("people to people") is matched on its other words at their distances
(ExactPhrase) and then checked in the stored text. Ranking scores the quoted words' stems in the stemmed
fields (the exact fields keep no lengths); highlights mark the quoted words where they stand together
(highlight.find_phrase_matches). An index built before the exact fields existed matches quoted text on
stems, as it used to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.qparser import plugins as P
from whoosh.qparser.syntax import attach

from ..analysis import TOKEN_RE, fold_word, is_stop_word, term_for_token
from ..index import schema as S
from .highlight import find_phrase_matches

VERIFY_CHECK_EVERY = 256     # turns whose text is read between two time-budget checks

BASE_FIELD = {exact: base for base, exact in S.EXACT_FIELDS.items()}   # exact-wording field -> text field


class ExactPhrase(Q.Phrase):
    """A quoted phrase with stop words: `words` (the indexed ones) at `offsets` within the phrase, and every word
    as written in `written`. DocSets matches the indexed words at their offsets (phrases.phrase_docs) and keeps
    the turns whose stored text has the written words together (verify)."""

    def __init__(self, fieldname: str, written: list[str], boost: float = 1.0,
                 char_ranges: list[tuple[int, int]] | None = None) -> None:
        kept = [(i, w) for i, w in enumerate(written) if not is_stop_word(w)]
        super().__init__(fieldname, [w for _, w in kept], slop=1, boost=boost, char_ranges=char_ranges)
        self.offsets = [i for i, _ in kept]
        self.written = tuple(written)

    def __repr__(self) -> str:
        return f"ExactPhrase({self.fieldname!r}, {list(self.written)!r}, boost={self.boost})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.fieldname, self.written, self.boost) == (
            other.fieldname, other.written, other.boost)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.written, self.boost))

    def normalize(self) -> Q.Query:
        return self if self.words else Q.NullQuery

    def verify(self, searcher: Any, docs: np.ndarray, check_time: Callable[[], None] = lambda: None) -> np.ndarray:
        """The docnums among `docs` whose stored text holds the written words one after another."""
        base = BASE_FIELD[self.fieldname]
        kept = []
        for n, d in enumerate(docs.tolist()):
            if n % VERIFY_CHECK_EVERY == 0:
                check_time()
            if find_phrase_matches(searcher.stored_fields(d).get(base, ""), [self.written]):
                kept.append(d)
        return np.asarray(kept, dtype=docs.dtype)


class ExactNode(P.PhrasePlugin.PhraseNode):
    """Quoted text: a query over the exact-wording field of the node's text field."""

    def query(self, parser: Any) -> Q.Query:
        fieldname = self.fieldname or parser.fieldname
        exact = S.EXACT_FIELDS.get(fieldname)
        if exact is None or parser.schema is None or exact not in parser.schema:
            return super().query(parser)          # another field, or an index without exact fields
        words, ranges = [], []
        for m in TOKEN_RE.finditer(self.text):
            words.append(fold_word(m.group()))
            ranges.append((self.textstartchar + m.start(), self.textstartchar + m.end()))
        content = [k for k, w in enumerate(words) if not is_stop_word(w)]
        if not content:                            # only stop words: nothing indexed to look for
            return attach(Q.NullQuery, self)
        if len(words) == 1:
            q = Q.Term(exact, words[0], boost=self.boost)
            q.startchar, q.endchar = ranges[0]
        elif self.slop > 1:                        # "a b"~3: the words near each other (stop words left out)
            q = Q.Phrase(exact, [words[k] for k in content], slop=self.slop, boost=self.boost,
                         char_ranges=[ranges[k] for k in content])
        elif len(content) == len(words):
            q = Q.Phrase(exact, words, boost=self.boost, char_ranges=ranges)
        else:
            q = ExactPhrase(exact, words, boost=self.boost, char_ranges=[ranges[k] for k in content])
        return attach(q, self)


class ExactPhrasePlugin(P.PhrasePlugin):
    """PhrasePlugin whose "quoted text" (with an optional ~slop) is matched word for word."""

    class PhraseTagger(P.RegexTagger):
        def create(self, parser: Any, match: re.Match[str]) -> ExactNode:
            slop = match.group("slop")
            return ExactNode(match.group("text"), match.start("text"), int(slop) if slop else 1)

    def taggers(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.PhraseTagger(self.expr), 0)]


class ExactQuotePlugin(P.TaggingPlugin):
    """'Single quoted' text, matched word for word like double quotes (SingleQuotePlugin's expression)."""

    expr = P.SingleQuotePlugin.expr
    priority = 0

    def create(self, parser: Any, match: re.Match[str]) -> ExactNode:
        return ExactNode(match.group("text"), match.start("text"), 1)


def exact_plugins() -> list[Any]:
    """The parser plugins for quoted text (in place of SingleQuotePlugin and PhrasePlugin)."""
    return [ExactQuotePlugin(), ExactPhrasePlugin()]


def is_exact(node: Q.Query) -> bool:
    """A Term or Phrase over an exact-wording field."""
    return isinstance(node, (Q.Term, Q.Phrase)) and node.fieldname in BASE_FIELD


def exact_words(node: Q.Query) -> tuple[str, ...]:
    """The folded words of an exact Term or Phrase as written, in order (stop words included)."""
    if isinstance(node, Q.Term):
        return (node.text,)
    return tuple(getattr(node, "written", node.words))


def highlight_keys(node: Q.Query) -> list[tuple[str, ...]]:
    """What highlighting marks for an exact node: its words together, or each word alone for a ~slop phrase."""
    words = exact_words(node)
    if isinstance(node, Q.Phrase) and node.slop > 1:
        return [(w,) for w in words]
    return [words]


def base_terms(node: Q.Query) -> tuple[str, list[str]]:
    """(text field, stems of the words that are not stop words): how an exact node is scored for ranking."""
    stems = [term_for_token(w) for w in exact_words(node)]
    return BASE_FIELD[node.fieldname], [t for t in stems if t]
