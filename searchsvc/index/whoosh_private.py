"""Index stage: the one door to Whoosh's internals: private attributes, W3 on-disk format details, pickled paths.

Everything else in searchsvc uses Whoosh's public API. The fast paths here read (and the bulk writer
writes) the W3 codec of the pinned whoosh-reloaded version directly; on any other version FAST is
False, every reader below answers None and its caller takes the public-API path (slower, same
results), and the bulk writer is not used (Whoosh's own writer is). Private names are imported lazily,
inside the functions, so a renamed one never breaks importing searchsvc.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

PINNED = "2.7.5"   # whoosh-reloaded version whose internals this module reads (pyproject.toml pins it)
# Class paths Whoosh pickles into every index's table of contents: they must stay importable forever.
PICKLED_PATHS = ("searchsvc.analysis.TermTokenizer", "searchsvc.analysis.NormalizeFilter",
                 "searchsvc.schema.TermPositions")
# What opening a damaged generation raises (table of contents not unpickled, truncated or missing files),
# besides Whoosh's own whoosh.index.IndexError (see unreadable_errors).
_DAMAGE_ERRORS: tuple[type[Exception], ...] = (
    pickle.UnpicklingError, EOFError, struct.error, zlib.error, ValueError, KeyError, IndexError, TypeError,
    AttributeError, ImportError, OSError,
)


def installed_version() -> str:
    try:
        return metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        import whoosh
        return str(whoosh.versionstring())


FAST = installed_version() == PINNED   # constant per process: the installed Whoosh does not change


def version_notice() -> str | None:
    """None on the pinned Whoosh; else what runs differently (said once at start by the CLI and the server)."""
    if FAST:
        return None
    return (f"whoosh-reloaded {installed_version()} is installed, searchsvc is built for {PINNED}: "
            "its fast paths are off (searches and builds are slower, results the same)")


def unreadable_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean "this generation cannot be opened as it is on disk"."""
    from whoosh.index import IndexError as WhooshIndexError  # its EmptyIndexError, IndexVersionError ...

    return (*_DAMAGE_ERRORS, WhooshIndexError)


def describe_damage(exc: BaseException) -> str:
    """A short reason for a generation that cannot be opened."""
    if isinstance(exc, pickle.UnpicklingError | ImportError | AttributeError):
        return f"its table of contents cannot be read ({type(exc).__name__}: {exc})"
    if type(exc).__module__ == "whoosh.index":
        return f"its table of contents is damaged or missing ({type(exc).__name__})"
    if isinstance(exc, FileNotFoundError):
        return f"a file is missing ({Path(str(exc.filename)).name})"
    if isinstance(exc, OSError):   # its text would name the server's folders
        return f"a file cannot be read ({type(exc).__name__}: {exc.strerror})"
    return f"a file is damaged ({type(exc).__name__}: {exc})"


# ---- postings (search.docsets, search.phrases) ---------------------------------------------

def _w3_leaf(matcher: Any) -> Any | None:
    """The W3 codec's leaf matcher under `matcher` (deleted documents are filtered by a wrapper around it);
    None off the pinned Whoosh or for other matchers (a single posting is inlined in the term info)."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import W3LeafMatcher

    leaf = getattr(matcher, "child", matcher)
    return leaf if type(leaf) is W3LeafMatcher else None


def posting_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]] | None:
    """Each posting block's (segment docnums, weights) from the matcher's position on, a whole block at a time
    (deleted documents included); None where the public path (is_active/id/weight/next) must be walked."""
    leaf = _w3_leaf(matcher)
    if leaf is None:
        return None

    def blocks() -> Iterator[tuple[Sequence[int], Sequence[float]]]:
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._weights is None:
                leaf._read_weights()
            start = leaf._i
            yield leaf._ids[start:], leaf._weights[start:]
            leaf._next_block()
    return blocks()


class ValueBlocks:
    """A W3 posting list walked block by block without decoding docnums: each block's length and last docnum,
    its encoded values (positions) read only on demand."""

    def __init__(self, leaf: Any):
        self._leaf = leaf
        self.format = leaf.format

    def active(self) -> bool:
        return bool(self._leaf.is_active())

    def length(self) -> int:
        return int(self._leaf._blocklength)

    def last_id(self) -> int:
        return int(self._leaf._maxid)

    def values(self) -> Sequence[bytes]:
        leaf = self._leaf
        if leaf._values is None:
            leaf._read_values()
        return leaf._values  # type: ignore[no-any-return]

    def next(self) -> None:
        self._leaf._next_block()


def value_blocks(matcher: Any) -> ValueBlocks | None:
    """ValueBlocks over a matcher's posting list; None where the public path (skip_to/value_as) must be taken."""
    leaf = _w3_leaf(matcher)
    return None if leaf is None else ValueBlocks(leaf)


# ---- columns, lengths, deletions (index.schema, search.facets) -----------------------------

