"""Index stage, Whoosh's internals: the pinned Whoosh, the class paths indexes pickle, damage errors."""

from __future__ import annotations

import pickle
import struct
import zlib
from importlib import metadata
from pathlib import Path

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
