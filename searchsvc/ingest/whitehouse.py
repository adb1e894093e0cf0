"""Ingest stage: reader for White House briefing transcripts (Markdown with a YAML front matter)."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from ..errors import TranscriptError
from ..models import Conference, make_conference_id
from .common import TurnBuilder, clean, find_date
from .titles import label_role, title_roles

FORMAT = "whitehouse"
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_BLANK = re.compile(r"^[\s\u00a0]*$")
# 'Q' then spaces (often non-breaking), no colon; 'Q:' is tolerated
_Q_STRONG = re.compile(r"^Q(?:[\u00a0\t][\s\u00a0]*|[\s\u00a0]{2,}|:[\s\u00a0]*|[\s\u00a0]*$)")
_Q_WEAK = re.compile(r"^Q[ ](?=\S)")
# 'MS. PSAKI:', 'THE PRESIDENT:', 'SENIOR ADMINISTRATION OFFICIAL (via teleconference):'
_OFFICIAL = re.compile(r"^([A-Z][A-Z0-9.'’\-]*(?:[ \u00a0]+[A-Z0-9.'’\-]+){0,6})(?:[ \u00a0]*\([^)]{0,60}\))?[ \u00a0]*:"
                       r"(?!\d)[\s\u00a0]*")
_TIME = re.compile(r"^\(?\d{1,2}:\d{2}(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s+[A-Z]{2,5})?\)?\.?$")
_END = re.compile(r"^END\b[\s.:]*(\d{1,2}:\d{2}.*)?$")
_MODERATOR_WORDS = frozenset("MODERATOR OPERATOR AIDE HOST".split())
_ROLE_PREFIX = frozenset("""MR MS MRS MISS DR THE SECRETARY ACTING ADMINISTRATOR AMBASSADOR DIRECTOR DEPUTY CHAIR CHAIRMAN
CHAIRWOMAN GOVERNOR MAYOR REPRESENTATIVE SENATOR ADMIRAL VICE GENERAL LIEUTENANT COLONEL MAJOR CAPTAIN COMMANDER
SURGEON ADVISOR ADVISER COACH PRESIDENT PRIME MINISTER COORDINATOR SPEAKER LEADER ENVOY COUNSELOR CHIEF PRINCIPAL
ASSISTANT SPECIAL ATTORNEY COMMISSIONER SENIOR""".split())
# Title words that are roles, not parts of a person's name.
_TITLE_ROLES = frozenset(w.lower() for w in _ROLE_PREFIX | {
    "Press", "Briefing", "Gaggle", "Call", "By", "National", "Security", "Economic", "Council", "Communications",
    "Strategic", "Homeland", "Health", "Domestic", "Policy", "White", "House", "Office", "Administration",
    "Official", "Officials", "Response", "Team", "Public", "Experts", "Climate", "Task", "Force", "Agency",
    "Department", "Management", "Budget", "Federal", "Emergency", "Defense", "State", "Treasury", "Energy",
    "Transportation", "Education", "Agriculture", "Commerce", "Labor", "Interior", "Justice", "Affairs",
    "Veterans", "Housing", "Urban", "Development", "Human", "Services", "Infrastructure", "Implementation",
    "Gun", "Violence", "Prevention", "Nsc", "Cea", "Omb", "Epa", "Fema", "Hhs", "Usda", "Dhs", "Doe", "Covid-19",
    "Covid", "On", "And", "Of", "The", "For", "To", "In", "With", "En", "Route", "Aboard", "Air", "One",
    "Secretary", "Spokesperson", "Adviser", "Previewing", "Preview", "Previews", "Announces", "Announcing",
    "Discuss", "Discusses", "Discussing", "Travel", "Trip", "Visit", "Update", "Updates", "Ahead", "After",
    "Before", "During", "Following", "Member", "Members", "Staff", "Remarks", "Statement", "Background", "Record", "On-the-Record"})
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_NAME_TOKEN = re.compile(r"[A-Z][a-zA-Z'’\-]*\.?|[A-Z]\.")


def looks_like_whitehouse(text: str) -> bool:
    m = _FRONT.match(text)
    return bool(m and re.search(r"^(title|date)\s*:", m.group(1), re.M))


_SCALARS = (str, int, float, dt.date)


def _front_matter(path: str, text: str) -> tuple[dict, str, int]:
    m = _FRONT.match(text)
    if not m:
        raise TranscriptError(path, "no YAML front matter", 1)
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise TranscriptError(path, f"bad YAML front matter: {getattr(exc, 'problem', exc)}",
                              (line + 2) if line is not None else 1) from None
    if not isinstance(meta, dict):
        raise TranscriptError(path, "front matter is not a mapping", 1)
    # Only plain values are read: a list or mapping (e.g. a YAML alias bomb) would be turned into a string of
    # any size by str(); such a field counts as missing.
    meta = {key: value for key, value in meta.items() if isinstance(value, _SCALARS)}
    return meta, text[m.end():], m.group(0).count("\n") + 1


def _meta_date(path: str, meta: dict, title: str) -> dt.date:
    value = meta.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = find_date(str(value)) if value else None
    found = found or find_date(title)
    if not found:
        raise TranscriptError(path, "no date in the front matter", 1)
    return found


def title_names(title: str) -> list[tuple[str, bool]]:
    """Capitalised person names in a title, each with whether a role word precedes it.

    'Press Briefing by Press Secretary Jen Psaki and NSC Coordinator John Kirby'
    -> [('Jen Psaki', True), ('John Kirby', True)]
    """
    names: list[tuple[str, bool]] = []
    for chunk in re.split(r"[,;:()|–—]|['’]s\b|\s-\s", title):
        tokens = re.findall(r"[A-Za-z][A-Za-z.'’\-]*", chunk)
        run: list[str] = []
        run_before = before = ""
        for tok in tokens + ["and"]:
            low = tok.lower().strip(".")
            if _NAME_TOKEN.fullmatch(tok) and low not in _TITLE_ROLES and low not in _MONTHS:
                if not run:
                    run_before = before
                run.append(tok)
            else:
                name = _name_from_run(run, run_before)
                if name:
                    names.append((name, run_before in _TITLE_ROLES or run_before == "by"))
                run = []
            before = low
    return names


_SMALL = frozenset("on and of the for to in with en at by from".split())
_NOUN_END = re.compile(r"(ment|ments|ies|ics|ness|ers|ion|ions|ors)$")


def _ends_name(tok: str) -> bool:
    """A title word that cannot be part of a name before the surname: an acronym or a common noun."""
    return (tok.isupper() and len(tok) > 1) or bool(_NOUN_END.search(tok.lower())) or tok.lower() in _TITLE_ROLES


def _is_role(tok: str) -> bool:
    """A word naming a job or body just before a person's name ('Secretary', 'APNSA', 'Engagement')."""
    low = tok.lower().strip(".")
    return (low in _TITLE_ROLES and low not in _SMALL) or (tok.isupper() and len(tok) > 1) or bool(
        re.search(r"(ment|ion|ions|ers|ors)$", low))


