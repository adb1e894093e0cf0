"""Ingest stage: people and job titles as a document writes them (titles, header items, capitals labels).

    title_names("Press Briefing by Press Secretary Jen Psaki")  -> [("Jen Psaki", True)]
    title_roles(title, ["Jen Psaki"])                            -> [("Jen Psaki", "Press Secretary")]
    item_role("Mr. Shou Xiaoli, spokesperson of the SCIO")       -> ("Shou Xiaoli", "Spokesperson of the SCIO")
    label_role("SECRETARY ESPER")                                -> "Secretary"
    speaker_name("MS. PSAKI", names) -> "Jen Psaki";  readable("THE PRESIDENT") -> "The President"
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_ROLE_PREFIX = frozenset("""MR MS MRS MISS DR THE SECRETARY ACTING ADMINISTRATOR AMBASSADOR DIRECTOR DEPUTY CHAIR
CHAIRMAN CHAIRWOMAN GOVERNOR MAYOR REPRESENTATIVE SENATOR ADMIRAL VICE GENERAL LIEUTENANT COLONEL MAJOR CAPTAIN
COMMANDER SURGEON ADVISOR ADVISER COACH PRESIDENT PRIME MINISTER COORDINATOR SPEAKER LEADER ENVOY COUNSELOR
CHIEF PRINCIPAL ASSISTANT SPECIAL ATTORNEY COMMISSIONER SENIOR""".split())
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
    "Before", "During", "Following", "Member", "Members", "Staff", "Remarks", "Statement", "Background", "Record",
    "On-the-Record"})
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_NAME_TOKEN = re.compile(r"[A-Z][a-zA-Z'’\-]*\.?|[A-Z]\.")


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


def speaker_name(label: str, names: list[str]) -> str:
    """The full name for a capitals label where the title names the person, else a readable label."""
    words = [w for w in re.split(r"[\s\u00a0]+", label.strip()) if w]
    core = [w for w in words if w.strip(".").upper() not in _ROLE_PREFIX]
    if core and len(core) <= 2:
        surname = core[-1].strip(".").casefold()
        for name in names:
            parts = name.split()
            for k in range(1, len(parts)):
                if parts[k].strip(".").casefold() == surname:
                    return " ".join(parts[: k + 1])
    return readable(" ".join(words))


# Words that head a job title ("... Secretary", "... Spokesperson"): a job title is a run of role words with one.
ROLE_HEADS = frozenset("""president minister secretary spokesperson spokesman spokeswoman coordinator adviser advisor
director ambassador chairman chairwoman chairperson chair governor senator general admiral commissioner administrator
surgeon chief counselor envoy representative mayor premier chancellor king queen prince sultan emir ceo officer
lieutenant colonel major captain commander attorney leader speaker head deputy manager official officials""".split())
# Words that may stand inside a job title before its head ("Principal Deputy Press Secretary", "NSC Coordinator").
ROLE_WORDS = ROLE_HEADS | frozenset("""press vice prime foreign principal assistant special senior national security
economic homeland domestic policy communications strategic white house ministry state defense treasury health
first second executive acting interim administration of the for and""".split())
_HONORIFIC = re.compile(r"^(?:mr|ms|mrs|miss|madam|madame|dr|prof|professor|sir|h\.?e\.?)\.?\s+", re.I)
_ROLE_SMALL = frozenset("of the for and on in at to de".split())
_STOP = frozenset("by with from on at in during after before aboard en route to".split())


def normalise_role(text: str) -> str:
    """'PRINCIPAL DEPUTY press secretary' -> 'Principal Deputy Press Secretary'; an acronym that the shipped
    synonyms list spells out is written in full ('NSC Coordinator' -> 'National Security Council Coordinator', so
    one job is one value of the role facet), other acronyms stay ('CEA Chair')."""
    words = []
    shouting = text.isupper()
    expansions = acronym_expansions()
    for k, word in enumerate(text.split()):
        low = word.lower()
        if k and low in _ROLE_SMALL:
            words.append(low)
        elif word.isupper() and low in expansions:
            words.append(expansions[low])
        elif word.isupper() and len(word) >= 2 and (not shouting or (len(word) <= 4 and low not in ROLE_WORDS)):
            words.append(word)
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(words).strip(" ,.;:")


@lru_cache(maxsize=1)
def acronym_expansions() -> dict[str, str]:
    """Acronyms of data/query_synonyms_en.txt -> the member of their group whose initials spell them, title-cased
    ('nsc' -> 'National Security Council', 'prc' -> "People's Republic of China"; 'dprk' has none: no member's
    initials are d-p-r-k)."""
    text = resources.files("searchsvc").joinpath("data/query_synonyms_en.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        members = [m.strip() for m in line.replace("=>", "|").split("|") if m.strip()]
        for short in (m for m in members if m.isalpha() and " " not in m and len(m) >= 2):
            for full in members:
                words = full.split()
                initials = "".join(w[0] for w in words if w.lower() not in _ROLE_SMALL)
                if len(words) > 1 and initials.lower() == short.lower():
                    out.setdefault(short.lower(), " ".join(w if w.lower() in _ROLE_SMALL else w[:1].upper() + w[1:]
                                                           for w in words))
    return out


def _role_before(words: list[str]) -> str:
    """The job title at the end of `words` (the words just before a name), or ''."""
    run: list[str] = []
    for word in reversed(words):
        low = word.lower().strip(".,")
        if low in _STOP or not (word[:1].isupper() or low in _ROLE_SMALL):
            break
        if low not in ROLE_WORDS and not (word.isupper() and len(word) > 1):
            break
        run.insert(0, word.strip(","))
    while run and run[0].lower() in _ROLE_SMALL:
        run.pop(0)
    if not run or not any(w.lower().strip(".") in ROLE_HEADS for w in run):
        return ""
    return normalise_role(" ".join(run))


def title_roles(title: str, names: list[str]) -> list[tuple[str, str]]:
    """(name, job title) for each of `names` that the title writes right after a job title, or right before
    one after a comma ('Bill Weldon, CEO for Johnson & Johnson')."""
    out: list[tuple[str, str]] = []
    for name in names:
        at = title.find(name)
        if at < 0:
            continue
        before = re.split(r"[,;:()|–—]|\s-\s", title[:at])[-1]
        role = _role_before(before.split())
        if not role:
            after = title[at + len(name):]
            m = re.match(r"\s*,\s*([^,;:()|]+)", after)
            if m:
                role = _role_after(m.group(1))
        if role:
            out.append((name, role))
    return out


def _role_after(text: str) -> str:
    """'CEO for Google' / 'spokesperson of the SCIO' / 'vice minister of culture and tourism' -> its title, or ''."""
    words = text.split()
    if not words or not any(w.lower().strip(".,") in ROLE_HEADS for w in words[:4]):
        return ""
    return normalise_role(" ".join(words))


def item_role(item: str) -> tuple[str, str]:
    """A header block item 'Mr. X Y, director general of ...' -> (name, job title); '' when no title is written."""
    m = re.match(r"\s*([^,，;(（]+)[,，;(（]\s*(.*)$", item)
    if not m:
        return _HONORIFIC.sub("", item.strip()).strip(), ""
    return _HONORIFIC.sub("", m.group(1).strip()).strip(), _role_after(m.group(2).strip(" )）"))


def label_role(label: str) -> str:
    """The job title a speaker label carries: 'SECRETARY ESPER' -> 'Secretary', 'THE PRESIDENT' -> 'President',
    'PRIME MINISTER KISHIDA' -> 'Prime Minister'; '' for 'MS. PSAKI' or 'Q'."""
    words = [w.strip(".") for w in re.split(r"[\s\u00a0]+", label.strip()) if w.strip(".")]
    if words and words[0].lower() == "the":
        words = words[1:]
    run = []
    for word in words:
        if word.lower() in ROLE_WORDS - _ROLE_SMALL:
            run.append(word)
        else:
            break
    if not run or not any(w.lower() in ROLE_HEADS for w in run):
        return ""
    return normalise_role(" ".join(run))


def title_surnames(title: str) -> list[str]:
    """Single names right after a job title ('President Biden', 'Prime Minister Kishida'): ['Biden', 'Kishida']."""
    out = []
    words = re.findall(r"[A-Za-z][A-Za-z.'’\-]*", title)
    for k in range(1, len(words)):
        if words[k - 1].lower() in ROLE_HEADS and words[k][:1].isupper() and words[k].lower() not in ROLE_WORDS \
                and words[k].lower() not in _TITLE_ROLES:
            out.append(words[k].strip("."))
    return out
