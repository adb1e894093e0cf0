"""Search stage: turn a SearchRequest's query string into a Whoosh query (limits, syntax, prefixes, fallback)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import qparser
from whoosh import query as Q
from whoosh.qparser import plugins as P

from ..analysis import TOKEN_RE, fold_word, stem_word, term_for_token
from ..config import SearchSettings
from ..errors import QueryError
from ..index import schema as S
from ..models import SearchRequest
from .exact import BASE_FIELD, base_terms, exact_plugins, highlight_keys, is_exact
from .highlight import Term

SCOPE_FIELDS = {"both": S.TEXT_FIELDS, "question": (S.QUESTION,), "answer": (S.ANSWER,)}
QUERY_FIELD_ALIASES = {S.SPEAKER_TEXT: ["speaker", "speakers"], S.OUTLET_TEXT: ["outlet"], S.ROLE_TEXT: ["role"]}
QUERY_FIELD_NAMES = ("speaker", "speakers", "outlet", "role", "question", "answer")
PREFIX_SCAN_LIMIT = 20_000   # vocabulary entries looked at for one prefix

NOTICE_SYNTAX = "Could not understand the query syntax; searched for its words instead."
NOTICE_NOTHING = "The query has no words to search for (only common words or exclusions)."
NOTICE_LEADING_WILDCARD = "A * works only at the end of a word (e.g. vaccin*); a * before a word was ignored."
NOTICE_FUZZY = "Fuzzy search (word~) is not supported; the words were searched as written."
_LEADING_WILDCARD_RE = re.compile(r"(?:^|[\s(\"'+-])[*?]+\w")
_FUZZY_RE = re.compile(r"\w~")


@dataclass
class ParsedQuery:
    """A parsed query plus what the service needs around it (all Whoosh objects stay in the search stage)."""
    text: str
    query: Q.Query | None                 # None: match every turn (empty query)
    plain: list[tuple[str, Q.Query]] = field(default_factory=list)   # (user's word, subquery) of top-level words
    required: list[Q.Query] = field(default_factory=list)            # everything else at top level (kept in relaxing)
    notices: list[str] = field(default_factory=list)
    empty: bool = False                   # the text had content but nothing searchable


def past_paging_depth(request: SearchRequest, limits: SearchSettings) -> bool:
    """Whether the requested page lies past the results that can be paged (it is answered with no hits)."""
    return request.page * request.per_page > limits.max_page_depth


def request_notices(request: SearchRequest, limits: SearchSettings) -> list[str]:
    """Notices about a well-formed request that cannot match or show anything (no error: an empty answer)."""
    notices = []
    if request.date_from and request.date_to and request.date_from > request.date_to:
        notices.append(f"Nothing matches dates from {request.date_from} to {request.date_to}: "
                       "the first day is after the last.")
    if past_paging_depth(request, limits):
        notices.append(f"Page {request.page} is past the first {limits.max_page_depth} results, the most that "
                       f"can be paged ({limits.max_page_depth // request.per_page} pages of {request.per_page}); "
                       "narrow the search to see more.")
    return notices


def build_parser(schema: Any, scope: str) -> qparser.QueryParser:
    fields = list(SCOPE_FIELDS[scope])
    names = "|".join(QUERY_FIELD_NAMES)
    plugins = [
        *exact_plugins(),        # "quoted text" and 'quoted text' as written (exact.py)
        P.FieldsPlugin(expr=rf"(?P<text>{names}):"),
        P.PrefixPlugin(),
        P.GroupPlugin(),
        P.OperatorsPlugin(),
        P.PlusMinusPlugin(plusexpr=r"(?!x)x", minusexpr=r"(?<![^\s(])-(?=[\w\"(])"),
        P.FieldAliasPlugin(QUERY_FIELD_ALIASES),
    ]
    boosts = {f: S.FIELD_BOOSTS[f] for f in fields}
    return qparser.MultifieldParser(fields, schema, fieldboosts=boosts, plugins=plugins, group=qparser.AndGroup)


def plain_words_query(text: str, scope: str) -> Q.Query | None:
    """What the parser makes of words without any syntax, built directly (the parser costs about 2 ms);
    None when the text has anything else (quotes, operators, fields, wildcards, punctuation between words).
    tests/test_search_querying.py checks that the result equals the parser's."""
    parts = []
    for m in _CHUNK_RE.finditer(text):
        chunk = m.group()
        if chunk in _OPERATORS or not TOKEN_RE.fullmatch(chunk):
            return None
        term = term_for_token(chunk)
        if term is not None:
            parts.append(Q.Or([_term_at(f, term, m.start(), m.end()) for f in SCOPE_FIELDS[scope]]))
    if not parts:
        return Q.NullQuery
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _term_at(field: str, text: str, start: int, end: int) -> Q.Term:
    term = Q.Term(field, text, boost=S.FIELD_BOOSTS[field])
    term.startchar, term.endchar = start, end   # where the word stands in the query (did-you-mean rewrites it)
    return term