def _name_from_run(run: list[str], before: str = "") -> str:
    """The person name at the end of a run of capitalised title words: given name(s), initials, surname.

    'APNSA Jake Sullivan' -> 'Jake Sullivan'; 'Engagement Keisha Lance Bottoms' -> 'Keisha Lance Bottoms';
    'Europe Amanda Sloat' -> 'Amanda Sloat' (a third word only after a role word or a common noun).
    """
    words = [t for t in run if not re.fullmatch(r"[A-Z]\.?", t)]
    if len(words) < 2:
        return ""
    start = len(run) - 1
    count = 1
    for k in range(len(run) - 2, -1, -1):
        tok = run[k]
        if re.fullmatch(r"[A-Z]\.?", tok):
            start = k
            continue
        if _ends_name(tok) or count >= 3:
            break
        if count == 2:
            prev = run[k - 1] if k > 0 else before
            if not (k == 0 and before in ("by", "")) and not _is_role(prev):
                break
        start, count = k, count + 1
    name = run[start:]
    return " ".join(name) if len([t for t in name if not re.fullmatch(r"[A-Z]\.?", t)]) >= 2 else ""


_KEEP_LOWER = frozenset("the and of for one two air mr ms mrs dr sr jr mr. ms. mrs. dr. sr. jr.".split())


def readable(label: str) -> str:
    """'MS. JEAN-PIERRE' -> 'Ms. Jean-Pierre', 'THE PRESIDENT' -> 'The President', 'FBI OFFICIAL' -> 'FBI Official'."""
    def cap(part: str) -> str:
        if not part:
            return part
        part = part[0].upper() + part[1:].lower()
        part = re.sub(r"^(Mc|O['’])([a-z])", lambda m: m.group(1) + m.group(2).upper(), part)
        return part

    def word(w: str) -> str:
        letters = re.sub(r"[^A-Za-z]", "", w)
        if 2 <= len(letters) <= 3 and w.isupper() and w.lower() not in _KEEP_LOWER:
            return w                                                       # an acronym: FBI, NSC, DOD
        return "-".join(cap(p) for p in w.split("-"))
    words = [word(w) for w in label.split()]
    return " ".join(w.lower() if k and w.lower() in _SMALL else w for k, w in enumerate(words))


