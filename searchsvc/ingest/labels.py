"""Ingest stage: telling questioners' outlets from officials' names in speaker labels (format-neutral)."""

from __future__ import annotations

import re

# Words that make a label a news organisation rather than a person.
OUTLET_WORDS = frozenset("""
daily news tv agency app press radio times post network media group television broadcasting broadcast
corporation channel journal weekly monthly magazine newspaper review service online tribune herald gazette
observer chronicle express economist business financial reporter wire report pao bao ribao shimbun ilbo
zeitung nachrichten cctv cgtn xinhua cnr cri cns studio net com commercial evening morning weekend world
international global voice telegraph standard guardian monitor insider bulletin dispatch
""".split())
# Generic words for "a reporter" (the questioner is not named).
QUESTIONER_WORDS = frozenset("q question questioner reporter journalist correspondent audience participant".split())
# Small words that may stay lowercase inside a name or an outlet ("Voice of America", "The Paper").
CONNECTORS = frozenset("of and the de del della la le du des da di van von y et for in on at &".split())
HONORIFICS = re.compile(r"^(?:mr|ms|mrs|miss|madam|madame|dr|prof|professor|sir)\.?\s+", re.I)
_WORD = re.compile(r"[^\s]+")


def strip_honorific(name: str) -> str:
    return HONORIFICS.sub("", name.strip()).strip()


def label_words(label: str) -> list[str]:
    return _WORD.findall(label)


def looks_like_label(label: str, max_words: int = 8) -> bool:
    """A speaker label's shape: short, no sentence punctuation, capitalised words (connectors aside)."""
    label = strip_honorific(label)
    words = label_words(label)
    if not words or len(words) > max_words or len(label) > 70:
        return False
    if re.search(r"[?!;\"“”,]|\.\s|\d{2}", label) and not has_outlet_word(label):
        return False
    if not (label[0].isupper() or label[0].isdigit()):
        return False
    lower = [w for w in words[1:] if w[0].islower() and w.lower() not in CONNECTORS]
    return not (lower and not has_outlet_word(label, capitalised=True) and not is_questioner_word(label))


def has_outlet_word(label: str, capitalised: bool = False) -> bool:
    """Whether the label holds an outlet word ('Daily', 'News', 'TV') or an acronym ('CCTV', 'AFP')."""
    parts = re.findall(r"[A-Za-z]+", label)
    if capitalised:
        parts = [p for p in parts if p[0].isupper()]
    return any(p.lower() in OUTLET_WORDS for p in parts) or any(
        len(p) >= 2 and p.isupper() and p not in ("MR", "MS", "DR") for p in parts)


def is_questioner_word(label: str) -> bool:
    """'Q', 'Reporter', 'Journalist', 'Foreign Journalist', 'Journalist clarifies', 'The journalist ...'."""
    words = [w.lower().strip(".:") for w in label_words(label)]
    return any(w in QUESTIONER_WORDS for w in words[:3])


def is_follow_up(label: str) -> bool:
    return bool(re.match(r"^\s*follow[\s\-]*up\b", label, re.I))


def looks_like_person(label: str) -> bool:
    """'Qiu Baoli', 'Mr. Li Jiantao', 'Karine Jean-Pierre': 2-4 capitalised alphabetic words, no outlet word."""
    name = strip_honorific(label)
    words = label_words(name)
    if not 2 <= len(words) <= 4 or has_outlet_word(name):
        return False
    return all(re.fullmatch(r"[A-Z][a-zA-Z'’\-]*\.?", w) for w in words)
