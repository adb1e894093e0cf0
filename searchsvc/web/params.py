"""Web edge: query parameters as pydantic models built from the settings (limits included), query strings validated
against them (a bad one is a QueryError, HTTP 400), and SearchRequest <-> query string."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, get_origin
from urllib.parse import urlencode

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    create_model,
)

from ..config import SearchSettings, Settings
from ..errors import QueryError
from ..models import FACET_TABLE, SCOPES, SORTS, SearchRequest, facet
from ..serialize import one_of

# Other spellings of scope values people type into URLs (documented with the parameter).
SCOPE_ALIASES = {"questions": "question", "answers": "answer", "all": "both"}
MAX_VALUE_CHARS = 300
FACET_VALUES_MAX = 10_000       # most values per facet /api/facets?limit= may ask for
_INT_RE = re.compile(r"^-?[0-9]{1,12}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR_RE = re.compile(r"^[0-9]{4}$")

QueryFields = Callable[[Settings], dict[str, Any]]   # field name -> (type, FieldInfo), for create_model


# ---- value types: exactly what the document says, no more (a query string is text) --------------

def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and not _INT_RE.match(value):
        raise ValueError(f"must be a whole number, got {value[:40]!r}")
    return value


def _iso_date(value: Any) -> Any:
    if value == "":
        return None          # an empty form field: no date
    if isinstance(value, str):
        try:
            if not _DATE_RE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a date as YYYY-MM-DD, got {value[:40]!r}") from None
    return value


def _year(value: str) -> str:
    if not _YEAR_RE.match(value):
        raise ValueError(f"must be a four-digit year, got {value[:40]!r}")
    return value


def _distinct(values: list[str]) -> list[str]:
    """Non-empty values, stripped, each once, in the order given."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


Whole = Annotated[int, BeforeValidator(_whole_number)]
Day = Annotated[date | None, BeforeValidator(_iso_date), WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]})]
Value = Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)]
Year = Annotated[str, AfterValidator(_year), WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}$"})]
if TYPE_CHECKING:
    Scope = str
else:
    Scope = Annotated[one_of((*SCOPES, *SCOPE_ALIASES)), AfterValidator(lambda s: SCOPE_ALIASES.get(s, s))]


def _many(item: Any, most: int, description: str) -> tuple[Any, Any]:
    return (Annotated[list[item], AfterValidator(_distinct)],
            Field(default_factory=list, max_length=most, description=description))


# ---- the parameter groups endpoints are made of --------------------------------------------------

def match_fields(settings: Settings) -> dict[str, Any]:
    """What turns a search matches: q, the facet filters, dates, scope."""
    lim = settings.search
    fields: dict[str, Any] = {
        "q": (Annotated[str, StringConstraints(max_length=lim.max_query_chars, strip_whitespace=False),
                        AfterValidator(str.strip)],
              Field("", description=(
                  'Query: words (all required), "phrases", OR, NOT or -word, prefix*, field:word (question, answer, '
                  f"speaker, outlet, role). Empty: every turn. At most {lim.max_terms} words; prefix* needs "
                  f"{lim.min_prefix_chars}+ characters before the *; a search may take {lim.time_budget_ms} ms at "
                  "most. These rules of the query language answer 400 with a message naming the rule."))),
    }
    for f in FACET_TABLE:
        item = Year if f.year else one_of(f.values) if f.values else Value
        fields[f.name] = _many(item, lim.max_filter_values,
                               f"{f.description or f.title} filter; repeat for several (any of them). Empty values "
                               "are ignored." if not f.values else f"{f.description}; repeatable.")
    fields["date_from"] = (Day, Field(None, alias="from", description="First day (YYYY-MM-DD), inclusive; "
                                                                        "empty: no limit."))
    fields["date_to"] = (Day, Field(None, alias="to", description="Last day (YYYY-MM-DD), inclusive; empty: no "
                                                                    "limit. Before `from`: nothing matches (a notice "
                                                                    "says so)."))
    fields["scope"] = (Scope, Field("both", description="Which text to search ("
                                    + ", ".join(f"{k} = {v}" for k, v in SCOPE_ALIASES.items()) + ")."))
    return fields


def order_fields(settings: Settings) -> dict[str, Any]:
    return {"sort": (one_of(SORTS), Field("relevance", description="Order of results."))}


