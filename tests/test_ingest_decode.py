"""Tests for searchsvc.ingest.decode: encodings found, not assumed (UTF-8, BOMs, UTF-16 without BOM, cp1252)."""

from __future__ import annotations

import codecs

import pytest

from searchsvc.errors import TranscriptError
from searchsvc.ingest.decode import decode_bytes

TEXT = "MS. PSAKI:  It’s a café — “quoted”.\nQ  And?\n"


@pytest.mark.parametrize("raw, encoding", [
    (TEXT.encode("utf-8"), "UTF-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "UTF-8 with BOM"),
    (TEXT.encode("utf-16"), "UTF-16"),
    (TEXT.encode("utf-16-le"), "UTF-16"),
    (TEXT.encode("utf-16-be"), "UTF-16"),
    (TEXT.encode("cp1252"), "cp1252"),
    (TEXT.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
])
def test_encodings_are_detected(raw, encoding):
    decoded = decode_bytes("f.txt", raw)
    assert decoded.text == TEXT and decoded.encoding == encoding


@pytest.mark.parametrize("raw, message", [
    (b"\x00\x01\x02\x03binary\xff\xfe\x00" * 50, "binary"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "not valid UTF-16"),
])
def test_binary_and_broken_files_are_refused(raw, message):
    with pytest.raises(TranscriptError, match=message):
        decode_bytes("f.bin", raw)