def raw_column(sub: Any, fieldname: str) -> list[Any] | None:
    """Every document's untranslated column value in one segment, read in one go from the VarBytesColumn or
    NumericColumn reader; None off the pinned Whoosh or for other column layouts (then iterate the column)."""
    if not FAST:
        return None
    from whoosh.columns import NumericColumn, VarBytesColumn

    col = sub.column_reader(fieldname, translate=False)
    count = sub.doc_count_all()
    if type(col) is VarBytesColumn.Reader:
        lengths, offsets = col._lengths, col._offsets
        if len(lengths) != count or len(offsets) != count:
            return None
        data = col._dbfile.get(col._basepos, offsets[-1] + lengths[-1]) if count else b""
        return [data[o:o + n] for o, n in zip(offsets, lengths)]
    if type(col) is NumericColumn.Reader:
        have = min(col._count, count)
        values = np.frombuffer(col._dbfile.get(col._basepos, have * col._fixedlen), dtype=">" + col._typecode)
        return list(values.tolist()) + [col._default] * (count - have)
    return None


def length_bytes(sub: Any, fieldname: str, count: int) -> np.ndarray | None:
    """A segment's one-byte field lengths (W3's lengths column) in one read; None off the pinned Whoosh."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield

    perdoc: Any = getattr(sub, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if col is None:                      # no document has the field
        return np.zeros(count, dtype=np.uint8)
    have = min(col._count, count)
    raw = np.frombuffer(col._dbfile.get(col._basepos, have), dtype=np.uint8)
    return np.concatenate([raw, np.zeros(count - have, dtype=np.uint8)])


def decoded_lengths() -> np.ndarray:
    """float32[256]: the field length each stored length byte stands for (0 for byte 0)."""
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float32)


def deleted_docnums(sub: Any) -> Iterable[int] | None:
    """The deleted documents of a segment in one call; None where each is_deleted(n) must be asked."""
    if not FAST:
        return None
    from whoosh.codec.whoosh3 import W3PerDocReader

    perdoc: Any = getattr(sub, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader:
        return None
    deleted: Iterable[int] = perdoc.deleted_docs()
    return deleted


# ---- committing segments written by processes (index.segments) ---------------------------

def finish_segment(writer: Any) -> Any:
    """A SegmentWriter's segment, flushed and closed without committing it (sent to the parent process)."""
    return writer._finalize_segment()


def commit_segments(writer: Any, segments: list[Any]) -> None:
    """Make `segments` the index's segments through `writer` (which holds the write lock) and release it."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


# ---- reading a generation's files without mapping them (index.store) ----------------------

PICKLE_CHUNK = 512   # bytes read at once for a posting block's pickled info (a few dozen); more when longer


class _Part:
    """A byte range of an open file, read with os.pread: no shared file position, no mapping, nothing kept."""

    def __init__(self, fd: int, start: int, length: int):
        self._fd, self._start, self._end, self._pos = fd, start, start + length, start

    def read(self, size: int | None = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._end, self._pos + size)
        if end <= self._pos:
            return b""
        data = os.pread(self._fd, end - self._pos, self._pos)
        self._pos += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = os.pread(self._fd, self._end - self._pos, self._pos).split(b"\n", 1)[0]
        data = data + b"\n" if self._pos + len(data) < self._end else data
        data = data if size is None or size < 0 else data[:size]
        self._pos += len(data)
        return data

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return os.pread(self._fd, max(0, min(length, self._end - start)), start)

    def seek(self, where: int, whence: int = 0) -> int:
        base = (self._start, self._pos, self._end)[whence]
        self._pos = max(self._start, base + where)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def part(self, offset: int, length: int) -> _Part:
        return _Part(self._fd, self._start + offset, length)

    def close(self) -> None:
        """The file is the segment's: closed with it."""


def _read_file_class() -> type:
    """StructFile whose compound parts are _Parts of the open segment file (Whoosh's SubFile seeks the shared
    file and reads through its buffer each time), and whose pickles are read in one chunk: the Unpickler would
    otherwise ask for every opcode (one read each)."""
    from whoosh.filedb.structfile import StructFile

    class ReadFile(StructFile):
        def subset(self, offset: int, length: int, name: str | None = None) -> Any:
            outer = self.file
            part = outer.part(offset, length) if type(outer) is _Part else _Part(outer.fileno(), offset, length)
            return ReadFile(part, name=name or self._name)

        def get(self, position: int, length: int) -> bytes:
            part = self.file
            return part.get(position, length) if type(part) is _Part else super().get(position, length)

        def read_pickle(self) -> Any:
            start = self.tell()
            size = PICKLE_CHUNK
            while True:
                data = self.read(size)
                buffer = io.BytesIO(data)
                try:
                    value = pickle.Unpickler(buffer).load()
                except (EOFError, pickle.UnpicklingError):
                    if len(data) < size:     # the file ends inside it: damaged
                        raise
                    size *= 16
                    self.seek(start)
                    continue
                self.seek(start + buffer.tell())
                return value
    return ReadFile


def read_storage(folder: Path) -> Any:
    """A Whoosh FileStorage of `folder` (read-only) whose files are read, never memory-mapped: from a mapped
    compound segment Whoosh copies each part it opens into the process's heap (BufferFile over BytesIO), so
    every process reading it would hold its own copy; read, the kernel's page cache holds one for all."""
    from whoosh.filedb.filestore import FileStorage

    if not FAST:
        return FileStorage(str(folder), supports_mmap=False, readonly=True)
    read_file = _read_file_class()

    class ReadStorage(FileStorage):
        def open_file(self, name: str, **kwargs: Any) -> Any:
            return read_file(open(self._fpath(name), "rb"), name=name, **kwargs)  # noqa: SIM115 - it closes it
    return ReadStorage(str(folder), supports_mmap=False, readonly=True)
