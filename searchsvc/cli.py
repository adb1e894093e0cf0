"""CLI edge: the click group `searchsvc` (parse, index, search, serve); maps domain errors to messages and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

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
    raise click.ClickException("not implemented yet")


# ---- index (indexing) -----------------------------------------------------------

@main.group()
def index() -> None:
    """Build and inspect the search index."""


# ---- search -----------------------------------------------------------------------


# ---- serve (web) ------------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
