"""Index stage: the one door to Whoosh's internals: private attributes, W3 on-disk format details, pickled paths.

Everything else in searchsvc uses Whoosh's public API. The fast paths here read (and the bulk writer
writes) the W3 codec of the pinned whoosh-reloaded version directly; on any other version FAST is
False, every reader below answers None and its caller takes the public-API path (slower, same
results), and the bulk writer is not used (Whoosh's own writer is). Private names are imported lazily,
inside the functions, so a renamed one never breaks importing searchsvc.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from importlib import metadata

PINNED = "2.7.5"   # whoosh-reloaded version whose internals this module reads (pyproject.toml pins it)
# Class paths Whoosh pickles into every index's table of contents: they must stay importable forever.
PICKLED_PATHS = ("searchsvc.analysis.TermTokenizer", "searchsvc.analysis.NormalizeFilter",
                 "searchsvc.schema.TermPositions")
# What opening a damaged generation raises (table of contents not unpickled, truncated or missing files).
UNREADABLE_ERRORS: tuple[type[BaseException], ...] = (
    pickle.UnpicklingError, EOFError, struct.error, zlib.error, ValueError, KeyError, IndexError, TypeError,
    AttributeError, ImportError, OSError,
)


def installed_version() -> str:
    try:
        return metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        import whoosh
        return whoosh.versionstring()


FAST = installed_version() == PINNED   # constant per process: the installed Whoosh does not change


def version_notice() -> str | None:
    """None on the pinned Whoosh; else what runs differently (said once at start by the CLI and the server)."""
    if FAST:
        return None
    return (f"whoosh-reloaded {installed_version()} is installed, searchsvc is built for {PINNED}: "
            "its fast paths are off (searches and builds are slower, results the same)")


def describe_damage(exc: BaseException) -> str:
    """A short reason for a generation that cannot be opened."""
    if isinstance(exc, pickle.UnpicklingError | EOFError | ImportError | AttributeError):
        return f"its table of contents cannot be read ({type(exc).__name__}: {exc})"
    if isinstance(exc, FileNotFoundError):
        return f"a file is missing ({exc.filename})"
    return f"a file is damaged ({type(exc).__name__}: {exc})"
