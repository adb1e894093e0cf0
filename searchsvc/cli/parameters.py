"""CLI edge: click options made from the API parameters' one description (search/parameters.py).

A command built on ParameterCommand gets one option per parameter of its field group (search_fields for
`searchsvc search`, match_fields for `searchsvc alerts add`), with the API's names, limits, choices and help
under the settings in force; its words are the query argument `q`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, get_origin

import click

from ..config import Settings
from ..errors import QueryError
from .context import CliContext

if TYPE_CHECKING:
    from ..models import SearchRequest
    from ..search.parameters import Query, QueryFields

# The search stage (search/parameters.py and all it loads) is imported when a command runs or shows its help, not
# when the CLI starts: `searchsvc --help` and the other commands stay quick.

QUERY_ARGUMENT = "q"            # the words are the command's arguments, not an option
OPTION_NAMES = {"per_page": ("--per-page", "--limit")}     # more than the parameter's own name
PREFIX = "param_"               # keyword names of the generated options (never clash with a command's own)


def _option_type(schema: dict[str, Any]) -> tuple[Any, str | None]:
    """The click type and metavar of a parameter, from its JSON schema (the OpenAPI document's)."""
    item = schema.get("items", schema)
    if "enum" in item:
        return click.Choice(item["enum"]), None
    if item.get("type") == "integer":
        return click.IntRange(item.get("minimum"), item.get("maximum")), None
    if "anyOf" in item or item.get("format") == "date":
        return str, "YYYY-MM-DD"
    if item.get("pattern") == "^[0-9]{4}$":
        return str, "YYYY"
    return str, "TEXT"


def parameter_options(model: type[Query]) -> list[click.Option]:
    """A click option for every parameter of `model` but q."""
    schema = model.model_json_schema(by_alias=True, mode="validation")["properties"]
    options = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key == QUERY_ARGUMENT:
            continue
        kind, metavar = _option_type(schema[key])
        many = get_origin(info.annotation) is list
        default = None if many or info.default is None else info.default
        names = OPTION_NAMES.get(name, (f"--{key.replace('_', '-')}",))
        options.append(click.Option([*names, f"{PREFIX}{key}"], type=kind, metavar=metavar, multiple=many,
                                    default=default, show_default=default is not None,
                                    help=info.description))
    return options


def settings_of(ctx: click.Context) -> Settings:
    found = ctx.find_object(CliContext)
    try:
        return found.settings if found is not None else Settings()
    except click.ClickException:            # a broken config: --help still shows the built-in limits
        return Settings()


def _fields(name: str) -> QueryFields:
    from ..search import parameters

    fields: QueryFields = getattr(parameters, name)
    return fields


class ParameterCommand(click.Command):
    """A command whose options are made, when it runs or shows --help, from the parameters of `fields` (the name
    of a field group in search/parameters.py) under the settings in force (--config), so their limits and help
    are the API's. Its first parameter is the query's words."""

    fields: ClassVar[str] = "search_fields"

    def model(self, ctx: click.Context) -> type[Query]:
        from ..search.parameters import query_model

        return query_model(_fields(self.fields), settings_of(ctx))

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*self.params[:1], *parameter_options(self.model(ctx)), *super().get_params(ctx)[1:]]

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        q = self.model(ctx).model_fields[QUERY_ARGUMENT]
        with formatter.indentation():
            formatter.write_paragraph()
            formatter.write_text(q.description or "")


class MatchCommand(ParameterCommand):
    """A command taking what a search matches (q, the filters, dates, scope) but no order or paging."""

    fields: ClassVar[str] = "match_fields"


def request_of(fields: str, query: tuple[str, ...], params: dict[str, Any], settings: Settings) -> SearchRequest:
    """The validated SearchRequest of a ParameterCommand's words and generated options; a value that breaks a
    rule of the API is a usage error (exit status 2)."""
    from ..search.parameters import parse_query

    args = {name.removeprefix(PREFIX): value for name, value in params.items()
            if name.startswith(PREFIX) and value is not None}
    args[QUERY_ARGUMENT] = " ".join(query)
    try:
        return parse_query(_fields(fields), args, settings).search_request()
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
