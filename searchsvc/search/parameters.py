"""Search stage: the one description of the search parameters (what a SearchRequest holds, with its limits from the
settings and its help text) as pydantic fields. The API's query models and OpenAPI document (web/params.py,
web/openapi.py), the CLI's `search` options (cli/search.py) and `validate_request` (every caller of the search
stage) read it, so each rule lives here once and says the same thing everywhere."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, get_origin

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

from ..analysis import TOKEN_RE
from ..config import SearchSettings, Settings
from ..errors import QueryError
from ..models import FACET_TABLE, SCOPES, SORTS, SearchRequest
from ..serialize import one_of

# Other spellings of scope values people type into URLs (documented with the parameter).
SCOPE_ALIASES = {"questions": "question", "answers": "answer", "all": "both"}
MAX_VALUE_CHARS = 300
_INT_RE = re.compile(r"^-?[0-9]{1,12}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEAR_RE = re.compile(r"^[0-9]{4}$")

QueryFields = Callable[[Settings], dict[str, Any]]   # field name -> (type, FieldInfo), for create_model


# ---- value types: exactly what the document says, no more (a query string is text) --------------

def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and not _INT_RE.match(value):
        raise ValueError(f"must be a whole number, got {value[:40]!r}")
    if isinstance(value, bool) or (not isinstance(value, (int, str))):
        raise ValueError(f"must be a whole number, got {str(value)[:40]!r}")
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


def many(item: Any, most: int, description: str) -> tuple[Any, Any]:
    """A repeatable parameter: at most `most` values of `item`, empty ones dropped, each once."""
    return (Annotated[list[item], AfterValidator(_distinct)],
            Field(default_factory=list, max_length=most, description=description))


def query_text(limits: SearchSettings) -> Any:
    """The type of a query (q): at most max_query_chars characters and max_terms words."""
    def check_words(q: str) -> str:
        words = len(TOKEN_RE.findall(q))
        if words > limits.max_terms:
            raise ValueError(f"has too many words: {words} (limit {limits.max_terms})")
        return q

    return Annotated[str, StringConstraints(max_length=limits.max_query_chars, strip_whitespace=False),
                     AfterValidator(str.strip), AfterValidator(check_words)]


def query_help(limits: SearchSettings, empty: str = "Empty: every turn.") -> str:
    """What a query may hold; `empty` says what no query means."""
    return ('Query: words (all required), "phrases", OR, NOT or -word, prefix*, field:word (question, answer, '
            f"speaker, outlet, role). {empty} At most {limits.max_terms} words; prefix* needs "
            f"{limits.min_prefix_chars}+ characters before the *; a search may take {limits.time_budget_ms} ms at "
            "most. These rules of the query language answer 400 with a message naming the rule.")


# ---- the parameter groups endpoints and commands are made of --------------------------------------

def filter_fields(settings: Settings) -> dict[str, Any]:
    """Which turns pass: the facet filters, dates, scope."""
    lim = settings.search
    fields: dict[str, Any] = {}
    for f in FACET_TABLE:
        item = Year if f.year else one_of(f.values) if f.values else Value
        fields[f.name] = many(item, lim.max_filter_values,
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


def match_fields(settings: Settings) -> dict[str, Any]:
    """What turns a search matches: q, the facet filters, dates, scope."""
    lim = settings.search
    return {"q": (query_text(lim), Field("", description=query_help(lim))), **filter_fields(settings)}


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
    """Every parameter of a search: /api/search, the search pages, `searchsvc search`, validate_request."""
    return {**match_fields(settings), **order_fields(settings), **paging_fields(settings)}


# ---- validating parameters -------------------------------------------------------------------------

class Query(BaseModel):
    """Validated parameters of one endpoint or command."""
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
    name = fields.__name__.removesuffix("_fields").title().replace("_", "") + "Query"
    return create_model(name, __base__=Query, **fields(settings))


def _values(args: Mapping[str, Any], key: str) -> list[Any]:
    """Every value of `key`: a MultiDict's list, a list or tuple as given, else the one value."""
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = args.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@functools.lru_cache(maxsize=256)
def _keys(model: type[Query]) -> tuple[tuple[str, bool], ...]:
    """(parameter name, repeatable) of each field of `model`."""
    return tuple((info.alias or name, get_origin(info.annotation) is list) for name, info in model.model_fields.items())


def _arguments(model: type[Query], args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments (a query string's MultiDict, or name -> value(s)) as model input: lists for list fields."""
    out: dict[str, Any] = {}
    for key, repeatable in _keys(model):
        values = _values(args, key)
        if repeatable:
            out[key] = values
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


def parse_query(fields: QueryFields, args: Mapping[str, Any], settings: Settings) -> Query:
    """Validate arguments against the model of `fields`; raises QueryError naming the parameter and rule."""
    return _validate(query_model(fields, settings), args)


def _validate(model: type[Query], args: Mapping[str, Any], as_given: bool = False) -> Query:
    """`args` validated by `model` (`as_given`: already one entry per field, lists for the repeatable ones)."""
    try:
        return model.model_validate(args if as_given else _arguments(model, args))
    except ValidationError as exc:
        raise QueryError(_message(model, exc.errors()[0])) from None


def parse_search_args(args: Mapping[str, Any], limits: SearchSettings | Settings) -> SearchRequest:
    """Arguments of a search (query string, CLI options) as a validated SearchRequest; raises QueryError."""
    settings = limits if isinstance(limits, Settings) else _settings(limits)
    return parse_query(search_fields, args, settings).search_request()


@functools.lru_cache(maxsize=16)
def _settings(limits: SearchSettings) -> Settings:
    return Settings(search=limits)


@functools.lru_cache(maxsize=16)
def _search_model(limits: SearchSettings) -> type[Query]:
    return query_model(search_fields, _settings(limits))


def request_arguments(request: SearchRequest) -> dict[str, Any]:
    """A SearchRequest as the arguments of search_fields (the inverse of Query.search_request)."""
    args: dict[str, Any] = {"q": request.q, "from": request.date_from, "to": request.date_to, "sort": request.sort,
                            "scope": request.scope, "page": request.page, "per_page": request.per_page}
    for f in FACET_TABLE:
        args[f.name] = [_as_text(v, f.year) for v in getattr(request, f.field)]
    return args


def _as_text(value: Any, year: bool) -> Any:
    """A filter value as a query string holds it (a year as its four digits: 0 is 0000)."""
    return f"{value:04d}" if year and isinstance(value, int) and not isinstance(value, bool) else value


def validate_request(request: SearchRequest, limits: SearchSettings) -> None:
    """QueryError when a request (from the API, the CLI or a Python caller) breaks a rule of search_fields."""
    checked = _validate(_search_model(limits), request_arguments(request), as_given=True)
    for name, kind in (("scope", "one of " + ", ".join(SCOPES)), ("page", "a whole number"),
                       ("per_page", "a whole number"), ("date_from", "a date"), ("date_to", "a date")):
        given, meant = getattr(request, name), getattr(checked, name)
        if type(given) is not type(meant) or given != meant:   # a query string's spelling ('questions', '10')
            raise QueryError(f"parameter {name!r} must be {kind}, got {str(given)[:40]!r}")


__all__ = ["MAX_VALUE_CHARS", "SCOPE_ALIASES", "Day", "Query", "QueryFields", "Value", "Whole", "Year",
           "filter_fields", "many", "match_fields", "order_fields", "paging_fields", "parse_query",
           "parse_search_args", "query_help", "query_model", "query_text", "request_arguments", "search_fields",
           "validate_request"]
