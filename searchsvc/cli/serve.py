"""CLI edge: `searchsvc serve` runs the web site (gunicorn, or Flask's dev server with --dev)."""

from __future__ import annotations

import click

from .context import CliContext


def _split_bind(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected HOST:PORT, got {bind!r}", param_hint="--bind")
    return host.strip("[]"), int(port)


@click.command()
@click.option("--bind", default=None, metavar="HOST:PORT", help="Address to listen on [default: server.bind].")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="gunicorn worker processes [default: server.workers].")
@click.option("--dev", is_flag=True, help="Flask's development server (auto-reload, debugger) instead of gunicorn.")
@click.pass_obj
def serve(obj: CliContext, bind: str | None, workers: int | None, dev: bool) -> None:
    """Serve the search site and JSON API (gunicorn sync workers; each opens the index after fork)."""
    settings = obj.settings
    host, port = _split_bind(bind or settings.server.bind)
    if dev:
        from ..web import create_app
        # Auto-reload always; the interactive debugger only on a loopback address.
        create_app(settings).run(host=host, port=port, debug=host in ("127.0.0.1", "localhost", "::1"),
                                 use_reloader=True)
        return
    from ..web.wsgi import run_gunicorn
    click.echo(f"searchsvc: serving {settings.index.dir} on http://{bind or settings.server.bind}/", err=True)
    run_gunicorn(settings, bind=bind, workers=workers)
