"""CLI edge: the click group `searchsvc` (parse, index, search, serve); maps domain errors to messages and exit codes."""

from __future__ import annotations

import sys

import click

from .config import load_settings
from .errors import SearchsvcError


class _Ctx:
    """Lazily loaded settings, so `--help` works without a config file."""

    def __init__(self, config_path: str, index_dir: str | None):
        self.config_path = config_path
        self.index_dir = index_dir
        self._settings = None

    @property
    def settings(self):
        if self._settings is None:
            try:
                settings = load_settings(self.config_path)
            except SearchsvcError as exc:
                raise click.ClickException(str(exc)) from None
            if self.index_dir:
                settings = settings.with_index_dir(self.index_dir)
            self._settings = settings
        return self._settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default="config.toml", show_default=True,
              type=click.Path(dir_okay=False), help="Settings file.")
@click.option("--index", "index_dir", default=None, type=click.Path(file_okay=False),
              help="Index folder (overrides index.dir from the config).")
@click.version_option(package_name="searchsvc")
@click.pass_context
def main(ctx: click.Context, config_path: str, index_dir: str | None) -> None:
    """Search press-conference transcripts."""
    ctx.obj = _Ctx(config_path, index_dir)


def fail(exc: SearchsvcError) -> None:
    """Map a domain error to a CLI message and exit status 1."""
    raise click.ClickException(str(exc))


# ---- parse (ingestion) ----------------------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Exit non-zero if any file is skipped.")
@click.pass_obj
def parse(obj: _Ctx, paths: tuple[str, ...], strict: bool) -> None:
    """Parse transcripts and print one JSON object per turn (JSON Lines)."""
    import json

    from .transcripts import parse_paths

    result = parse_paths(paths)
    turns = 0
    for conf in result.conferences:
        for turn in conf.turns:
            click.echo(json.dumps({
                "conference_id": conf.id, "conference_title": conf.title, "date": conf.date.isoformat(),
                "source": conf.source_file, "source_url": conf.source_url, "source_format": conf.source_format,
                "seq": turn.seq, "kind": turn.kind, "outlet": turn.outlet, "question": turn.question,
                "speakers": list(turn.speakers), "answer": turn.answer, "line": turn.line,
            }, ensure_ascii=False))
            turns += 1
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(f"{len(result.conferences)} conferences, {turns} turns from {result.files_seen} files; "
               f"{len(result.problems)} skipped", err=True)
    if not result.conferences:
        raise click.ClickException("nothing parsed")
    if strict and result.problems:
        raise click.ClickException(f"{len(result.problems)} file(s) skipped (--strict)")


# ---- index (indexing) -----------------------------------------------------------

@main.group()
def index() -> None:
    """Build and inspect the search index."""


def _progress_bar():
    """A tqdm bar on stderr (turns, turns/s, ETA) and the callback that drives it."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit="turns", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
               disable=None, desc="indexing")

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    return bar, progress


def _echo_stats(stats) -> None:
    rate = stats.turns / stats.build_seconds if stats.build_seconds else 0.0
    rows = [
        ("generation", stats.generation), ("turns", f"{stats.turns:,}"), ("conferences", f"{stats.conferences:,}"),
        ("speakers", f"{stats.speakers:,}"), ("outlets", f"{stats.outlets:,}"),
        ("size", f"{stats.size_bytes / 1e6:.1f} MB"), ("built at", stats.built_at),
        ("build time", f"{stats.build_seconds:.1f} s ({rate:,.0f} turns/s)"),
    ]
    for name, value in rows:
        click.echo(f"{name:<12} {value}")


def _run_indexing(obj: _Ctx, build, paths) -> None:
    problems: list = []
    settings = obj.settings
    click.echo(f"parsing {', '.join(str(p) for p in (paths or settings.corpus.paths))} ...", err=True)
    bar, progress = _progress_bar()
    try:
        stats = build(settings, paths, progress=progress, problems=problems)
    except SearchsvcError as exc:
        bar.close()
        for problem in problems:
            click.echo(f"skipped {problem}", err=True)
        fail(exc)
    bar.close()
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    _echo_stats(stats)
    if problems:
        click.echo(f"{len(problems)} file(s) skipped (listed above)", err=True)


@index.command("rebuild")
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_obj
def index_rebuild(obj: _Ctx, paths: tuple[str, ...]) -> None:
    """Rebuild the whole index from PATHS (default: corpus.paths in the config) as a new generation."""
    from .indexing import rebuild_index

    _run_indexing(obj, rebuild_index, list(paths) or None)


@index.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_obj
def index_add(obj: _Ctx, paths: tuple[str, ...]) -> None:
    """Add or replace the conferences in PATHS (a new generation; the rest of the index stays)."""
    from .indexing import add_to_index

    _run_indexing(obj, add_to_index, list(paths))


@index.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@click.pass_obj
def index_stats(obj: _Ctx, as_json: bool) -> None:
    """Show the current index generation's stats."""
    import json

    from .indexing import read_stats
    from .serialize import stats_to_dict

    try:
        stats = read_stats(obj.settings)
    except SearchsvcError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(stats_to_dict(stats), indent=2))
    else:
        _echo_stats(stats)


