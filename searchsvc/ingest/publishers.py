"""Ingest stage: who published a document, from its own address, site name or title (a label for the conference's
source; the turn segmenter never reads it)."""

from __future__ import annotations

import re

# (pattern over "address | site name | title", source name); the first that matches names the publisher
_PUBLISHERS = (
    (re.compile(r"whitehouse\.gov|whitehouse\.archives|\bthe white house\b", re.I), "whitehouse"),
    (re.compile(r"fmprc\.gov\.cn|mfa\.gov\.cn|\bforeign ministry spokesperson", re.I), "mfa"),
    (re.compile(r"china\.org\.cn|scio\.gov\.cn|\bSCIO\b|state council information office", re.I), "scio"),
)


def publisher_of(url: str = "", title: str = "", site: str = "") -> str:
    """'whitehouse' | 'mfa' | 'scio' when the document says so, else ''."""
    text = f"{url} | {site} | {title}"
    return next((name for pattern, name in _PUBLISHERS if pattern.search(text)), "")
