"""Ingest stage: dates written in numbers ('1/9/2014', '05/10/16', '2020-04-01T17:35') and in file names."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .common import MONTHS, find_date

_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_./]?(\d\d)[-_./]?(\d\d)(?!\d)")
_NAME_MDY = re.compile(r"(?i)(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*[-_ .]?(\d{1,2})[-_ .,]+((?:19|20)\d\d)")


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def numeric_date(text: str) -> date | None:
    """'1/9/2014' and '05/10/16' (month first, as US pages write them), or None."""
    for m in _NUMERIC.finditer(text):
        year = int(m.group(3))
        year += 2000 if year < 70 else (1900 if year < 100 else 0)
        found = _safe(year, int(m.group(1)), int(m.group(2)))
        if found:
            return found
    return None


def find_any_date(text: str) -> date | None:
    """A date written with a month name, in numbers (m/d/y) or as ISO ('2020-04-01T17:35:00'), or None."""
    if not text:
        return None
    found = find_date(text) or numeric_date(text)
    if found:
        return found
    m = _ISO.search(text)
    return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def date_in_name(path: str | Path) -> date | None:
    """A date in a file name: 'white_house_briefing_April-01-2020.html', '2021-04-16-press-briefing.md'."""
    name = Path(path).stem
    m = _NAME_MDY.search(name)
    if m:
        from .common import month_number
        found = _safe(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
        if found:
            return found
    m = _ISO.search(name)
    return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
