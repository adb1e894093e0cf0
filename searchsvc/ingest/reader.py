"""Ingest stage: one file to Documents: decode, pick the container by content (never by the site), read it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import TranscriptError
from .decode import read_decoded
from .document import Block, Document
from .html import looks_like_html, read_html
from .markdown import looks_like_front_matter, read_markdown
from .pybytes import looks_like_bytes_literal, read_bytes_literal
from .text import read_text_document

CONTAINERS = ("markdown", "python-bytes", "html", "text")
SIDECAR = "pages.tsv"          # optional file -> source URL table next to the files (columns: file, url)


def detect_container(text: str) -> str:
    """The container by content: front matter, a bytes literal, HTML, else plain text."""
    if looks_like_front_matter(text):
        return "markdown"
    if looks_like_bytes_literal(text):
        return "python-bytes"
    if looks_like_html(text):
        return "html"
    return "text"


def read_urls(folder: Path) -> dict[str, str]:
    """file name -> source URL from the folder's pages.tsv (empty if there is none or it is unreadable)."""
    try:
        with (folder / SIDECAR).open(encoding="utf-8", newline="") as fh:
            return {row["file"]: row.get("url") or "" for row in csv.DictReader(fh, delimiter="\t")
                    if row.get("file")}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error):
        return {}


def read_document(path: Path, shown: str, urls: dict[str, str] | None = None) -> Document:
    if path.is_dir():
        raise TranscriptError(shown, "is a folder, not a transcript file")
    decoded = read_decoded(path)
    text, encoding = decoded.text, decoded.encoding
    container = detect_container(text)
    try:
        if container == "markdown":
            return read_markdown(shown, text, encoding)
        if container == "python-bytes":
            return read_bytes_literal(shown, text, encoding)
        if container == "html":
            url = (read_urls(path.parent) if urls is None else urls).get(path.name, "")
            return read_html(shown, text, encoding, url=url)
        return read_text_document(shown, text, encoding)
    except TranscriptError:
        raise
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        raise TranscriptError(shown, f"cannot read {container} file: {exc}") from None


def join_pages(docs: list[Document]) -> Document:
    """One document from the pages of a conference split over files (in page order)."""
    docs = sorted(docs, key=lambda d: (d.page, d.path))
    first = docs[0]
    blocks: list[Block] = []
    for doc in docs:
        blocks.extend(doc.blocks)
    notes = first.notes + ((f"{len(docs)} pages joined",) if len(docs) > 1 else ())
    return Document(path=first.path, container=first.container, encoding=first.encoding, title=first.title,
                    date=first.date, date_from=first.date_from, source_url=first.source_url,
                    publisher=first.publisher, blocks=tuple(blocks), page=first.page, notes=notes)


def page_key(doc: Document) -> tuple[str, str]:
    return re.sub(r"\s+", " ", doc.title.casefold()), doc.date.isoformat() if doc.date else ""
