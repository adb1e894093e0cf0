"""Errors (all stages): one tree of domain errors, mapped to HTTP codes or CLI messages only at the edges."""


class SearchsvcError(Exception):
    """Base of every error searchsvc raises on purpose."""


class ConfigError(SearchsvcError):
    """config.toml is missing, unreadable or holds a bad value."""


class TranscriptError(SearchsvcError):
    """A transcript file could not be read or parsed; names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class QueryError(SearchsvcError):
    """A query or its parameters break a documented limit or rule (HTTP 400)."""


class QueryBudgetError(QueryError):
    """A search used up its time budget (search.time_budget_ms) before its required part was done (HTTP 400)."""


class NotFoundError(SearchsvcError):
    """A turn, conference, speaker or outlet id does not exist (HTTP 404)."""


class IndexMissingError(SearchsvcError):
    """No index has been built at the configured location yet (HTTP 503)."""


class IndexUnreadableError(SearchsvcError):
    """The current index generation is there but cannot be opened (damaged or built by an incompatible
    version): a rebuild is needed (HTTP 503 "rebuild_needed"). `path` names the damaged file and `part` the
    piece of a compound segment file, when known (index/verify.py)."""

    def __init__(self, message: str, path: str = "", part: str = ""):
        self.path = path
        self.part = part
        super().__init__(message)


class IndexBusyError(SearchsvcError):
    """Another rebuild or add holds the index lock."""


class DiskFullError(SearchsvcError):
    """A write (rebuild, add, alerts store) ran out of disk space; what it wrote was removed (HTTP 503)."""

