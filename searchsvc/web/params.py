"""Web edge: the query parameters of each endpoint (the search parameters' one description is in the search
stage, search/parameters.py; endpoint-only ones here), and SearchRequest <-> query string."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from urllib.parse import urlencode

from pydantic import Field, StringConstraints

from ..config import Settings
from ..models import FACET_TABLE, SearchRequest, facet
from ..search.parameters import (
    MAX_VALUE_CHARS,
    SCOPE_ALIASES,
    Day,
    Query,
    QueryFields,
    Value,
    Whole,
    Year,
    match_fields,
    order_fields,
    paging_fields,
    parse_query,
    parse_search_args,
    query_model,
    search_fields,
)
from ..serialize import one_of

FACET_VALUES_MAX = 10_000       # most values per facet /api/facets?limit= may ask for


def limit_field(default: int, most: int, description: str) -> dict[str, Any]:
    return {"limit": (Whole, Field(default, ge=1, le=most, description=description))}


def facet_fields(settings: Settings) -> dict[str, Any]:
    """/api/facets."""
    return {
        "facet": (list[one_of(f.name for f in FACET_TABLE)],  # type: ignore[misc]
                  Field(default_factory=list, description="Facets to list; repeat for several. Default: all.")),
        "limit": (Whole, Field(None, ge=1, le=FACET_VALUES_MAX, description=(
            "Most values per facet (the first in order: by count, years newest first). Default: all."))),
        "prefix": (Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)], Field("", description=(
            "Only values whose value or label starts with this (case-insensitive), for type-ahead."))),
    }


# ---- SearchRequest -> query string ----------------------------------------------------------------

def request_to_args(req: SearchRequest, default_per_page: int = 10, **changes: Any) -> list[tuple[str, str]]:
    """The query-string pairs that reproduce `req` (defaults left out), after applying `changes`."""
    if changes:
        req = dataclasses.replace(req, **changes)
    pairs: list[tuple[str, str]] = [("q", req.q)] if req.q else []
    for f in FACET_TABLE:
        pairs.extend((f.name, str(v)) for v in req.filter_values(f.name))
    if req.date_from:
        pairs.append(("from", req.date_from.isoformat()))
    if req.date_to:
        pairs.append(("to", req.date_to.isoformat()))
    if req.sort != "relevance":
        pairs.append(("sort", req.sort))
    if req.scope != "both":
        pairs.append(("scope", req.scope))
    if req.per_page != default_per_page:
        pairs.append(("per_page", str(req.per_page)))
    if req.page != 1:
        pairs.append(("page", str(req.page)))
    return pairs


def request_to_query(req: SearchRequest, default_per_page: int = 10, **changes: Any) -> str:
    """request_to_args as an encoded query string ('' when everything is default)."""
    return urlencode(request_to_args(req, default_per_page, **changes))


def toggle_filter(req: SearchRequest, name: str, value: str) -> SearchRequest:
    """`req` with one facet value added or removed, back on page 1."""
    current = tuple(str(v) for v in req.filter_values(name))
    new = tuple(v for v in current if v != value) if value in current else current + (value,)
    return dataclasses.replace(req.with_filter(name, new), page=1)


def has_filters(req: SearchRequest) -> bool:
    return bool(any(req.filter_values(f.name) for f in FACET_TABLE) or req.date_from or req.date_to)


__all__ = ["FACET_VALUES_MAX", "MAX_VALUE_CHARS", "SCOPE_ALIASES", "Day", "Query", "QueryFields", "Value", "Whole",
           "Year", "facet", "facet_fields", "limit_field", "match_fields", "order_fields", "paging_fields",
           "parse_query", "parse_search_args", "query_model", "request_to_args", "request_to_query", "search_fields",
           "toggle_filter", "has_filters"]
