"""Web edge: request arguments <-> SearchRequest, with validation that raises QueryError (HTTP 400)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from ..config import SearchSettings
from ..errors import QueryError
from ..models import ANSWER_TYPES, FACETS, SCOPES, SORTS, SearchRequest

# URL parameter -> SearchRequest field, for the repeatable facet filters.
FACET_PARAMS = {"speaker": "speakers", "role": "roles", "outlet": "outlets", "conference": "conferences",
                "year": "years", "answer": "answers"}
SCOPE_ALIASES = {"questions": "question", "answers": "answer", "all": "both"}
_INT_RE = re.compile(r"^[0-9]{1,9}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR_RE = re.compile(r"^[0-9]{4}$")
MAX_VALUE_CHARS = 300
FACET_VALUES_MAX = 10_000       # most values per facet /api/facets?limit= may ask for


def _values(args, name: str, max_chars: int = MAX_VALUE_CHARS) -> list[str]:
    """Every non-empty value of a (possibly repeated) parameter, stripped, without duplicates."""
    raw = args.getlist(name) if hasattr(args, "getlist") else ([args[name]] if name in args else [])
    seen: list[str] = []
    for value in raw:
        value = value.strip()
        if len(value) > max_chars:
            raise QueryError(f"parameter {name!r} is longer than {max_chars} characters")
        if value and value not in seen:
            seen.append(value)
    return seen


def _single(args, name: str, max_chars: int = MAX_VALUE_CHARS) -> str:
    values = _values(args, name, max_chars)
    if len(values) > 1:
        raise QueryError(f"parameter {name!r} given more than once")
    return values[0] if values else ""


def _int(args, name: str, default: int, low: int, high: int) -> int:
    text = _single(args, name)
    if not text:
        return default
    if not _INT_RE.match(text):
        raise QueryError(f"parameter {name!r} must be a whole number, got {text[:40]!r}")
    value = int(text)
    if not low <= value <= high:
        raise QueryError(f"parameter {name!r} must be between {low} and {high}, got {value}")
    return value


def _date(args, name: str) -> date | None:
    text = _single(args, name)
    if not text:
        return None
    try:
        if not _DATE_RE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"parameter {name!r} must be a date as YYYY-MM-DD, got {text[:40]!r}") from None


def parse_search_args(args: Mapping, limits: SearchSettings) -> SearchRequest:
    """Turn query-string arguments (a MultiDict) into a validated SearchRequest; raises QueryError."""
    try:
        q = _single(args, "q", limits.max_query_chars)
    except QueryError as exc:
        raise QueryError(f"query: {exc}") from None
    sort = _single(args, "sort") or "relevance"
    if sort not in SORTS:
        raise QueryError(f"parameter 'sort' must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    scope = _single(args, "scope") or "both"
    scope = SCOPE_ALIASES.get(scope, scope)
    if scope not in SCOPES:
        raise QueryError(f"parameter 'scope' must be one of {', '.join(SCOPES)}, got {scope[:40]!r}")
    per_page = _int(args, "per_page", limits.per_page, 1, limits.max_per_page)
    page = _int(args, "page", 1, 1, 10**6)
    filters: dict[str, tuple] = {}
    for name, field in FACET_PARAMS.items():
        values = _values(args, name)
        if len(values) > limits.max_filter_values:
            raise QueryError(f"at most {limits.max_filter_values} values of {name!r} are allowed")
        if name == "year":
            bad = [v for v in values if not _YEAR_RE.match(v)]
            if bad:
                raise QueryError(f"parameter 'year' must be a four-digit year, got {bad[0][:40]!r}")
            filters[field] = tuple(int(v) for v in values)
        elif name == "answer" and any(v not in ANSWER_TYPES for v in values):
            wrong = next(v for v in values if v not in ANSWER_TYPES)
            raise QueryError(f"parameter 'answer' must be one of {', '.join(ANSWER_TYPES)}, got {wrong[:40]!r}")
        else:
            filters[field] = tuple(values)
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise QueryError("parameter 'from' must not be after 'to'")
    return SearchRequest(q=q, sort=sort, scope=scope, page=page, per_page=per_page,
                         date_from=date_from, date_to=date_to, **filters)


def parse_facet_args(args: Mapping) -> tuple[list[str], int | None, str]:
    """/api/facets arguments: facets (repeatable `facet`, default all), `limit` per facet (None: all values) and
    a casefolded `prefix` ('' : none); raises QueryError."""
    wanted = _values(args, "facet")
    unknown = [f for f in wanted if f not in FACETS]
    if unknown:
        raise QueryError(f"parameter 'facet' must be one of {', '.join(FACETS)}, got {unknown[0][:40]!r}")
    limit = _int(args, "limit", 0, 1, FACET_VALUES_MAX) or None
    return [f for f in FACETS if f in wanted or not wanted], limit, _single(args, "prefix").casefold()


def request_to_args(req: SearchRequest, default_per_page: int = 10, **changes) -> list[tuple[str, str]]:
    """The query-string pairs that reproduce `req` (defaults left out), after applying `changes`."""
    if changes:
        req = dataclasses.replace(req, **changes)
    pairs: list[tuple[str, str]] = []
    if req.q:
        pairs.append(("q", req.q))
    for name, field in FACET_PARAMS.items():
        pairs.extend((name, str(v)) for v in getattr(req, field))
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


def request_to_query(req: SearchRequest, default_per_page: int = 10, **changes) -> str:
    """request_to_args as an encoded query string ('' when everything is default)."""
    return urlencode(request_to_args(req, default_per_page, **changes))


def toggle_filter(req: SearchRequest, facet: str, value: str) -> SearchRequest:
    """`req` with one facet value added or removed, back on page 1."""
    field = FACET_PARAMS[facet]
    current = tuple(str(v) for v in getattr(req, field))
    new: tuple[Any, ...] = tuple(v for v in current if v != value) if value in current else current + (value,)
    if facet == "year":
        new = tuple(int(v) for v in new)
    return dataclasses.replace(req, page=1, **cast(dict[str, Any], {field: new}))


def has_filters(req: SearchRequest) -> bool:
    return bool(any(getattr(req, field) for field in FACET_PARAMS.values()) or req.date_from or req.date_to)
