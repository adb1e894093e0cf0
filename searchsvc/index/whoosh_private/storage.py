"""Index stage, Whoosh's internals: a generation's files read with os.pread, never memory-mapped."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

from . import version

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

    if not version.FAST:
        return FileStorage(str(folder), supports_mmap=False, readonly=True)
    read_file = _read_file_class()

    class ReadStorage(FileStorage):
        def open_file(self, name: str, **kwargs: Any) -> Any:
            return read_file(open(self._fpath(name), "rb"), name=name, **kwargs)  # noqa: SIM115 - it closes it
    return ReadStorage(str(folder), supports_mmap=False, readonly=True)
