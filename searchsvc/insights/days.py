"""Insights stage: which turns carry a date (a document without one is filed under models.UNDATED) and the span
of days of a set of turns, so that timelines, trends and profiles never show undated turns as a day of 1900."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..models import UNDATED

UNDATED_ORDINAL = UNDATED.toordinal()


def dated(day: np.ndarray) -> np.ndarray:
    """A mask of the turns with a date, from the tables' date ordinals (0: no document, UNDATED: no date given)."""
    return day > UNDATED_ORDINAL


def day_span(days: np.ndarray) -> tuple[date, date]:
    """(first, last) day of date ordinals, undated ones left out; (UNDATED, UNDATED) when none is dated."""
    known = days[dated(days)]
    if not len(known):
        return UNDATED, UNDATED
    return date.fromordinal(int(known.min())), date.fromordinal(int(known.max()))
