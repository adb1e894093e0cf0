"""Search stage: a sentence pasted without quote marks: the turns holding the query's words as written, one after
another (stop words included), rank first.

People paste a remembered sentence or fragment (`I would have to go back or refer you to the Department of
Education`) without quoting it; its words are mostly stop words and common words, so coverage and BM25F cannot
tell the turn that says it from the many that use the same words. A plain query of VERBATIM_MIN_WORDS words or
more is therefore also looked up as an exact phrase (exact.ExactPhrase over the exact-wording fields: the content
words at their distances, then the stored text checked), and the turns found get VERBATIM_BONUS (boosts.Boosts).
"""

from __future__ import annotations

from typing import Any

from whoosh import query as Q

from ..analysis import TOKEN_RE, fold_word, is_stop_word
from ..index import schema as S
from .exact import ExactPhrase
from .querying import SCOPE_FIELDS, ParsedQuery

VERBATIM_MIN_WORDS = 5      # words (stop words included) of a plain query before it is also read as pasted text
VERBATIM_MIN_CONTENT = 2    # indexed words it needs (a phrase of one indexed word verifies too many turns)
VERBATIM_BONUS = 100_000.0  # above any coverage (matching.RELAX_BONUS per slot) and BM25F sum
NOTICE_VERBATIM = "{count} turn{s} hold{verb} these words as written, one after another: shown first."


def verbatim_query(parsed: ParsedQuery, schema: Any, scope: str = "both") -> Q.Query | None:
    """The exact phrase of a plain query's words, over the exact-wording fields of `scope` (None: not pasted text:
    too short, quoted, with operators or fields, or an index without exact fields)."""
    if parsed.query is None or parsed.required or '"' in parsed.text:
        return None
    words = [fold_word(m.group()) for m in TOKEN_RE.finditer(parsed.text)]
    content = [w for w in words if not is_stop_word(w)]
    if len(words) < VERBATIM_MIN_WORDS or len(content) < VERBATIM_MIN_CONTENT:
        return None
    fields = [S.EXACT_FIELDS[f] for f in SCOPE_FIELDS.get(scope, S.TEXT_FIELDS) if f in S.EXACT_FIELDS]
    fields = [f for f in fields if schema is not None and f in schema]
    if not fields:
        return None
    phrases: list[Q.Query] = [ExactPhrase(f, words) for f in fields]
    return phrases[0] if len(phrases) == 1 else Q.Or(phrases)


def verbatim_notice(count: int) -> str:
    return NOTICE_VERBATIM.format(count=count, s="" if count == 1 else "s", verb="s" if count == 1 else "")
