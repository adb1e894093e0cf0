"""CLI edge: the click group `searchsvc`; each command lives in its own module and is registered here."""

from __future__ import annotations

import sys

import click

from . import alerts, index, parse, search, serve
from .context import CliContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default="config.toml", show_default=True,
              type=click.Path(dir_okay=False), help="Settings file.")
@click.option("--index", "index_dir", default=None, type=click.Path(file_okay=False),
              help="Index folder (overrides index.dir from the config).")
@click.version_option(package_name="searchsvc")
@click.pass_context
def main(ctx: click.Context, config_path: str, index_dir: str | None) -> None:
    """Search press-conference transcripts."""
    ctx.obj = CliContext(config_path, index_dir)


for _command in (parse.parse, index.index, search.search, serve.serve, alerts.alerts):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
