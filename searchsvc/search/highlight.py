"""Search stage: fast snippets: escaped text with the query's terms in <mark>, cut into fragments around matches.

Only the shown hits are highlighted. The stored text is tokenized with the analyzer's own regex and each
surface token is mapped to its index term through a cache (analysis.term_for_token), so a match here is
exactly a match in the index.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Iterable
from functools import lru_cache
from html import escape

from ..analysis import FOLD_MAP, TOKEN_RE, fold_word, term_for_token

Term = str | tuple[str, ...]     # an index term (a stem), or the folded words of quoted text

ELLIPSIS = "\u2026"
JOIN = f" {ELLIPSIS} "


# A character other than ASCII and typographic punctuation (never the first character of a token): a text
# with one is read token by token.
_OTHER_CHARACTER = re.compile("[^\x00-\x7f\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00a0]")
_INSIDE_TOKENS = "'\u2019.,"   # the characters other than \w that a token can hold (China's, U.S., 1,000)
INSIDE_GAP = "[" + re.escape(_INSIDE_TOKENS) + "]?"   # one of them between a term's first two characters (u.s)
APOSTROPHE = "['\u2019]"      # a term's apostrophe in the token: either apostrophe TOKEN_RE lets inside one


def find_matches(text: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every token of `text` whose index term is in `terms`.

    In texts whose tokens are ASCII (nearly all), a token's term begins as the token does lowercased (folding
    leaves ASCII alone, numbers keep their first digits, Snowball rewrites suffixes only: term_starts says
    how), so only the places where a token may start like one of the terms are looked at (a regex in C),
    each checked to be a whole token. Other texts are read token by token (walk_matches);
    tests/test_search_highlight.py checks that both give the same matches.
    """
    if not terms:
        return []
    if (not text.isascii() and _OTHER_CHARACTER.search(text)) or not all(t and t[0].isascii() for t in terms):
        return walk_matches(text, terms)
    out: list[tuple[int, int, str]] = []
    covered = 0
    for c in _starts(frozenset(p for t in terms for p in term_starts(t))).finditer(text):
        start = c.start()
        if start < covered:
            continue
        m = _token_at(text, start) if start and text[start - 1] in _INSIDE_TOKENS else TOKEN_RE.match(text, start)
        if m is None:
            continue
        covered = m.end()
        term = term_for_token(m.group())
        if term is not None and term in terms:
            out.append((start, covered, term))
    return out


def find_phrase_matches(text: str, phrases: Iterable[tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """(start, end, words joined by spaces) of every place where a phrase's folded words (tuples from quoted
    text, exact.py) stand one after another in `text`, as the exact-wording fields index them; a match runs
    from its first word's first character to its last word's last, and overlapping matches are all given."""
    return walk_phrase_matches(text, possible_phrases(text, [p for p in phrases if p]))


def walk_phrase_matches(text: str, phrases: list[tuple[str, ...]]) -> list[tuple[int, int, str]]:
    """find_phrase_matches by folding every token of the text."""
    if not phrases:
        return []
    tokens = list(TOKEN_RE.finditer(text))
    words = [_fold(m.group()) for m in tokens]
    starts: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        starts.setdefault(p[0], []).append(p)
    out = []
    for i, word in enumerate(words):
        for p in starts.get(word, ()):
            n = len(p)
            if tuple(words[i:i + n]) == p:
                out.append((tokens[i].start(), tokens[i + n - 1].end(), " ".join(p)))
    return out


def possible_phrases(text: str, phrases: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The phrases each of whose words (but those starting with a digit) is in the folded text: the others cannot
    match, found without tokenizing it. Folding is done character by character (lowercase, accent_map) and a
    folded word is its token's folded text or that minus a trailing dot, so a word found as a token is found
    in the folded text too; numbers lose their thousands separators (not looked for), and a capital sigma
    lowercases by context (its texts keep every phrase)."""
    if not phrases or "\u03a3" in text:
        return phrases
    folded = text.lower() if text.isascii() else fold_text(text.lower())
    return [p for p in phrases if all(w in folded for w in p if not w[:1].isdigit())]


def fold_text(lowered: str) -> str:
    """lowered.translate(FOLD_MAP), done as one str.replace per distinct character to fold: translating with a
    dict costs a lookup per character (85 us for a typical answer with curly quotes), while texts hold only a few
    distinct characters to fold. Exact: every replacement used gives characters that folding leaves alone (a
    text needing another mapping is translated)."""
    out = lowered
    for char in set(lowered).intersection(_FOLDED):
        replacement = _FOLDED[char]
        if replacement is None:
            return lowered.translate(FOLD_MAP)
        out = out.replace(char, replacement)
    return out


def _fixed_point_folds() -> dict[str, str | None]:
    """char -> its folded text when that text is left alone by folding, else None (the char needs translate)."""
    out: dict[str, str | None] = {}
    for code, folded in FOLD_MAP.items():
        char = chr(code)
        if folded != char:
            out[char] = folded if all(FOLD_MAP.get(ord(c), c) == c for c in folded) else None
    return out


_FOLDED = _fixed_point_folds()


def find_all_matches(text: str, terms: Iterable[Term]) -> list[tuple[int, int, str]]:
    """Stem matches (str terms) and phrase matches (tuple terms) in text order, overlaps left out."""
    stems = {t for t in terms if isinstance(t, str)}
    phrases = [t for t in terms if isinstance(t, tuple)]
    matches = find_matches(text, stems)
    if not phrases:
        return matches
    out: list[tuple[int, int, str]] = []
    for m in sorted(matches + find_phrase_matches(text, phrases), key=lambda m: (m[0], -m[1])):
        if out and m[0] < out[-1][1]:
            if m[1] > out[-1][1]:            # overlapping phrases ("people to people to people"): one mark
                out[-1] = (out[-1][0], m[1], out[-1][2])
            continue
        out.append(m)
    return out


@lru_cache(maxsize=100_000)
def _fold(raw: str) -> str:
    return fold_word(raw)


def walk_matches(text: str, terms: Container[str]) -> list[tuple[int, int, str]]:
    """find_matches by mapping every token of the text to its term."""
    out: list[tuple[int, int, str]] = []
    for m in TOKEN_RE.finditer(text):
        term = term_for_token(m.group())
        if term is not None and term in terms:
            out.append((m.start(), m.end(), term))
    return out


def term_starts(term: str) -> tuple[str, ...]:
    """How an ASCII token whose index term is `term` begins (either case): with the term's first two characters,
    a dot, comma or apostrophe allowed between them (U.S. -> u.s, 1,000 -> 1000), or a y for the term's i
    (Snowball's dying -> die, dry -> dri); Snowball rewrites only suffixes beyond that. A term of one character,
    or whose second is not ASCII, gives its first character."""
    if len(term) < 2 or not term[1].isascii():
        return (term[0],)
    return (term[:2], term[0] + "y") if term[1] == "i" else (term[:2],)


@lru_cache(maxsize=512)
def _starts(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Where a token may start with one of `prefixes` (term_starts; either case): not after a word character."""
    alternatives = sorted(re.escape(p[0]) + (INSIDE_GAP + _char(p[1]) if len(p) > 1 else "") for p in prefixes)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE | re.ASCII)


def _char(char: str) -> str:
    return APOSTROPHE if char == "'" else re.escape(char)


def _token_at(text: str, start: int) -> re.Match[str] | None:
    """The token starting at `start`, or None when `start` is inside one: tokenizing from the whitespace
    before it gives the same tokens as from the start of the text (no token holds whitespace)."""
    chunk = start
    while chunk > 0 and not text[chunk - 1].isspace():
        chunk -= 1
    for m in TOKEN_RE.finditer(text, chunk):
        if m.end() > start:
            return m if m.start() == start else None
    return None


def _mark(text: str, start: int, end: int, matches: list[tuple[int, int, str]]) -> str:
    parts, pos = [], start
    for s, e, _ in matches:
        if s < start or e > end:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:end]))
    return "".join(parts)


