"""Ingest stage: the one turn segmenter: a Document (from any container) to a Conference with turns, roles and a
record of how it was read; a document with no credible turns is a TranscriptError naming the file and line."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from ..errors import TranscriptError
from ..models import KIND_QA, UNDATED, Conference, LabelReading, Reading, Turn, make_conference_id
from .common import TurnBuilder, clean, surname_key, title_from_file
from .document import Document
from .finder import Segment, find_segments
from .header import read_header
from .labels import strip_honorific
from .roles import (
    FOLLOW_UP,
    HOST,
    HOST_WORDS,
    INTERPRETER,
    NOT_LABEL,
    OFFICIAL,
    OTHER,
    OUTLET,
    REPORTER,
    LabelRole,
    decide,
)
from .titles import ROLE_WORDS, label_role, readable, speaker_name, title_names, title_roles, title_surnames

_WORD = re.compile(r"\w+")
# ASCII bytes -> b"w" for the characters \w matches, b" " for the others: words counted by bytes.split in C
_ASCII_WORDS = bytes(ord("w") if chr(i).isalnum() or i == ord("_") else ord(" ") for i in range(256))
_COMMON_NON_WORD = "\u2014\u2013\u2019\u2018\u201c\u201d\u2026\u00a0"   # —–’‘“”… and nbsp: no word characters
_OPENING_WORDS = 15            # unlabelled opening text this long is the main official's (announcements)


def _words(text: str) -> int:
    """Number of \\w+ runs (ASCII text, most of it, without the regex: common non-ASCII punctuation is first made
    spaces, which splits runs exactly where it did)."""
    if not text.isascii():
        for char in _COMMON_NON_WORD:
            if char in text:
                text = text.replace(char, " ")
        if not text.isascii():
            return len(_WORD.findall(text))
    return len(text.encode("ascii").translate(_ASCII_WORDS).split())


def _display(label: str, role: str, names: list[str], hosts: list[str]) -> str:
    """The name a label is filed under: the full name the title or header gives, else the label made readable."""
    pool = hosts if role == HOST else names
    core = strip_honorific(label)
    if role == HOST and hosts and core.lower() in HOST_WORDS:
        return hosts[0]
    for name in pool:
        if surname_key(name) == surname_key(core):
            return name
    if label.isupper() or not label[:1].isalpha():
        return speaker_name(label, pool)
    full = speaker_name(label, pool)
    if full != readable(label):
        return full
    return core if len(core.split()) >= 2 else label


_POSSESSIVE = re.compile(r"\b(?:Spokes(?:person|man|woman)|Secretary|Minister|President|Governor|Mayor)\s+"
                         r"(\S.{0,80}?)['’]s\b")


def _possessive_official(title: str) -> str:
    """'Spokesperson Zhao Lijian's Regular Press Conference' -> 'Zhao Lijian', whatever the name is made of."""
    m = _POSSESSIVE.search(title)
    return clean(m.group(1)) if m else ""


def _first_name_kin(a: str, b: str) -> bool:
    """'Tony' ~ 'Anthony', 'Mike' ~ 'Michael', 'Bob' !~ 'Joe': a shared start or a shared ending of 3+ letters."""
    a, b = a.casefold().strip("."), b.casefold().strip(".")
    short, long_ = sorted((a, b), key=len)
    return long_.startswith(short[:2]) and len(short) >= 2 or (len(short) >= 3 and long_.endswith(short[1:]))


def join_variants(names: list[str], preferred: list[str]) -> dict[str, str]:
    """name -> the one form used for every variant of an official's name in a document ('Dr. Fauci',
    'Tony Fauci' -> 'Anthony Fauci'): the form the title or header gives, else the most frequent full form."""
    counts = Counter(names)
    by_surname: dict[str, list[str]] = {}
    for name in counts:
        words = strip_honorific(name).split()
        if words and not any(w.casefold().strip(".") in ROLE_WORDS or w.casefold() == "the" for w in words):
            by_surname.setdefault(surname_key(words[-1]), []).append(name)
    out: dict[str, str] = {}
    for group in by_surname.values():
        full = [n for n in group if len(strip_honorific(n).split()) >= 2 and n == strip_honorific(n)]
        chosen = [p for p in preferred if p in full] or sorted(full, key=lambda n: (-counts[n], -len(n)))
        if not chosen:
            continue
        target = chosen[0]
        first = target.split()[0]
        for name in group:
            words = strip_honorific(name).split()
            if len(words) == 1 or (name in full and _first_name_kin(words[0], first)):
                out[name] = target
    return out


