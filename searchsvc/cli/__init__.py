"""CLI edge: the click group `searchsvc`; each command lives in its own module and is registered here."""

from __future__ import annotations

import sys

import click

from . import alerts, config, index, parse, search, serve
from .context import CliContext
from .inspect import inspect as inspect_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="Settings file [default: $SEARCHSVC_CONFIG, else ./config.toml if present, else built-in defaults].")
@click.option("--index", "index_dir", default=None, type=click.Path(file_okay=False),
              help="Index folder [default: $SEARCHSVC_INDEX, else index.dir, else the per-user data folder].")
@click.version_option(package_name="searchsvc")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, index_dir: str | None) -> None:
    """Search press-conference transcripts."""
    ctx.obj = CliContext(config_path, index_dir)


for _command in (parse.parse, index.index, search.search, serve.serve, config.config, inspect_command,
                 alerts.alerts):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
