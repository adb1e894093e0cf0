"""Insights stage: deflection rates (share of answers marked as deflections, see deflections.py) over any set of
turns, per (outlet, official) pair for the who-asked-whom matrix, per counterpart on profiles, and the roles a
speaker held (from the index's "name|role" column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..index import schema as S
from ..search.facets import IndexTables, count_values
from .days import day_span
from .deflections import ANSWER_DEFLECTION, ANSWER_SUBSTANTIVE


@dataclass(frozen=True)
class AnswerShare:
    """Answers to questions among some turns, and how many of them were deflections."""
    answers: int
    deflections: int

    @property
    def rate(self) -> float:
        return self.deflections / self.answers if self.answers else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"answers": self.answers, "deflections": self.deflections, "rate": round(self.rate, 4)}


@dataclass(frozen=True)
class RoleSpan:
    """A role a speaker held: in how many conferences, first and last date."""
    role: str
    conferences: int
    first_date: date
    last_date: date


def answer_masks(tables: IndexTables) -> tuple[np.ndarray, np.ndarray]:
    """(answered, deflected): bool[size] of the turns that answer a question, and those marked as deflections."""
    codes = tables.codes["answer"]
    index = tables.index["answer"]
    deflected = codes == index.get(ANSWER_DEFLECTION, -2)
    answered = deflected | (codes == index.get(ANSWER_SUBSTANTIVE, -2))
    return answered & tables.live, deflected & tables.live


def share_of(tables: IndexTables, mask: np.ndarray) -> AnswerShare:
    answered, deflected = answer_masks(tables)
    return AnswerShare(int((mask & answered).sum()), int((mask & deflected).sum()))


def shares_by(tables: IndexTables, facet: str, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per value code of `facet`: answers and deflections among the turns in `mask`."""
    answered, deflected = answer_masks(tables)
    return count_values(tables, facet, mask & answered), count_values(tables, facet, mask & deflected)


def speaker_roles(reader: Any, tables: IndexTables, name: str, mask: np.ndarray) -> tuple[RoleSpan, ...]:
    """The roles `name` held in the turns of `mask`, earliest first."""
    codes, values = S.column_codes(reader, S.SPEAKER_ROLE, "")
    prefix = name + "|"
    out = []
    for code, value in enumerate(values):
        for pair in (value or "").split(","):
            if not pair.startswith(prefix):
                continue
            docs = mask & (codes == code)
            if docs.any():
                out.append((pair[len(prefix):], docs))
    merged: dict[str, np.ndarray] = {}
    for role, docs in out:
        merged[role] = merged[role] | docs if role in merged else docs
    spans = []
    for role, docs in merged.items():
        confs = np.unique(tables.codes["conference"][docs])
        spans.append(RoleSpan(role, int((confs >= 0).sum()), *day_span(tables.day[docs])))
    return tuple(sorted(spans, key=lambda s: (s.first_date, s.role)))
