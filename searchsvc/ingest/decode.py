"""Ingest stage: a file's bytes to text, with the encoding found (BOMs, UTF-16 without BOM, UTF-8, cp1252 ...).

charset-normalizer names the encoding when the bytes are neither UTF-8 nor marked by a byte order mark; a file
it cannot place (binary data) is a TranscriptError, never a half-read text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranscriptError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BOM_NAMES = {"utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "utf-32": "UTF-32"}
# Control characters that text never holds (NUL aside, which says UTF-16 or binary); tab, LF, CR, FF are fine.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class Decoded:
    text: str            # newlines normalised to \n
    encoding: str        # what people read: "UTF-8", "UTF-8 with BOM", "UTF-16", "cp1252", ...


def read_decoded(path: Path) -> Decoded:
    """The file's text and encoding; TranscriptError for unreadable, empty or binary files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    decoded = decode_bytes(str(path), raw)
    if not decoded.text.strip():
        raise TranscriptError(str(path), "empty file")
    return decoded


def decode_bytes(shown: str, raw: bytes) -> Decoded:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(_lines(raw.decode(codec)), _BOM_NAMES[codec])
            except UnicodeDecodeError:
                name = _BOM_NAMES[codec].split()[0]
                raise TranscriptError(shown, f"not valid {name} although it starts with a {name} byte order mark") \
                    from None
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return utf16
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _guess(shown, raw, exc)
    _refuse_binary(shown, text)
    return Decoded(_lines(text), "UTF-8")


def _utf16_without_bom(raw: bytes) -> Decoded | None:
    """UTF-16 text with no BOM: NUL bytes at every other position of mostly-ASCII text."""
    sample = raw[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for codec, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.9 * len(zeros) and chars.count(0) == 0:
            try:
                return Decoded(_lines(raw.decode(codec)), "UTF-16")
            except UnicodeDecodeError:
                return None
    return None


def _guess(shown: str, raw: bytes, exc: UnicodeDecodeError) -> Decoded:
    """Not UTF-8: the encoding charset-normalizer finds most likely (cp1252 for most Western text)."""
    from charset_normalizer import from_bytes

    if b"\x00" in raw[:8192]:
        raise TranscriptError(shown, "binary file (NUL bytes), not a transcript") from None
    best = from_bytes(raw).best()
    if best is None:
        line = raw[: exc.start].count(b"\n") + 1
        raise TranscriptError(shown, f"not text in any known encoding (byte 0x{raw[exc.start]:02x} at offset "
                                     f"{exc.start})", line) from None
    text = str(best)
    _refuse_binary(shown, text)
    try:
        if raw.decode("cp1252") == text:       # Western text reads the same in several code pages: name the usual one
            return Decoded(_lines(text), "cp1252")
    except UnicodeDecodeError:
        pass
    return Decoded(_lines(text), best.encoding)


def _refuse_binary(shown: str, text: str) -> None:
    sample = text[:8192]
    bad = len(_CONTROL.findall(sample))
    if bad and bad > len(sample) / 100:
        raise TranscriptError(shown, "binary file (control characters), not a transcript")


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
