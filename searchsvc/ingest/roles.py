"""Ingest stage: the role of each speaker label (official, reporter, outlet, host, interpreter), decided from evidence
in the document (title and header names, honorifics, outlet list, capitals, question marks, who speaks after whom),
never from the site a file came from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .common import surname_key
from .finder import Segment
from .labels import has_outlet_word, is_follow_up, is_questioner_word, looks_like_person, strip_honorific
from .outlets import fold_outlet, outlet_names
from .titles import label_role

OFFICIAL, REPORTER, OUTLET, HOST, INTERPRETER, FOLLOW_UP, OTHER, NOT_LABEL = (
    "official", "reporter", "outlet", "host", "interpreter", "follow-up", "other speaker", "text")
QUESTIONING = (REPORTER, OUTLET, FOLLOW_UP)
HOST_WORDS = frozenset("moderator host chair chairperson chairman chairwoman presenter operator emcee mc aide".split())
INTERPRETER_WORDS = frozenset("interpreter translator interpretation translation".split())
# unnamed speakers: reporters unless they behave like officials
_GENERIC = re.compile(r"^(?:speaker|unidentified|unknown|male|female|man|woman|voice|participant|audience"
                      r"|crowd|press|reporters?|questioner)\b(?:\s+(?:speaker|member|voice|reporter|\d+))*\s*\d*$",
                      re.I)
_HONORIFIC = re.compile(r"^(?:mr|ms|mrs|miss|madam|dr|prof|sir|dame|rev|gen|adm|sen|rep|gov)\.?(?:\s|$)", re.I)


@dataclass(frozen=True)
class LabelRole:
    label: str
    role: str
    count: int
    why: str


@dataclass
class _Evidence:
    label: str
    count: int = 0
    bold: int = 0
    asks: int = 0            # segments holding a question mark
    after_question: int = 0  # segments right after a question
    words: int = 0


def _gather(segments: list[Segment], known_questioners: set[str]) -> dict[str, _Evidence]:
    found: dict[str, _Evidence] = {}
    prev_asked = False
    for seg in segments:
        if not seg.label:
            prev_asked = prev_asked or "?" in seg.text
            continue
        ev = found.setdefault(seg.label, _Evidence(seg.label))
        ev.count += 1
        ev.bold += seg.bold
        ev.asks += "?" in seg.text
        ev.after_question += prev_asked
        ev.words += len(seg.text.split())
        prev_asked = seg.label in known_questioners or "?" in seg.text[-200:]
    return found


def _core(label: str) -> str:
    words = label.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0].lower() == "the" else label


def _match_name(label: str, names: list[str]) -> str:
    """The named person a label stands for ('DR. FAUCI', 'Tony Fauci' -> 'Anthony Fauci'), or ''."""
    key = surname_key(strip_honorific(label))
    surname = surname_key(strip_honorific(label).split()[-1]) if strip_honorific(label).split() else ""
    for name in names:
        if surname_key(name) == key:
            return name
    for name in names:
        parts = name.split()
        if surname and len(parts) >= 2 and surname in (surname_key(parts[-1]), surname_key(parts[0])):
            return name
    return ""


def decide(segments: list[Segment], named: list[str], hosts: list[str]) -> dict[str, LabelRole]:
    """label -> its role and the reason, for every label in the segments."""
    outlets = outlet_names()
    labels = Counter(seg.label for seg in segments if seg.label)
    weak = {seg.label for seg in segments if seg.label and seg.weak}
    fixed: dict[str, tuple[str, str]] = {}
    for label in labels:
        fixed[label] = _by_name(label, named, hosts, outlets)
        if label in weak and fixed[label][1] not in ("named in the title or header", "named as host in the header"):
            fixed[label] = (NOT_LABEL, "not shaped like a label, and not a name the document gives")
    questioners = {label for label, (role, _) in fixed.items() if role in QUESTIONING}
    evidence = _gather(segments, questioners)
    question_bold = _question_style(evidence, fixed)
    words = {label: n for label, n in labels.items() if len(label) > 1}
    caps_share = sum(n for label, n in words.items() if _is_caps(label)) / max(1, sum(words.values()))
    q_marks = labels.get("Q", 0) >= max(2, 0.5 * sum(n for label, n in labels.items() if label in questioners))
    out: dict[str, LabelRole] = {}
    for label, count in labels.items():
        role, why = fixed[label]
        loose = not role or role in (OUTLET, REPORTER)
        outlier = caps_share >= 0.75 or (q_marks and caps_share >= 0.5)     # the document's labels are capitals
        if loose and outlier and count == 1 and not _is_caps(label) and len(label) > 1:
            role, why = NOT_LABEL, "written once, and not in capitals like the document's labels"
        elif not role:
            role, why = _by_behaviour(evidence[label], question_bold, caps_share, q_marks)
        out[label] = LabelRole(label, role, count, why)
    return out


def _is_caps(label: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", label)
    return len(letters) >= 2 and letters.isupper()


def _by_name(label: str, named: list[str], hosts: list[str], outlets: frozenset[str]) -> tuple[str, str]:
    """A role read from the label's words alone, or ('', '') when its behaviour has to decide."""
    low = _core(label).lower().strip(" .")
    if label.upper() in ("Q", "QUESTION", "QUESTIONS"):
        return REPORTER, "question label"
    if is_follow_up(label):
        return FOLLOW_UP, "follow-up label"
    if label.upper() in ("A", "ANSWER"):
        return OFFICIAL, "answer label (the official named in the title)"
    if low in INTERPRETER_WORDS or low.split()[-1:] and low.split()[-1] in INTERPRETER_WORDS:
        return INTERPRETER, "interpreter label"
    if low in HOST_WORDS or (low.split() and low.split()[-1] in HOST_WORDS and not _HONORIFIC.match(label)):
        return HOST, "host word"
    if hosts and _match_name(label, hosts):
        return HOST, "named as host in the header"
    if named and _match_name(label, named):
        return OFFICIAL, "named in the title or header"
    if fold_outlet(label) in outlets:
        return OUTLET, "in the list of news outlets"
    if _GENERIC.match(label):
        return "", ""                       # unnamed ('Speaker 7'): behaviour decides (reporter unless it answers)
    if _HONORIFIC.match(label):
        return OFFICIAL, "honorific"
    if label_role(label):
        return OFFICIAL, f"job title ({label_role(label)})"
    if _GENERIC.match(label) or is_questioner_word(label):
        return "", ""                       # unnamed: behaviour decides (reporter unless it answers)
    if has_outlet_word(label, capitalised=not _is_caps(label)) and not _is_caps(label):
        return OUTLET, "outlet word"
    return "", ""


