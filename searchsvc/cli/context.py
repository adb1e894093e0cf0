"""CLI edge: the context object every command receives (settings resolved lazily: --config, $SEARCHSVC_CONFIG,
./config.toml or built-in defaults; --index or $SEARCHSVC_INDEX) and the domain-error mapping."""

from __future__ import annotations

from typing import NoReturn

import click

from ..config import Settings, SettingsInForce, resolve_settings
from ..errors import SearchsvcError


class CliContext:
    """Lazily resolved settings, so `--help` works whatever the config."""

    def __init__(self, config_path: str | None, index_dir: str | None):
        self.config_path = config_path
        self.index_dir = index_dir
        self._in_force: SettingsInForce | None = None

    @property
    def in_force(self) -> SettingsInForce:
        """The settings with where each came from (`searchsvc config`)."""
        if self._in_force is None:
            try:
                self._in_force = resolve_settings(self.config_path, self.index_dir)
            except SearchsvcError as exc:
                raise click.ClickException(str(exc)) from None
        return self._in_force

    @property
    def settings(self) -> Settings:
        return self.in_force.settings


def fail(exc: SearchsvcError) -> NoReturn:
    """Map a domain error to a CLI message and exit status 1."""
    raise click.ClickException(str(exc))
