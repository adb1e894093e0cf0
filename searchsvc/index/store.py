"""Index stage, read side: the index folder's CURRENT pointer, generations, lock and stats.

Layout of the index folder:
    CURRENT                 name of the generation readers use (replaced atomically)
    gen-<timestamp>/        a complete Whoosh index plus stats.json (a folder without stats.json is a
                            build that died half way; the next rebuild/add removes it)
    .lock                   flock'ed while a rebuild/add runs (the kernel drops it if the process dies;
                            writer processes drop their inherited copy and die with the build)
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import IndexBusyError, IndexMissingError, IndexUnreadableError
from ..models import IndexStats
from . import whoosh_private as W
from .schema import SCHEMA_VERSION

CURRENT = "CURRENT"
LOCK = ".lock"
STATS = "stats.json"
GEN_PREFIX = "gen-"

# ---- generations -------------------------------------------------------------------

def index_root(settings: Settings) -> Path:
    return Path(settings.index.dir)


def current_generation(settings: Settings) -> str | None:
    """Name of the generation CURRENT points to, or None when there is no usable index."""
    root = os.fspath(settings.index.dir)     # plain strings: this runs twice per request
    try:
        with open(os.path.join(root, CURRENT), encoding="utf-8") as f:
            name = f.read().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(GEN_PREFIX) or "/" in name or not os.path.isdir(os.path.join(root, name)):
        return None
    return name


def open_index(settings: Settings) -> Any:
    """The Whoosh index of the current generation; IndexMissingError if none has been built,
    IndexUnreadableError if it cannot be opened."""
    gen = current_generation(settings)
    if gen is None:
        raise IndexMissingError(f"no index at {index_root(settings)}: run `searchsvc index rebuild` first")
    ix = open_generation_index(settings, gen)
    if ix is None:
        raise IndexMissingError(f"index at {index_root(settings)} changed while opening it; try again")
    return ix


def read_stats(settings: Settings, generation: str | None = None) -> IndexStats:
    """Stats of the current generation (or the given one), written when it was built.

    IndexUnreadableError when they cannot be read or the generation was built with another schema version.
    """
    gen = generation or current_generation(settings)
    if gen is None:
        raise IndexMissingError(f"no index at {index_root(settings)}: run `searchsvc index rebuild` first")
    try:
        raw = json.loads((index_root(settings) / gen / STATS).read_text(encoding="utf-8"))
        stats = IndexStats(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise unreadable(settings, gen, f"its stats cannot be read ({type(exc).__name__})") from None
    if stats.schema_version != SCHEMA_VERSION:
        raise unreadable(settings, gen, f"it was built with schema version {stats.schema_version}, "
                                        f"this searchsvc reads version {SCHEMA_VERSION}")
    return stats


def unreadable(settings: Settings, gen: str, why: str) -> IndexUnreadableError:
    """The error for a generation that cannot be used as it is on disk (HTTP 503, "rebuild needed")."""
    return IndexUnreadableError(f"index generation {gen} cannot be opened: {why}. "
                                "Rebuild needed: run `searchsvc index rebuild`.")


def open_generation_index(settings: Settings, gen: str) -> Any | None:
    """The Whoosh index of a generation; None when its folder vanished meanwhile (a newer build pruned it),
    IndexUnreadableError when it is there but cannot be opened (damaged table of contents, truncated file).

    Its files are read through the kernel's page cache, shared by all processes, not memory-mapped (see
    whoosh_private.read_storage: mapped, every worker held a copy of the whole index, about 130 MB at x1).
    """
    path = index_root(settings) / gen
    try:
        return W.read_storage(path).open_index()
    except W.unreadable_errors() as exc:
        if not path.is_dir():
            return None
        raise unreadable(settings, gen, W.describe_damage(exc)) from exc


@contextmanager
def held_lock(settings: Settings) -> Iterator[tuple[Path, int]]:
    """Hold the index lock (non-blocking); yields (index folder, lock fd). IndexBusyError if another holds it."""
    root = index_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(f"another rebuild or add is running on {root}") from None
        yield root, fd
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def index_lock(settings: Settings) -> Iterator[Path]:
    """Hold the index lock (non-blocking); IndexBusyError if another rebuild/add holds it."""
    with held_lock(settings) as (root, _fd):
        yield root


def new_generation_name(root: Path) -> str:
    while True:
        name = GEN_PREFIX + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        if not (root / name).exists():
            return name
        time.sleep(0.001)


def swap_current(root: Path, gen: str) -> None:
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_partial_generations(root: Path, keep: str | None) -> None:
    """Remove generation folders without stats.json: builds killed half way (only while holding the lock)."""
    for path in root.glob(GEN_PREFIX + "*"):
        if path.is_dir() and path.name != keep and not (path / STATS).exists():
            shutil.rmtree(path, ignore_errors=True)


def remove_old_generations(root: Path, keep: Iterable[str | None]) -> None:
    keep = {k for k in keep if k}
    for path in root.glob(GEN_PREFIX + "*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
