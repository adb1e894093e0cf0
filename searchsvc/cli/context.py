"""CLI edge: the context object every command receives (settings loaded lazily) and the domain-error mapping."""

from __future__ import annotations

from typing import NoReturn

import click

from ..config import Settings, load_settings
from ..errors import SearchsvcError


class CliContext:
    """Lazily loaded settings, so `--help` works without a config file."""

    def __init__(self, config_path: str, index_dir: str | None):
        self.config_path = config_path
        self.index_dir = index_dir
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                settings = load_settings(self.config_path)
            except SearchsvcError as exc:
                raise click.ClickException(str(exc)) from None
            if self.index_dir:
                settings = settings.with_index_dir(self.index_dir)
            self._settings = settings
        return self._settings


def fail(exc: SearchsvcError) -> NoReturn:
    """Map a domain error to a CLI message and exit status 1."""
    raise click.ClickException(str(exc))