_CHUNK_RE = re.compile(r"\S+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


def _plain_query(text: str, scope: str) -> Q.Query | None:
    """Fallback: every word of the text required, no syntax."""
    fields = SCOPE_FIELDS[scope]
    parts = []
    for raw in TOKEN_RE.findall(text):
        term = term_for_token(raw)
        if term is not None:
            parts.append(Q.Or([Q.Term(f, term, boost=S.FIELD_BOOSTS[f]) for f in fields]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _expand_prefix(reader: Any, node: Q.Prefix, limits: SearchSettings, notices: list[str]) -> Q.Query:
    """A Prefix as an Or of at most max_prefix_expansion existing terms (the most frequent ones).
    QueryError when fewer than min_prefix_chars characters come before the *."""
    if len(node.text) < limits.min_prefix_chars:
        raise QueryError(f"{node.text}* is too short for a prefix search: put at least {limits.min_prefix_chars} "
                         "characters before the *")
    limit = limits.max_prefix_expansion
    texts = {node.text}
    found = {}
    if node.fieldname in S.TEXT_FIELDS:
        # Index terms are stems: "investigat*" must also find the stem "investig" (investigate, -ion, -or ...)
        folded = fold_word(node.text)
        texts.add(stem_word(folded))
        for cut in range(len(folded) - 1, max(2, len(folded) - 4), -1):
            if reader.doc_frequency(node.fieldname, folded[:cut]):
                found[folded[:cut]] = reader.doc_frequency(node.fieldname, folded[:cut])
                break
    for prefix in texts:
        for n, term in enumerate(reader.expand_prefix(node.fieldname, prefix)):
            if n >= PREFIX_SCAN_LIMIT:
                break
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            found[term] = reader.doc_frequency(node.fieldname, term)
    if len(found) > limit:
        notices.append(f"{node.text}* matches many words; searched the {limit} most frequent.")
    best = sorted(found, key=lambda t: (-found[t], t))[:limit]
    if not best:
        return Q.NullQuery
    return Q.Or([Q.Term(node.fieldname, t, boost=node.boost) for t in sorted(best)])


def _rewrite(node: Q.Query, reader: Any, limits: SearchSettings, notices: list[str]) -> Q.Query:
    if isinstance(node, Q.Prefix):
        return _expand_prefix(reader, node, limits, notices)
    if node.is_leaf():
        return node
    return node.apply(lambda child: _rewrite(child, reader, limits, notices))


def _is_plain(node: Q.Query) -> bool:
    """A word: a Term in a text field, or an Or of such Terms (one word over several fields / a prefix),
    or a hyphenated compound (`Jean-Pierre`: an Or over the fields of the And of its words)."""
    if isinstance(node, Q.Term):
        return node.fieldname in S.TEXT_FIELDS
    if isinstance(node, Q.Or) and not isinstance(node, Q.DisjunctionMax):
        return bool(node.subqueries) and (all(_is_plain(s) for s in node.subqueries) or is_compound(node))
    return False


def is_compound(node: Q.Query) -> bool:
    """The parser's query for a hyphenated word: Or([And([Term(field, word) ...]) per text field])."""
    return isinstance(node, Q.Or) and bool(node.subqueries) and all(
        type(sub) is Q.And and bool(sub.subqueries)
        and all(isinstance(t, Q.Term) and t.fieldname in S.TEXT_FIELDS for t in sub.subqueries)
        for sub in node.subqueries)


_COMPOUND_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*(?:[-\u2010\u2011][^\W_]+(?:['\u2019][^\W_]+)*)+")
_QUOTED_RE = re.compile(r'"[^"]*"?')


def locate_compounds(q: Q.Query, text: str) -> None:
    """Give the words of top-level hyphenated compounds the character spans the parser leaves out
    (names and synonyms are found by where words stand in the query)."""
    if isinstance(q, Q.AndNot):
        locate_compounds(q.a, text)
        return
    children = list(q.subqueries) if isinstance(q, Q.And) else [q]
    blanked = _QUOTED_RE.sub(lambda m: " " * len(m.group()), text)
    chunks = list(_COMPOUND_RE.finditer(blanked))
    pos = 0
    for child in children:
        if not is_compound(child) or getattr(child.subqueries[0].subqueries[0], "startchar", None) is not None:
            continue
        want = [t.text for t in child.subqueries[0].subqueries]
        for k in range(pos, len(chunks)):
            m = chunks[k]
            found = [(m.start() + t.start(), m.start() + t.end(), term_for_token(t.group()))
                     for t in TOKEN_RE.finditer(m.group())]
            found = [t for t in found if t[2] is not None]
            if [t[2] for t in found] == want:
                for sub in child.subqueries:
                    for term, (start, end, _) in zip(sub.subqueries, found):
                        term.startchar, term.endchar = start, end
                pos = k + 1
                break


def _surface(node: Q.Query, text: str) -> str:
    found = [(getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)) for leaf in node.leaves()]
    spans: list[tuple[int, int]] = [(a, b) for a, b in found
                                    if a is not None and b is not None and 0 <= a < b <= len(text)]
    if spans:
        return text[min(a for a, _ in spans):max(b for _, b in spans)]
    leaves = list(node.leaves())
    return str(leaves[0].text) if leaves and hasattr(leaves[0], "text") else ""


def _split_top(q: Q.Query, text: str) -> tuple[list[tuple[str, Q.Query]], list[Q.Query]]:
    """Top-level words (made optional when relaxing) and the other top-level parts (kept required)."""
    if isinstance(q, Q.AndNot):
        plain, required = _split_top(q.a, text)
        return plain, required + [Q.Not(q.b)]
    children = list(q.subqueries) if isinstance(q, Q.And) else [q]
    plain, required = [], []
    for child in children:
        if _is_plain(child):
            plain.append((_surface(child, text), child))
        else:
            required.append(child)
    return plain, required


def parse_query(request: SearchRequest, schema: Any, reader: Any, limits: SearchSettings) -> ParsedQuery:
    """Parse request.q for request.scope. Malformed syntax never raises: it falls back to plain words."""
    text = request.q.strip()
    if not text:
        return ParsedQuery(text="", query=None)
    notices: list[str] = []
    if _LEADING_WILDCARD_RE.search(text):
        notices.append(NOTICE_LEADING_WILDCARD)
    if _FUZZY_RE.search(text):
        notices.append(NOTICE_FUZZY)
    try:
        q = plain_words_query(text, request.scope)
        if q is None:
            q = build_parser(schema, request.scope).parse(text)
        q = _rewrite(q, reader, limits, notices).normalize()
    except QueryError:   # a broken limit (too short a prefix) is the user's to fix, not a syntax fallback
        raise
    except Exception:  # whoosh raises assorted errors on odd syntax; never let them out
        notices.append(NOTICE_SYNTAX)
        q = _plain_query(text, request.scope) or Q.NullQuery
    notices = list(dict.fromkeys(notices))   # a prefix over several fields notes its cut once
    if q is Q.NullQuery or isinstance(q, Q.Not):
        return ParsedQuery(text=text, query=None, notices=notices + [NOTICE_NOTHING], empty=True)
    locate_compounds(q, text)
    plain, required = _split_top(q, text)
    return ParsedQuery(text=text, query=q, plain=plain, required=required, notices=notices)


def highlight_terms(q: Q.Query | None) -> dict[str, set[Term]]:
    """Terms to mark per text field: every non-negated Term/Phrase word in question/answer (stems), and the
    words of each quoted text as a tuple (folded words marked only where they stand together)."""
    found: dict[str, set[Term]] = {f: set() for f in S.TEXT_FIELDS}

    def walk(node: Q.Query) -> None:
        if isinstance(node, (Q.Not,)):
            return
        if isinstance(node, Q.AndNot):
            walk(node.a)
            return
        if is_exact(node):
            found[BASE_FIELD[node.fieldname]].update(highlight_keys(node))   # marked where the words stand together
        elif isinstance(node, Q.Term):
            if node.fieldname in found:
                found[node.fieldname].add(node.text)
        elif isinstance(node, Q.Phrase):
            if node.fieldname in found:
                found[node.fieldname].update(node.words)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    if q is not None:
        walk(q)
    return found


def scoring_terms(q: Q.Query | None) -> list[tuple[str, str, float]]:
    """(field, term, boost) of every non-negated question/answer word (phrase words included), for BM25F."""
    found: dict[tuple[str, str], float] = {}

    def walk(node: Q.Query, boost: float) -> None:
        if isinstance(node, Q.Not):
            return
        if isinstance(node, Q.AndNot):
            walk(node.a, boost)
            return
        if is_exact(node):
            base, stems = base_terms(node)
            for stem in stems:
                found[(base, stem)] = max(found.get((base, stem), 0.0), boost * node.boost)
        elif isinstance(node, Q.Term):
            if node.fieldname in S.TEXT_FIELDS:
                key = (node.fieldname, node.text)
                found[key] = max(found.get(key, 0.0), boost * node.boost)
        elif isinstance(node, Q.Phrase):
            if node.fieldname in S.TEXT_FIELDS:
                for word in node.words:
                    found[(node.fieldname, word)] = max(found.get((node.fieldname, word), 0.0), boost * node.boost)
        elif not node.is_leaf():
            for child in node.children():
                walk(child, boost * getattr(node, "boost", 1.0))

    if q is not None:
        walk(q, 1.0)
    return [(field, text, boost) for (field, text), boost in found.items()]


RELAX_MIN_STEM = 5        # stems at least this long also match longer words built on them when relaxing
RELAX_PREFIX_BOOST = 0.5
RELAX_PREFIX_LIMIT = 16


def widen_word(node: Q.Query, reader: Any) -> Q.Query:
    """A plain word plus the indexed words that start with its stem (retaliation ~ retaliatory), for relaxing."""
    extra = []
    for leaf in list(node.leaves()):
        if not isinstance(leaf, Q.Term) or leaf.fieldname not in S.TEXT_FIELDS or len(leaf.text) < RELAX_MIN_STEM:
            continue
        found = []
        for n, term in enumerate(reader.expand_prefix(leaf.fieldname, leaf.text)):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            if n >= PREFIX_SCAN_LIMIT:
                break
            if term != leaf.text:
                found.append((reader.doc_frequency(leaf.fieldname, term), term))
        found.sort(reverse=True)
        boost = leaf.boost * RELAX_PREFIX_BOOST
        extra += [Q.Term(leaf.fieldname, t, boost=boost) for _, t in found[:RELAX_PREFIX_LIMIT]]
    return Q.Or([node] + extra) if extra else node
