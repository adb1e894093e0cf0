"""CLI edge: `searchsvc config` prints the settings in force and where each came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..config import setting_names, setting_value
from .context import CliContext


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_obj
def config(obj: CliContext, as_json: bool) -> None:
    """Show the settings in force and where each came from (config file, --index, $SEARCHSVC_INDEX, default).

    The config file is --config, else $SEARCHSVC_CONFIG, else ./config.toml if present; without one every
    setting is a built-in default and the index lives in the per-user data folder.
    """
    found = obj.in_force
    rows = [(name, _plain(setting_value(found.settings, name)), found.origins[name]) for name in setting_names()]
    if as_json:
        click.echo(json.dumps({
            "config_file": str(found.config_file) if found.config_file else None, "config_from": found.config_reason,
            "settings": {name: {"value": value, "from": origin} for name, value, origin in rows}}, indent=2))
        return
    click.echo(f"config file: {found.config_file or '(none)'}  [{found.config_reason}]")
    width = max(len(name) for name, _, _ in rows)
    for name, value, origin in rows:
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        click.echo(f"{name:<{width}}  {shown or '(none)'}  " + click.style(f"[{origin}]", dim=True))
