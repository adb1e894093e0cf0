"""Search stage: the service (service.py), query parsing, matching, phrases, facets, highlights, spelling.

May import: config, errors, models, analysis, serialize, index.schema, index.store (never the index writer:
build, bulkwriter, segments).
"""

from .service import SearchService, Snapshot

__all__ = ["SearchService", "Snapshot"]