def segment(doc: Document) -> Conference:
    segments = find_segments(doc.blocks)
    header = read_header(segments)
    body = [seg for k, seg in enumerate(segments) if k not in header.used]
    title_people = title_names(doc.title)
    named_in_title = [name for name, role in title_people if role]
    named = list(dict.fromkeys([*named_in_title, *header.officials]))
    roles = decide(body, [n for n, _ in title_people] + title_surnames(doc.title) + header.officials, header.hosts)
    main = (named or [""])[0] or _possessive_official(doc.title)
    problems = _check(doc, body, roles, bool(main))
    names = {label: _display(label, r.role, [n for n, _ in title_people] + header.officials, header.hosts)
             for label, r in roles.items() if r.role in (OFFICIAL, HOST, OTHER)}
    if main:
        names.update({label: main for label in roles if label.upper() in ("A", "ANSWER")})
    official_names = [names[seg.label] for seg in body if seg.label and roles[seg.label].role == OFFICIAL]
    joined = join_variants(official_names, named)
    names = {label: joined.get(name, name) for label, name in names.items()}
    builder = _build(body, roles, names, main)
    turns = builder.turns()
    if not turns:
        raise TranscriptError(doc.path, "no turns found (no labelled questions, answers or statements)",
                              doc.blocks[0].line if doc.blocks else None)
    hosts = {names[label] for label, r in roles.items() if r.role in (HOST, OTHER)}
    spoke = [s for s in builder.speakers() if s not in hosts]
    titled = {name for name, _ in title_roles(doc.title, named_in_title)}
    officials = list(dict.fromkeys([*spoke, *(n for n in named if n in titled or n in header.officials),
                                    *header.hosts]))
    day = header.held or doc.date
    warnings = list(problems)
    if day is not None and doc.date_from == "latest date on the page" and not header.held:
        warnings.append(f"date {day.isoformat()} guessed: the latest date the page mentions")
    if day is None:
        day = UNDATED
        warnings.append(f"no date in the document: filed under {UNDATED.isoformat()}")
    title = doc.title
    if not title:      # a page without a title element or heading: named after its file, and said so
        title = title_from_file(doc.path)
        warnings.append("no title in the document: the file name is the title")
    reading = _reading(doc, body, roles, names, turns, warnings, "header" if header.line else "", day)
    source = doc.publisher or doc.container
    return Conference(id=make_conference_id(source, day, title), title=title, date=day, source_url=doc.source_url,
                      source_file=doc.path, source_format=source, officials=tuple(officials),
                      turns=turns, roles=_roles(doc.title, named_in_title, header.roles, roles, names),
                      reading=reading)


def _build(body: list[Segment], roles: dict[str, LabelRole], names: dict[str, str], main: str) -> TurnBuilder:
    first_label = next((k for k, s in enumerate(body) if s.label), len(body))
    opening = sum(_words(s.text) for s in body[:first_label] if s.form == "text")
    builder = TurnBuilder(default_speaker=main if opening >= _OPENING_WORDS else "")
    question_bold = False
    for k, seg in enumerate(body):
        if builder.part != "question":
            question_bold = False
        if seg.form in ("time", "end"):
            if k > first_label:
                builder.close_question()
                builder.last = None
            continue
        role = roles[seg.label].role if seg.label else NOT_LABEL
        if role == NOT_LABEL:
            text = seg.raw or (seg.text if not seg.label else f"{seg.label}: {seg.text}")
            if builder.part == "question" and question_bold and not seg.bold and main:
                builder.answer(main, text, seg.line)
            else:
                builder.text(text, seg.line)
            continue
        if role in (REPORTER, OUTLET, FOLLOW_UP):
            descriptive = role == REPORTER and any(w[:1].islower() for w in seg.label.split()[1:])
            if role == FOLLOW_UP:
                builder.question(None, seg.text, seg.line)
            elif descriptive:
                same = re.search(r"journalist|reporter|correspondent", seg.label, re.I)
                builder.question(None if same else "", f"{seg.label}: {seg.text}", seg.line)
            else:
                builder.question(seg.label if role == OUTLET else "", seg.text, seg.line)
            question_bold = seg.bold
        elif role in (OFFICIAL, OTHER):
            builder.answer(names.get(seg.label, seg.label), seg.text, seg.line)
        elif role == HOST:
            builder.moderator(names.get(seg.label, seg.label), seg.text, seg.line)
        elif role == INTERPRETER:
            builder.text(seg.text, seg.line)
    return builder


