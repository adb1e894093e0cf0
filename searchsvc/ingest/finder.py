"""Ingest stage: speaker labels at the start of text blocks, whatever the convention (one finder for every container).

    Q / Q: / A:                         one-letter question and answer labels
    Name: text  /  NAME: text           a label before the words
    Name:                               a label on its own line; the words follow
    Name: (02:18)  /  Name (02:18):     a label with a timestamp
    NAME (via teleconference): text     a note in brackets after the label
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import clean
from .document import Block
from .labels import CONNECTORS, looks_like_label
from .outlets import fold_outlet, outlet_names

# 'Q' then spaces (often non-breaking), a colon or nothing; 'Q' and one space only where a line may start a turn
_Q_STRONG = re.compile(r"^Q(?:[\u00a0\t][\s\u00a0]*|[\s\u00a0]{2,}|[.:：][\s\u00a0]*|[\s\u00a0]*$)")
_Q_WEAK = re.compile(r"^Q[ ](?=\S)")
_TIMESTAMP = r"[(\[]?\d{1,2}:\d{2}(?::\d{2})?[)\]]?"
# label, an optional note in brackets, an optional timestamp, the colon (a colon before a digit is a time, '24:00')
_COLON = re.compile(r"^(?P<label>[^:：\n]{1,70}?)[ \u00a0]*(?P<note>\([^)\n]{0,60}\))?[ \u00a0]*"
                    r"(?P<ts1>" + _TIMESTAMP + r")?[ \u00a0]*[:：](?!\d)[\s\u00a0]*(?P<ts2>" + _TIMESTAMP +
                    r"(?=\s|$))?[\s\u00a0]*")
_CAPS = re.compile(r"^[A-Z][A-Z0-9.'’\-]*(?:[ \u00a0]+[A-Z0-9.'’\-&]+){0,6}$")
_TIME_LINE = re.compile(r"^\(?\d{1,2}:\d{2}(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s+[A-Z]{2,5})?\)?\.?$")
_END_LINE = re.compile(r"^END\b[\s.:]*(\d{1,2}:\d{2}.*)?$")
_EMPHASIS = re.compile(r"^[*_]{1,3}([^*_\n]{1,70}?)[*_]{1,3}(?=[\s:：])|^[*_]{1,3}([^*_\n]{1,70}?[:：])[*_]{1,3}")


_ASKERS = frozenset("journalist journalists reporter reporters correspondent questioner participant audience".split())


@dataclass
class Segment:
    """A labelled turn piece or an unlabelled paragraph, in document order."""
    line: int
    label: str          # "" for unlabelled text; "Q" for question marks; else the label as written (trimmed)
    form: str           # "q" | "colon" | "line" (label alone) | "time" | "end" | "text"
    text: str
    bold: bool = False
    caps: bool = False  # the label is written in capitals
    stamped: bool = False  # the label carried a timestamp
    weak: bool = False  # not shaped like a label ('Zhao lijian'): a label only if the document names it
    raw: str = ""       # the block as written (to give back the words if the label turns out to be text)


def is_caps_label(label: str) -> bool:
    return bool(_CAPS.match(label)) and len(re.findall(r"[A-Z]", label)) >= 2


def _colon_label(text: str, bold: bool = False) -> tuple[str, str, bool, bool, bool] | None:
    """(label, rest, caps, stamped, weak) when the block opens with a label and a colon."""
    m = _COLON.match(text) if ":" in text or "：" in text else None     # no colon: no label (skips the regex)
    if not m:
        return None
    label = clean(m.group("label")).strip(" .*_")
    if not label:
        return None
    caps = is_caps_label(label)
    weak = False
    if not (caps or looks_like_label(label) or label.upper() in ("Q", "A")):
        if len(label.split()) > 4 or re.search(r"[?!;,\"“”]", label):
            return None
        weak = True
    elif not caps and ("," in label or _described(label, bold)) and fold_outlet(label) not in outlet_names():
        return None
    return label, text[m.end():], caps, bool(m.group("ts1") or m.group("ts2")), weak


def _described(label: str, bold: bool) -> bool:
    """Lowercase words in a label are only allowed after a questioner word ('Journalist clarifies', 'The reporter
    added'), or after 'question' in a label set in bold ('Question raised after the press conference'):
    'So our question to them would be' is a sentence, not a label."""
    words = label.split()
    lower = [w for w in words[1:] if w.isalpha() and w[:1].islower() and w.lower() not in CONNECTORS]
    if not lower:
        return False
    lead = words[1:2] if words[0].lower() in ("the", "this") else words[:1]
    word = lead[0].lower().strip(".") if lead else ""
    return not (word in _ASKERS or (bold and word in ("question", "questions")))


def find_segments(blocks: tuple[Block, ...] | list[Block]) -> list[Segment]:
    """Labels found at the start of blocks that may start a turn; other blocks are text (continuation lines of a
    paragraph are joined to it)."""
    out: list[Segment] = []
    more: list[str] = []        # continuation lines of out[-1], joined once (+= per line is quadratic)
    for block in blocks:
        raw = block.text.strip(" \u00a0\t")
        if raw.startswith(("*", "_")):         # _EMPHASIS only matches there
            raw = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), raw, count=1)
        text = clean(raw)
        if not text:
            continue
        seg = None
        if _Q_STRONG.match(raw) or (_Q_WEAK.match(raw) and block.brk):
            seg = Segment(block.line, "Q", "q", _Q_STRONG.sub("", raw, count=1) if _Q_STRONG.match(raw)
                          else raw[2:], block.bold)
        elif block.brk:
            found = _colon_label(raw, block.bold)
            if found:
                label, rest, caps, stamped, weak = found
                seg = Segment(block.line, label, "colon" if clean(rest) else "line", rest, block.bold, caps,
                              stamped, weak, raw)
            elif block.para and (_TIME_LINE.match(text) or _END_LINE.match(text)):
                seg = Segment(block.line, "", "end" if _END_LINE.match(text) else "time", raw)
        if seg is None and not block.para and out:
            more.append(raw)
            continue
        _join_lines(out, more)
        out.append(seg if seg is not None else Segment(block.line, "", "text", raw, block.bold))
    _join_lines(out, more)
    return out


def _join_lines(out: list[Segment], more: list[str]) -> None:
    """Append the continuation lines gathered for the last segment to its text (and to its raw form if kept)."""
    if more:
        tail = "\n" + "\n".join(more)
        last = out[-1]
        last.text += tail
        if last.raw:
            last.raw += tail
        more.clear()