# ---- search -----------------------------------------------------------------------

def _terminal_html(html_text: str) -> str:
    """Snippet HTML (escaped text with <mark>) -> terminal text with highlights in colour."""
    import html
    import re

    parts = re.split(r"<mark>(.*?)</mark>", html_text)
    return "".join(click.style(html.unescape(p), fg="yellow", bold=True) if i % 2 else html.unescape(p)
                   for i, p in enumerate(parts))


def _echo_page(page) -> None:
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


@main.command()
@click.argument("query", nargs=-1)
@click.option("--speaker", "speakers", multiple=True, help="Only turns answered by this speaker (repeatable).")
@click.option("--outlet", "outlets", multiple=True, help="Only questions from this outlet (repeatable).")
@click.option("--conference", "conferences", multiple=True, help="Only this conference id (repeatable).")
@click.option("--year", "years", multiple=True, type=int, help="Only this year (repeatable).")
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), help="Up to this date (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--scope", type=click.Choice(["both", "question", "answer"]), default="both", show_default=True)
@click.option("--limit", type=int, default=None, help="Results per page [default: search.per_page].")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON (same shape as the web API).")
@click.pass_obj
def search(obj: _Ctx, query, speakers, outlets, conferences, years, date_from, date_to, sort, scope, limit, page,
           as_json) -> None:
    """Search the index: words (all required), "phrases", -exclusions, OR, prefix*, speaker:/outlet: filters."""
    import json

    from .models import SearchRequest
    from .search import SearchService
    from .serialize import search_page_to_dict

    settings = obj.settings
    request = SearchRequest(
        q=" ".join(query), speakers=speakers, outlets=outlets, conferences=conferences, years=years,
        date_from=date_from.date() if date_from else None, date_to=date_to.date() if date_to else None,
        sort=sort, scope=scope, page=page, per_page=limit if limit is not None else settings.search.per_page,
    )
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


# ---- serve (web) ------------------------------------------------------------------

def _split_bind(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected HOST:PORT, got {bind!r}", param_hint="--bind")
    return host.strip("[]"), int(port)


@main.command()
@click.option("--bind", default=None, metavar="HOST:PORT", help="Address to listen on [default: server.bind].")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="gunicorn worker processes [default: server.workers].")
@click.option("--dev", is_flag=True, help="Flask's development server (auto-reload, debugger) instead of gunicorn.")
@click.pass_obj
def serve(obj: _Ctx, bind: str | None, workers: int | None, dev: bool) -> None:
    """Serve the search site and JSON API (gunicorn sync workers; each opens the index after fork)."""
    settings = obj.settings
    host, port = _split_bind(bind or settings.server.bind)
    if dev:
        from .web import create_app
        # Auto-reload always; the interactive debugger only on a loopback address.
        create_app(settings).run(host=host, port=port, debug=host in ("127.0.0.1", "localhost", "::1"),
                                 use_reloader=True)
        return
    from .web.wsgi import run_gunicorn
    click.echo(f"searchsvc: serving {settings.index.dir} on http://{bind or settings.server.bind}/", err=True)
    run_gunicorn(settings, bind=bind, workers=workers)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