def _check(doc: Document, body: list[Segment], roles: dict[str, LabelRole], has_main: bool) -> list[str]:
    """TranscriptError when the document has no credible turns or would file officials as outlets; else warnings."""
    labelled = [s for s in body if s.label and roles[s.label].role != NOT_LABEL]
    first = doc.blocks[0].line if doc.blocks else None
    if not doc.blocks:
        raise TranscriptError(doc.path, "no turns found: no text after the header", 1)
    if not labelled:
        raise TranscriptError(doc.path, "no speaker labels found (no 'Q', 'Name:' or 'NAME:' turns): "
                                        "not a transcript, or a layout the reader does not know", first)
    speaking = [r for r in roles.values() if r.role in (OFFICIAL, HOST)]
    by_name = [r for r in speaking if not r.why.startswith(("a person", "capitals", "not bold", "unnamed"))]
    asking = [s for s in labelled if roles[s.label].role in (REPORTER, OUTLET, FOLLOW_UP)]
    if len(labelled) < 3 and not by_name and not (has_main and asking):
        raise TranscriptError(doc.path, f"no credible turns: only {len(labelled)} labelled paragraph(s) "
                                        f"({', '.join(sorted({s.label for s in labelled}))}) and no official "
                                        "named by the title, a header or an honorific", labelled[0].line)
    if not speaking and not has_main:
        raise TranscriptError(doc.path, "no credible turns: questions but no official or host speaks",
                              labelled[0].line)
    for r in roles.values():
        if r.role == OUTLET and (label_role(r.label) or re.match(r"(?i)^(mr|ms|mrs|dr)\.?\s", r.label)):
            line = next(s.line for s in labelled if s.label == r.label)
            raise TranscriptError(doc.path, f"label {r.label!r} would be filed as an outlet but reads as an "
                                            "official's", line)
    warnings = []
    asked = sum(1 for s in labelled if roles[s.label].role in (REPORTER, OUTLET, FOLLOW_UP))
    if asked == 0:
        warnings.append("no questions found: every turn is a statement")
    return warnings


def _reading(doc: Document, body: list[Segment], roles: dict[str, LabelRole], names: dict[str, str],
             turns: list[Turn], warnings: list[str], header: str, day: date) -> Reading:
    dropped = sum(_words(s.text) for s in body if s.form in ("time", "end"))     # time stamps, END lines
    total = max(1, sum(_words(b.text) for b in doc.blocks) - dropped)
    kept = sum(_words(t.outlet) + _words(t.question) + _words(t.answer) for t in turns)
    kept += sum(_words(s.label) for s in body if s.label)
    share = min(1.0, kept / total)
    conventions = _conventions(body, roles, header)
    if share < 0.8:
        warnings.append(f"only {share:.0%} of the text went into turns")
    answered = [t for t in turns if t.kind == KIND_QA and t.answer]
    if answered and sum(1 for t in answered if t.speakers) < 0.9 * len(answered):
        warnings.append(f"{sum(1 for t in answered if not t.speakers)} of {len(answered)} answers name no speaker")
    return Reading(container=doc.container, encoding=doc.encoding, date_from=doc.date_from if day != UNDATED
                   else "none", conventions=tuple(conventions), share=round(share, 4),
                   labels=tuple(LabelReading(r.label, r.role, r.count, r.why, names.get(r.label, "")) for r in
                                sorted(roles.values(), key=lambda r: -r.count)),
                   warnings=tuple(dict.fromkeys(warnings)))


def _conventions(body: list[Segment], roles: dict[str, LabelRole], header: str) -> list[str]:
    found = []
    forms = Counter(s.form for s in body if s.label)
    role_count = Counter(roles[s.label].role for s in body if s.label)
    if any(s.label == "Q" for s in body):
        found.append("Q before questions")
    if any(label.upper() == "A" for label in roles):
        found.append("A: before answers")
    if any(r.role == OFFICIAL and r.label.isupper() and len(r.label) > 1 for r in roles.values()):
        found.append("NAME: in capitals")
    if any(r.role == OFFICIAL and not r.label.isupper() for r in roles.values()):
        found.append("Name: before the words" if forms["colon"] >= forms["line"] else "Name: on its own line")
    if any(s.stamped for s in body):
        found.append("timestamps after labels")
    if role_count[OUTLET]:
        found.append("Outlet: before questions")
    if role_count[FOLLOW_UP]:
        found.append("Follow-up:")
    if role_count[HOST]:
        found.append("host/moderator")
    if role_count[INTERPRETER] or any("(As interpreted" in s.text for s in body):
        found.append("interpreter")
    if header:
        found.append("header blocks")
    return found


def _roles(title: str, in_title: list[str], header_roles: list[tuple[str, str]], roles: dict[str, LabelRole],
           names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(official, job title as written, normalised) from the title, the header items and capitals labels."""
    out: dict[str, str] = {}
    for name, role in [*title_roles(title, in_title), *header_roles]:
        out.setdefault(name, role)
    for label, r in roles.items():
        if r.role == OFFICIAL:
            role = label_role(label)
            name = names.get(label, label)
            if role and name not in out:
                out[name] = role
    return tuple(out.items())


def page_title(text: str) -> str:
    return clean(text)
