"""Ingest stage: shared helpers for the readers (decoding, text normalisation, dates, the turn builder)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import TranscriptError
from ..models import KIND_MODERATOR, KIND_QA, KIND_STATEMENT, Turn

_PARAS = re.compile(r"\n[ \t\u00a0]*\n")
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")

MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"), start=1)}
_MONTH_RE = (r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# "November 5, 2023", "Nov. 5, 2023", "June4, 2019", "5 November 2023"
_MDY = re.compile(_MONTH_RE + r"\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})", re.I)
_DMY = re.compile(r"(\d{1,2})\s+" + _MONTH_RE + r"\.?,?\s+(\d{4})", re.I)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MD = re.compile(_MONTH_RE + r"\.?\s*(\d{1,2})\b(?!,?\s*\d{4})", re.I)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (BOM allowed; UTF-16/32 only with their BOM), else a clear TranscriptError naming
    the first bad byte's line (or saying the file is binary).

    No silent fallback: a transcript in another encoding is reported, never half-read.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        if not exc.encoding.startswith("utf-8"):
            name = exc.encoding.upper()[:6]
            raise TranscriptError(str(path), f"not valid {name} although it starts with a {name} byte order mark") \
                from None
        if b"\x00" in raw[:8192]:
            raise TranscriptError(str(path), "binary file (NUL bytes; UTF-16 needs a byte order mark), "
                                             "not a UTF-8 transcript") from None
        line = raw[: exc.start].count(b"\n") + 1
        raise TranscriptError(str(path), f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                              line) from None
    if not text.strip():
        raise TranscriptError(str(path), "empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(raw: bytes) -> str:
    """UTF-8 (BOM allowed); UTF-16/32 only when the file starts with their byte order mark (no guessing)."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding)
    return raw.decode("utf-8-sig")


def clean(text: str) -> str:
    """One paragraph: non-breaking and other odd spaces to spaces, whitespace collapsed, trimmed."""
    if not text.isascii() and any(char in text for char in _ZERO_WIDTH_CHARS):    # a few C scans, not a regex one
        text = _ZERO_WIDTH.sub("", text)
    return " ".join(text.split())          # str.split() splits at nbsp, ideographic and other spaces


def month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    for full, num in MONTHS.items():
        if full.startswith(name[:3]):
            return num
    raise ValueError(name)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first full date written in `text` (month-name styles first, then ISO), or None."""
    for m in _MDY.finditer(text):
        found = _safe_date(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
        if found:
            return found
    for m in _DMY.finditer(text):
        found = _safe_date(int(m.group(3)), month_number(m.group(2)), int(m.group(1)))
        if found:
            return found
    for m in _ISO.finditer(text):
        found = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    return None


def all_dates(text: str) -> list[date]:
    """Every full month-name date written in `text`."""
    out: list[date] = []
    for m in _MDY.finditer(text):
        found = _safe_date(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
        if found:
            out.append(found)
    return out


def title_from_file(path: str) -> str:
    """A title made of a file's name (separators read as spaces), for a document that states none."""
    return clean(re.sub(r"[_\-]+", " ", Path(path).stem))


def find_month_day(text: str) -> tuple[int, int] | None:
    """A 'Month Day' written without a year ("on September 10"), or None."""
    m = _MD.search(text)
    if not m:
        return None
    return month_number(m.group(1)), int(m.group(2))


def nearest_year(month: int, day: int, around: date) -> date | None:
    """The date with this month and day closest to `around` (a year is missing from a title)."""
    best = None
    for year in (around.year - 1, around.year, around.year + 1):
        cand = _safe_date(year, month, day)
        if cand and (best is None or abs((cand - around).days) < abs((best - around).days)):
            best = cand
    return best


def surname_key(name: str) -> str:
    """Case- and space-insensitive key for comparing names ("Hua chunying" == "Hua Chunying")."""
    return re.sub(r"[\W_]+", "", name).casefold()


# ---- turn builder -----------------------------------------------------------------------------

@dataclass
class _Draft:
    kind: str
    line: int
    outlet: str = ""
    question: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)


class TurnBuilder:
    """Collects labelled and unlabelled paragraphs into turns (the same rules for every format).

    - question(): every question label starts a new question-answer turn;
    - answer(): an official speaking answers the open question (several officials may answer
      in turn); with no open question it is a statement (a new one when the speaker changes);
    - moderator(): the host passing the floor, opening or closing: a moderator turn; the open
      question stays open so that the next official's words still answer it;
    - text(): an unlabelled paragraph continues whatever came just before it.
    """

    def __init__(self, default_speaker: str = ""):
        self.default_speaker = default_speaker
        self.drafts: list[_Draft] = []
        self.open_qa: _Draft | None = None
        self.last: _Draft | None = None
        self.part = "answer"          # where unlabelled text of `last` goes
        self.last_outlet = ""

    def question(self, outlet: str | None, text: str, line: int) -> None:
        """`outlet` None means "same questioner as before" (Follow-up)."""
        outlet = self.last_outlet if outlet is None else outlet
        self.last_outlet = outlet
        draft = _Draft(KIND_QA, line, outlet=outlet)
        self._add(draft.question, text)
        self.drafts.append(draft)
        self.open_qa = self.last = draft
        self.part = "question"

    def answer(self, speaker: str, text: str, line: int) -> None:
        speaker = speaker or self.default_speaker
        if self.open_qa is not None:
            draft = self.open_qa
        elif (self.last is not None and self.last.kind == KIND_STATEMENT
              and self.last.speakers == ([speaker] if speaker else [])):
            draft = self.last
        else:
            draft = _Draft(KIND_STATEMENT, line)
            self.drafts.append(draft)
        if speaker and speaker not in draft.speakers:
            draft.speakers.append(speaker)
        self._add(draft.answer, text)
        self.last = draft
        self.part = "answer"

    def moderator(self, speaker: str, text: str, line: int) -> None:
        last = self.last
        if last is not None and last.kind == KIND_MODERATOR and last.speakers == [speaker]:
            draft = last
        else:
            draft = _Draft(KIND_MODERATOR, line, speakers=[speaker] if speaker else [])
            self.drafts.append(draft)
        self._add(draft.answer, text)
        self.last = draft
        self.part = "answer"

    def close_question(self) -> None:
        """Officials speaking from now on make statements, not answers (e.g. a new segment)."""
        self.open_qa = None

    def text(self, text: str, line: int) -> None:
        if not text or text.isspace() or (not text.isascii() and not clean(text)):     # clean(text) == ""
            return
        if self.last is None:
            self.answer(self.default_speaker, text, line)
            return
        target = self.last.question if self.part == "question" else self.last.answer
        self._add(target, text)

    @staticmethod
    def _add(target: list[str], text: str) -> None:
        """Append text; paragraphs inside it (separated by blank lines) stay separate."""
        for para in _PARAS.split(text):
            para = clean(para)
            if para:
                target.append(para)

    def turns(self) -> list[Turn]:
        out: list[Turn] = []
        for draft in self.drafts:
            if draft.kind != KIND_QA and not draft.answer:
                continue
            out.append(Turn(seq=len(out), kind=draft.kind, outlet=draft.outlet,
                            question="\n\n".join(draft.question), speakers=tuple(draft.speakers),
                            answer="\n\n".join(draft.answer), line=draft.line))
        return out

    def speakers(self) -> list[str]:
        """Everyone who answered or spoke, in order of first appearance."""
        seen: list[str] = []
        for draft in self.drafts:
            for s in draft.speakers:
                if s not in seen:
                    seen.append(s)
        return seen
