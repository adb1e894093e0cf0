"""Index stage: watching the files of a generation while it serves (checked against its manifest, index/verify.py).

A worker reads a generation for hours while its files can change under it: a bad copy between hosts, a
failing disk, someone truncating or overwriting one. Each file's bytes are hashed once when the generation is
opened; on every request (before and after it reads) each file's size, inode, mtime and ctime are compared with
what they were then (a few stat calls), and a file that changed is hashed again. Damage found sticks: every later
request of the generation gets the same IndexUnreadableError (HTTP 503 rebuild_needed) until CURRENT moves on.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..errors import IndexUnreadableError
from .verify import Manifest, check_file, file_problems, read_manifest

Stamp = tuple[int, int, int, int] | None     # (inode, size, mtime_ns, ctime_ns); None when the file is gone


def stamp_of(path: Path | str) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class GenerationGuard:
    """Watches one open generation for a search service (see the module docstring). Not thread-safe: the
    service's lock guards it."""

    def __init__(self, gen_dir: Path):
        self.gen_dir = gen_dir
        self.damage: IndexUnreadableError | None = None
        manifest = read_manifest(gen_dir)
        # each file's path as a string, joined once: the per-request check is a stat call per file, no Path objects
        self._paths = {r.name: os.path.join(gen_dir, r.name) for r in manifest.files} if manifest else {}
        # stamps before the hashes: a change while hashing shows as a changed stamp at the next check
        self._stamps = {name: stamp_of(path) for name, path in self._paths.items()}
        self.manifest: Manifest | None = manifest
        problems = file_problems(gen_dir, manifest) if manifest is not None else []
        if problems:
            raise problems[0]

    def check(self) -> None:
        """Cheap, per request: raise the known damage, or the damage of a file whose stamp changed."""
        if self.damage is None and self.manifest is not None:
            for record in self.manifest.files:
                now = stamp_of(self._paths[record.name])
                if now == self._stamps[record.name]:
                    continue
                problem = check_file(self.gen_dir, record, sizes_only=True) or check_file(self.gen_dir, record)
                if problem is not None:
                    self.damage = problem
                    break
                self._stamps[record.name] = now     # touched or copied back as it was: same bytes
        if self.damage is not None:
            raise self.damage

    def diagnose(self) -> IndexUnreadableError | None:
        """After a read failed: the damage if any file differs from the build (and remember it), else None."""
        if self.damage is None and self.manifest is not None:
            for record in self.manifest.files:
                problem = check_file(self.gen_dir, record)
                if problem is not None:
                    self.damage = problem
                    break
        return self.damage


class DamageMemo:
    """Remembers the generation last found damaged when opened, so that every request does not hash its
    files again: it is refused at once for RECHECK_SECONDS, then checked again (a restored copy)."""

    RECHECK_SECONDS = 10.0

    def __init__(self) -> None:
        self._refused: tuple[Path, IndexUnreadableError, float] | None = None

    def guard(self, gen_dir: Path) -> GenerationGuard:
        """GenerationGuard(gen_dir), or the damage remembered for it (IndexUnreadableError)."""
        refused = self._refused
        if refused is not None and refused[0] == gen_dir and time.monotonic() < refused[2]:
            raise refused[1]
        try:
            return GenerationGuard(gen_dir)
        except IndexUnreadableError as exc:
            self._refused = (gen_dir, exc, time.monotonic() + self.RECHECK_SECONDS)
            raise
