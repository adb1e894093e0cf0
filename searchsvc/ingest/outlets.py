"""Ingest stage: the shipped list of news outlets (searchsvc/data/news_outlets.txt), read once per process."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def outlet_names() -> frozenset[str]:
    """The shipped list of news outlets (searchsvc/data/news_outlets.txt), folded for comparison."""
    text = resources.files("searchsvc").joinpath("data/news_outlets.txt").read_text(encoding="utf-8")
    return frozenset(fold_outlet(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def fold_outlet(name: str) -> str:
    return re.sub(r"^the\s+", "", " ".join(name.split()).casefold()).strip(" .")
