"""Ingest stage: resolve short speaker labels ("Mr. Zients", "Dr. JHA") to the one full name used elsewhere."""

from __future__ import annotations

import dataclasses
import unicodedata

from ..models import Conference

# Words that may stand before a surname in a speaker label; such labels are "short" and may be resolved.
HONORIFICS = frozenset("""mr ms mrs miss dr the secretary acting administrator ambassador director deputy chair chairman
chairwoman governor mayor representative senator admiral vice general lieutenant colonel major captain commander
surgeon coordinator envoy counselor chief principal assistant special attorney commissioner senior""".split())


def _fold(word: str) -> str:
    """Case- and accent-insensitive form of a word: 'Muñoz.' -> 'munoz'."""
    decomposed = unicodedata.normalize("NFKD", word.strip(".,"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_short(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and all(_fold(w) in HONORIFICS for w in words[:-1]) and _fold(words[-1]) not in HONORIFICS


def _is_full(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and _fold(words[0]) not in HONORIFICS and words[-1][:1].isupper()


def full_name_map(conferences: list[Conference]) -> dict[tuple[str, str], str]:
    """(source format, folded surname) -> full name, for surnames that belong to exactly one full name."""
    candidates: dict[tuple[str, str], set[str]] = {}
    for conf in conferences:
        for name in {s for t in conf.turns for s in t.speakers} | set(conf.officials):
            if _is_full(name):
                candidates.setdefault((conf.source_format, _fold(name.split()[-1])), set()).add(name)
    return {key: next(iter(names)) for key, names in candidates.items() if len(names) == 1}


def resolve_short_names(conferences: list[Conference]) -> None:
    """Replace short labels by the unique full name with that surname in the same source format (in place).
    A surname shared by two full names, or seen nowhere in full, keeps its label as written."""
    names = full_name_map(conferences)

    def resolve(fmt: str, name: str) -> str:
        if not _is_short(name):
            return name
        return names.get((fmt, _fold(name.split()[-1])), name)

    for conf in conferences:
        fmt = conf.source_format
        conf.officials = tuple(dict.fromkeys(resolve(fmt, n) for n in conf.officials))
        conf.roles = tuple({resolve(fmt, n): role for n, role in reversed(conf.roles)}.items())[::-1]
        conf.turns = [
            dataclasses.replace(t, speakers=tuple(dict.fromkeys(resolve(fmt, s) for s in t.speakers)))
            if any(_is_short(s) for s in t.speakers) else t
            for t in conf.turns
        ]
