"""CLI edge: `searchsvc parse` prints the turns of transcripts as JSON Lines (ingest stage only)."""

from __future__ import annotations

import click

from .context import CliContext


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Exit non-zero if any file is skipped.")
@click.pass_obj
def parse(obj: CliContext, paths: tuple[str, ...], strict: bool) -> None:
    """Parse transcripts and print one JSON object per turn (JSON Lines; `index rebuild`/`index add` read it back)."""
    import json

    from ..ingest import parse_paths
    from ..ingest.jsonl import turn_row

    result = parse_paths(paths)
    turns = 0
    for conf in result.conferences:
        for turn in conf.turns:
            click.echo(json.dumps(turn_row(conf, turn), ensure_ascii=False))
            turns += 1
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(f"{len(result.conferences)} conferences, {turns} turns from {result.files_seen} files; "
               f"{len(result.problems)} skipped", err=True)
    if not result.conferences:
        raise click.ClickException("nothing parsed")
    if strict and result.problems:
        raise click.ClickException(f"{len(result.problems)} file(s) skipped (--strict)")