def speaker_name(label: str, names: list[tuple[str, bool]]) -> str:
    """The full name for a capitals label where the title names the person, else a readable label."""
    words = [w for w in re.split(r"[\s\u00a0]+", label.strip()) if w]
    core = [w for w in words if w.strip(".").upper() not in _ROLE_PREFIX]
    if core and len(core) <= 2:
        surname = core[-1].strip(".").casefold()
        for name, _ in names:
            parts = name.split()
            for k in range(1, len(parts)):
                if parts[k].strip(".").casefold() == surname:
                    return " ".join(parts[: k + 1])
    return readable(" ".join(words))


def _segments(body: str, first_line: int):
    """(line, kind, label, text) per labelled segment or unlabelled paragraph; kind in q/official/text/end."""
    lines = body.split("\n")
    out: list[list] = []
    prev_blank, prev = True, ""
    for i, raw in enumerate(lines):
        n = first_line + i
        if _BLANK.match(raw):
            prev_blank = True
            continue
        stripped = raw.strip(" \u00a0\t")
        hard_break = (prev_blank or re.search(r"[ \u00a0]{2}$|\\$", prev) is not None
                      or re.search(r"[.?!\"”)\]—]\s*$", prev) is not None)
        para_start = prev_blank
        seg = None
        m = _OFFICIAL.match(stripped)
        if _Q_STRONG.match(stripped) or (_Q_WEAK.match(stripped) and hard_break):
            if para_start or hard_break or _Q_STRONG.match(stripped):
                seg = [n, "q", "Q", _Q_STRONG.sub("", stripped, count=1) if _Q_STRONG.match(stripped)
                       else stripped[2:]]
        elif m and hard_break and m.group(1).strip() not in ("Q",) and re.search(r"[A-Z]{2}", m.group(1)):
            seg = [n, "official", clean(m.group(1)), stripped[m.end():]]
        elif para_start and (_TIME.match(clean(stripped)) or _END.match(clean(stripped))):
            seg = [n, "end" if _END.match(clean(stripped)) else "time", "", stripped]
        if seg is not None:
            out.append(seg)
        elif para_start or not out:
            out.append([n, "text", "", stripped])
        else:
            out[-1][3] += "\n" + stripped
        prev_blank, prev = False, raw
    return out


def parse(path: str, text: str) -> list[Conference]:
    meta, body, first_line = _front_matter(path, text)
    title = clean(str(meta.get("title") or ""))
    if not title:
        raise TranscriptError(path, "no title in the front matter", 1)
    day = _meta_date(path, meta, title)
    names = title_names(title)
    segs = _segments(body, first_line)
    # time lines at the top, and END / time lines after the first turn, are dropped; text after END
    # (a note such as "To view the slides, visit ...") is kept as a statement without a speaker
    first_label = next((k for k, s in enumerate(segs) if s[1] in ("q", "official")), len(segs))
    builder = TurnBuilder()
    moderators: set[str] = set()
    label_roles: dict[str, str] = {}
    for k, (n, kind, label, seg_text) in enumerate(segs):
        if kind in ("end", "time"):
            if k > first_label:
                builder.close_question()
                builder.last = None
            continue
        if kind == "q":
            builder.question("", seg_text, n)
        elif kind == "official":
            last_word = label.replace(".", "").split()[-1] if label.split() else ""
            if last_word in _MODERATOR_WORDS:
                name = readable(label)
                moderators.add(name)
                builder.moderator(name, seg_text, n)
            else:
                speaker = speaker_name(label, names)
                if label_role(label):
                    label_roles.setdefault(speaker, label_role(label))
                builder.answer(speaker, seg_text, n)
        else:
            builder.text(seg_text, n)
    spoke = [s for s in builder.speakers() if s not in moderators]
    officials = list(dict.fromkeys([*spoke, *(name for name, role in names if role)]))
    roles = dict(title_roles(title, [name for name, role in names if role]))
    for name, role in label_roles.items():
        roles.setdefault(name, role)
    return [Conference(id=make_conference_id(FORMAT, day, title), title=title, date=day,
                       source_url=clean(str(meta.get("source_url") or "")), source_file=path,
                       source_format=FORMAT, officials=tuple(officials), turns=builder.turns(),
                       roles=tuple(roles.items()))]
