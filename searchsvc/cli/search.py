"""CLI edge: `searchsvc search` prints a page of results (search stage), in colour or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_origin

import click

from ..config import Settings
from ..errors import QueryError, SearchsvcError
from ..models import SearchPage
from .context import CliContext, fail

if TYPE_CHECKING:
    from ..search.parameters import Query

# The search stage (search/parameters.py and all it loads) is imported when `search` runs or shows its help, not
# when the CLI starts: `searchsvc --help` and the other commands stay quick.


def _terminal_html(html_text: str) -> str:
    """Snippet HTML (escaped text with <mark>) -> terminal text with highlights in colour."""
    import html
    import re

    parts = re.split(r"<mark>(.*?)</mark>", html_text)
    return "".join(click.style(html.unescape(p), fg="yellow", bold=True) if i % 2 else html.unescape(p)
                   for i, p in enumerate(parts))


def _echo_page(page: SearchPage) -> None:
    q = page.request.q
    what = f"matching {q!r}" if q else "in the index"
    click.echo(click.style(f"{page.total:,} turns {what}", bold=True)
               + f"  (page {page.request.page} of {page.pages}, {page.took_ms:.1f} ms)")
    if page.suggestion:
        click.echo("Did you mean: " + click.style(page.suggestion, fg="cyan"))
    for notice in page.notices:
        click.echo(click.style(notice, fg="magenta"))
    if page.optional_terms:
        click.echo("Not all required: " + ", ".join(page.optional_terms))
    for sf in page.suggested_filters:
        click.echo(f"Filter by {sf.facet}: " + click.style(sf.value, fg="cyan") + f"? ({sf.count:,} of these turns)")
    start = (page.request.page - 1) * page.request.per_page
    for n, hit in enumerate(page.hits, start + 1):
        click.echo()
        click.echo(click.style(f"{n}. {hit.date.isoformat()}  {hit.conference_title}", fg="green", bold=True)
                   + click.style(f"  [{hit.id}]", dim=True))
        if hit.question_html:
            who = f" ({hit.outlet})" if hit.outlet else ""
            click.echo(click.style(f"   Q{who}: ", bold=True) + _terminal_html(hit.question_html))
        if hit.answer_html:
            who = ", ".join(hit.speakers) or hit.kind
            click.echo(click.style(f"   {who}: ", bold=True) + _terminal_html(hit.answer_html))
    shown = [(name, values[:5]) for name, values in page.facets.items() if values]
    if shown:
        click.echo()
    for name, values in shown:
        items = ", ".join(f"{v.label or v.value} ({v.count})" for v in values)
        click.echo(click.style(f"{name}: ", dim=True) + items)


# ---- options from the search parameters' one description (search/parameters.py) ---------------------

QUERY_ARGUMENT = "q"            # the words are the command's arguments, not an option
OPTION_NAMES = {"per_page": ("--per-page", "--limit")}     # more than the parameter's own name


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


def search_options(settings: Settings) -> list[click.Option]:
    """A click option for every search parameter but q, with the limits and help of `settings`."""
    model = _model(settings)
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
        options.append(click.Option([*names, f"param_{key}"], type=kind, metavar=metavar, multiple=many,
                                    default=default, show_default=default is not None,
                                    help=info.description))
    return options


def _model(settings: Settings) -> type[Query]:
    from ..search.parameters import query_model, search_fields
    return query_model(search_fields, settings)


def _settings_of(ctx: click.Context) -> Settings:
    found = ctx.find_object(CliContext)
    try:
        return found.settings if found is not None else Settings()
    except click.ClickException:            # a broken config: --help still shows the built-in limits
        return Settings()


class SearchCommand(click.Command):
    """A command whose options are made, when it runs or shows --help, from the search parameters under the
    settings in force (--config), so their limits and help are the API's."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*self.params[:1], *search_options(_settings_of(ctx)), *super().get_params(ctx)[1:]]

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        q = _model(_settings_of(ctx)).model_fields[QUERY_ARGUMENT]
        with formatter.indentation():
            formatter.write_paragraph()
            formatter.write_text(q.description or "")


@click.command(cls=SearchCommand)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON (same shape as the web API).")
@click.pass_obj
def search(obj: CliContext, /, query: tuple[str, ...], as_json: bool, **params: Any) -> None:
    """Search the index. Every option is a parameter of /api/search, with the same limits and rules; a value that
    breaks one is a usage error (exit status 2)."""
    import json

    from ..search import SearchService
    from ..search.parameters import parse_search_args
    from ..serialize import search_page_to_dict

    settings = obj.settings
    args = {name.removeprefix("param_"): value for name, value in params.items() if value is not None}
    args[QUERY_ARGUMENT] = " ".join(query)
    try:
        request = parse_search_args(args, settings)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    service = SearchService(settings)
    try:
        result = service.search(request)
    except SearchsvcError as exc:
        fail(exc)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(search_page_to_dict(result), ensure_ascii=False, indent=2))
    else:
        _echo_page(result)
