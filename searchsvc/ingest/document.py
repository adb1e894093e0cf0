"""Ingest stage: what a container makes of a file (title, date, header facts, ordered text blocks) for the segmenter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Block:
    """One paragraph or line of the transcript body, as the container found it."""
    text: str               # the text as written (labels included); spaces inside kept for the label rules
    line: int               # 1-based line in the file where the block starts
    para: bool = True       # starts a paragraph (a blank line or a block element before it)
    brk: bool = True        # starts a line after a hard break (para implies brk)
    bold: bool = False      # its first words are bold (HTML)


@dataclass(frozen=True)
class Document:
    path: str
    container: str                      # "html" | "markdown" | "text" | "python-bytes"
    encoding: str
    title: str
    date: date | None
    date_from: str                      # where the date was read: "front matter", "title", "<time>", ...
    source_url: str = ""
    publisher: str = ""                 # "whitehouse" | "mfa" | "scio" when the document names it, else ""
    blocks: tuple[Block, ...] = ()
    page: int = 0                       # page number of a conference split over files (0: not paged)
    notes: tuple[str, ...] = field(default_factory=tuple)   # what the container noticed (for inspect)
