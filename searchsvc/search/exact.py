"""Search stage: exact wording: text in quotes ("summer campaigns", 'one China') searched as written.

Quoted text becomes a Phrase (or, for one word, a Term) over the exact-wording fields of the index
(question_exact, answer_exact: every word folded and lowercased, neither stemmed nor dropped as a stop word),
so "summer campaigns" does not find "summer campaign" and "people to people" needs its "to". Bare words
keep stemming. Ranking scores the quoted words' stems in the stemmed fields (the exact fields keep no
lengths); highlights mark the quoted words where they stand together (highlight.find_phrase_matches).
An index built before the exact fields existed matches quoted text on stems, as it used to.
"""

from __future__ import annotations

from whoosh import query as Q
from whoosh.qparser import plugins as P
from whoosh.qparser.syntax import attach

from ..analysis import TOKEN_RE, fold_word, term_for_token
from ..index import schema as S

BASE_FIELD = {exact: base for base, exact in S.EXACT_FIELDS.items()}   # exact-wording field -> text field


class ExactNode(P.PhrasePlugin.PhraseNode):
    """Quoted text: a query over the exact-wording field of the node's text field."""

    def query(self, parser):
        fieldname = self.fieldname or parser.fieldname
        exact = S.EXACT_FIELDS.get(fieldname)
        if exact is None or parser.schema is None or exact not in parser.schema:
            return super().query(parser)          # another field, or an index without exact fields
        words, ranges = [], []
        for m in TOKEN_RE.finditer(self.text):
            words.append(fold_word(m.group()))
            ranges.append((self.textstartchar + m.start(), self.textstartchar + m.end()))
        if not words:
            return attach(Q.NullQuery, self)
        if len(words) == 1:
            q = Q.Term(exact, words[0], boost=self.boost)
            q.startchar, q.endchar = ranges[0]
        else:
            q = Q.Phrase(exact, words, slop=self.slop, boost=self.boost, char_ranges=ranges)
        return attach(q, self)


class ExactPhrasePlugin(P.PhrasePlugin):
    """PhrasePlugin whose "quoted text" (with an optional ~slop) is matched word for word."""

    class PhraseTagger(P.RegexTagger):
        def create(self, parser, match):
            slop = match.group("slop")
            return ExactNode(match.group("text"), match.start("text"), int(slop) if slop else 1)

    def taggers(self, parser):
        return [(self.PhraseTagger(self.expr), 0)]


class ExactQuotePlugin(P.TaggingPlugin):
    """'Single quoted' text, matched word for word like double quotes (SingleQuotePlugin's expression)."""

    expr = P.SingleQuotePlugin.expr
    priority = 0

    def create(self, parser, match):
        return ExactNode(match.group("text"), match.start("text"), 1)


def exact_plugins() -> list:
    """The parser plugins for quoted text (in place of SingleQuotePlugin and PhrasePlugin)."""
    return [ExactQuotePlugin(), ExactPhrasePlugin()]


def is_exact(node: Q.Query) -> bool:
    """A Term or Phrase over an exact-wording field."""
    return isinstance(node, (Q.Term, Q.Phrase)) and node.fieldname in BASE_FIELD


def exact_words(node: Q.Query) -> tuple[str, ...]:
    """The folded words of an exact Term or Phrase, in order."""
    return (node.text,) if isinstance(node, Q.Term) else tuple(node.words)


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
