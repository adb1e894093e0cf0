"""Ingest stage: the Python bytes-literal container: a page body written out by a scraper as `b'...'` (optionally
after a `<h1>title</h1>` line), unwrapped and read as HTML; every block is placed on the literal's line."""

from __future__ import annotations

import ast
import re

from ..errors import TranscriptError
from .decode import decode_bytes
from .document import Document
from .html import read_html

_LITERAL = re.compile(r"\A\s*((?:<h1[^>]*>.*?</h1>[ \t]*\n)?)\s*(b(['\"]).*)\Z", re.S | re.I)


def looks_like_bytes_literal(text: str) -> bool:
    m = _LITERAL.match(text[:2000] + ("" if len(text) <= 2000 else text[-10:]))
    return bool(m)


def read_bytes_literal(path: str, text: str, encoding: str) -> Document:
    m = _LITERAL.match(text)
    if not m:
        raise TranscriptError(path, "not a Python bytes literal", 1)
    line = text[: m.start(2)].count("\n") + 1
    try:
        raw = ast.literal_eval(m.group(2).strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise TranscriptError(path, f"broken Python bytes literal: {type(exc).__name__}", line) from None
    if not isinstance(raw, bytes):
        raise TranscriptError(path, "the literal holds no bytes", line)
    body = decode_bytes(path, raw)
    html = f"{m.group(1)}{body.text}"
    return read_html(path, html, f"{encoding} (literal: {body.encoding})", container="python-bytes",
                     line_of=lambda _n: line)
