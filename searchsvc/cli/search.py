"""CLI edge: `searchsvc search` prints a page of results (search stage), in colour or as JSON."""

from __future__ import annotations

from typing import Any

import click

from ..errors import SearchsvcError
from ..models import SearchPage
from .context import CliContext, fail
from .parameters import ParameterCommand, request_of


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


@click.command(cls=ParameterCommand)
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON (same shape as the web API).")
@click.pass_obj
def search(obj: CliContext, /, query: tuple[str, ...], as_json: bool, **params: Any) -> None:
    """Search the index. Every option is a parameter of /api/search, with the same limits and rules; a value that
    breaks one is a usage error (exit status 2)."""
    import json

    from ..search import SearchService
    from ..serialize import search_page_to_dict

    settings = obj.settings
    request = request_of(ParameterCommand.fields, query, params, settings)
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