def _question_style(evidence: dict[str, _Evidence], fixed: dict[str, tuple[str, str]]) -> bool:
    """Whether the document sets questioners' labels in bold and officials' not (as many HTML pages do)."""
    q = [ev for label, ev in evidence.items() if fixed[label][0] in QUESTIONING and fixed[label][0] != FOLLOW_UP]
    a = [ev for label, ev in evidence.items() if fixed[label][0] == OFFICIAL]
    q_bold = sum(ev.bold for ev in q) / max(1, sum(ev.count for ev in q))
    a_bold = sum(ev.bold for ev in a) / max(1, sum(ev.count for ev in a))
    return bool(q) and q_bold >= 0.6 and a_bold <= 0.2


def _by_behaviour(ev: _Evidence, question_bold: bool, caps_share: float, q_marks: bool) -> tuple[str, str]:
    asks = ev.asks / ev.count
    answers = ev.after_question / ev.count
    generic = bool(_GENERIC.match(ev.label)) or is_questioner_word(ev.label)
    if q_marks and _is_caps(ev.label):
        if generic:
            return OTHER, "unnamed speaker; the questions are marked Q"
        return OFFICIAL, "capitals label; the questions are marked Q"
    if generic and caps_share >= 0.5 and _is_caps(ev.label) and asks < 0.5:
        return OTHER, "unnamed speaker who does not ask"
    if question_bold and ev.bold / ev.count >= 0.6:
        role = REPORTER if generic or looks_like_person(ev.label) and False else OUTLET
        return role, "set in bold like the questions"
    if question_bold and ev.bold == 0 and not generic:
        return OFFICIAL, "not bold, like the answers"
    if generic:
        if answers >= 0.6 and asks < 0.3 and ev.words / ev.count > 40:
            return OFFICIAL, "unnamed, but answers questions at length"
        return REPORTER, "unnamed speaker (reporter)"
    if asks >= 0.5 and answers < 0.5:
        return (REPORTER if looks_like_person(ev.label) or len(ev.label.split()) == 1 else OUTLET), \
            f"asks questions ({ev.asks} of {ev.count} with '?')"
    if _is_caps(ev.label) and caps_share >= 0.5:
        return OFFICIAL, "capitals label, as the officials'"
    if looks_like_person(ev.label) or len(ev.label.split()) == 1:
        return OFFICIAL, "a person's name that answers" if answers >= 0.5 else "a person's name"
    if answers >= 0.5 and ev.asks == 0:
        return OFFICIAL, "speaks after questions and asks none"
    return OUTLET, "not a person's name"