def paging_fields(settings: Settings) -> dict[str, Any]:
    lim = settings.search
    return {
        "page": (Whole, Field(1, ge=1, le=lim.max_page_depth, description=(
            f"Page number. Only the first {lim.max_page_depth} results can be paged: a page past them has no hits "
            "(a notice says so)."))),
        "per_page": (Whole, Field(lim.per_page, ge=1, le=lim.max_per_page, description="Results per page.")),
    }


def search_fields(settings: Settings) -> dict[str, Any]:
    """/api/search and the search pages."""
    return {**match_fields(settings), **order_fields(settings), **paging_fields(settings)}


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


# ---- validating a query string ---------------------------------------------------------------------

class Query(BaseModel):
    """Validated query parameters of one endpoint."""
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    if TYPE_CHECKING:   # the fields are made per endpoint (query_model); each reads as Any
        def __getattr__(self, name: str) -> Any: ...

    def search_request(self) -> SearchRequest:
        """The SearchRequest these parameters describe (fields an endpoint lacks keep their defaults)."""
        got = dict(self)
        values: dict[str, Any] = {k: got[k] for k in ("q", "date_from", "date_to", "sort", "scope", "page",
                                                      "per_page") if k in got}
        for f in FACET_TABLE:
            if f.name in got:
                values[f.field] = tuple(int(v) for v in got[f.name]) if f.year else tuple(got[f.name])
        return SearchRequest(**values)


@functools.lru_cache(maxsize=64)
def query_model(fields: QueryFields, settings: Settings) -> type[Query]:
    """The model of `fields` under `settings` (built once per pair)."""
    return create_model(fields.__name__.removesuffix("_fields").title() + "Query", __base__=Query,
                        **fields(settings))


def _arguments(model: type[Query], args: Mapping) -> dict[str, Any]:
    """Query-string arguments (a MultiDict) as model input: lists for list fields, one value for the rest."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        values = args.getlist(key) if hasattr(args, "getlist") else ([args[key]] if key in args else [])
        if get_origin(info.annotation) is list:
            out[key] = list(values)
        elif len(values) > 1:
            raise QueryError(f"parameter {key!r} given more than once")
        elif values:
            out[key] = values[0]
    return out


def _bounds(model: type[Query], key: str) -> tuple[Any, Any]:
    info = next(i for n, i in model.model_fields.items() if (i.alias or n) == key)
    low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
    return low, high


def _message(model: type[Query], error: Mapping[str, Any]) -> str:
    key = str(error["loc"][0])
    message = _text(model, key, error["type"], error.get("ctx") or {}, error.get("input"))
    return "query: " + message if key == "q" else message


def _text(model: type[Query], key: str, kind: str, ctx: Mapping[str, Any], got: Any) -> str:
    if kind == "string_too_long":
        return f"parameter {key!r} is longer than {ctx['max_length']} characters"
    if kind == "too_long":
        return f"at most {ctx['max_length']} values of {key!r} are allowed"
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = _bounds(model, key)
        return f"parameter {key!r} must be between {low} and {high}, got {got}"
    if kind == "value_error":
        return f"parameter {key!r} {ctx.get('error')}"
    return f"parameter {key!r} is not valid ({kind}), got {str(got)[:40]!r}"


def parse_query(fields: QueryFields, args: Mapping, settings: Settings) -> Query:
    """Validate query-string arguments against the model of `fields`; raises QueryError naming the parameter."""
    model = query_model(fields, settings)
    try:
        return model.model_validate(_arguments(model, args))
    except ValidationError as exc:
        raise QueryError(_message(model, exc.errors()[0])) from None


def parse_search_args(args: Mapping, limits: SearchSettings | Settings) -> SearchRequest:
    """Query-string arguments of a search page or /api/search as a validated SearchRequest; raises QueryError."""
    settings = limits if isinstance(limits, Settings) else Settings(search=limits)
    return parse_query(search_fields, args, settings).search_request()


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


__all__ = ["FACET_VALUES_MAX", "MAX_VALUE_CHARS", "SCOPE_ALIASES", "Query", "facet", "facet_fields", "limit_field",
           "match_fields", "order_fields", "paging_fields", "parse_query", "parse_search_args", "query_model",
           "request_to_args", "request_to_query", "search_fields", "toggle_filter", "has_filters"]