def _snap_start(text: str, pos: int) -> int:
    """Move a fragment start left to a word boundary (never cuts into a match)."""
    if pos <= 0:
        return 0
    space = text.rfind(" ", max(0, pos - 30), pos)
    return space + 1 if space != -1 else pos


def _snap_end(text: str, pos: int) -> int:
    """Move a fragment end right to a word boundary."""
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos, pos + 30)
    return space if space != -1 else pos


def _windows(text: str, matches: list[tuple[int, int, str]], width: int) -> list[tuple[int, int, int]]:
    """Candidate fragments (start, end, score): one window per run of matches that fit in `width`."""
    out = []
    i = 0
    while i < len(matches):
        first = matches[i][0]
        j = i
        while j + 1 < len(matches) and matches[j + 1][1] - first <= width:
            j += 1
        distinct = len({m[2] for m in matches[i:j + 1]})
        span_end = matches[j][1]
        pad = max(0, (width - (span_end - first)) // 2)
        start = max(0, first - pad)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        out.append((start, end, distinct * 100 + (j - i + 1)))
        i = j + 1
    return out


def highlight(text: str, terms: Collection[Term], fragment_chars: int = 200, max_fragments: int = 3) -> str:
    """Escaped HTML of `text` with matches in <mark>; long texts cut to the best fragments joined by ' … '.

    `terms` holds index terms (stems) and tuples of folded words (quoted text, marked where they stand
    together). Texts up to twice `fragment_chars` are shown whole; a long text without matches shows its
    beginning.
    """
    if not text:
        return ""
    matches = find_all_matches(text, terms)
    if len(text) <= 2 * fragment_chars:
        return _mark(text, 0, len(text), matches)
    if not matches:
        end = _snap_end(text, fragment_chars)
        if end >= len(text):
            return escape(text)
        return escape(text[:end]) + " " + ELLIPSIS
    windows = _windows(text, matches, fragment_chars)
    best = sorted(windows, key=lambda w: (-w[2], w[0]))[:max_fragments]
    best.sort()
    pieces = []
    last_end = -1
    for start, end, _ in best:
        start, end = _snap_start(text, start), _snap_end(text, end)
        start = max(start, last_end)
        if end <= start:
            continue
        pieces.append((start, end))
        last_end = end
    html = []
    for k, (start, end) in enumerate(pieces):
        if k == 0 and start > 0:
            html.append(ELLIPSIS + " ")
        elif k > 0:
            html.append(JOIN)
        html.append(_mark(text, start, end, matches).strip())
    if pieces and pieces[-1][1] < len(text):
        html.append(" " + ELLIPSIS)
    return "".join(html)
