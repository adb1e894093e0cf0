"""CLI edge: `searchsvc alerts add|list|remove|run|test` (alerts stage), and delivery at the end of indexing.

When [alerts] run_after_index is true, a successful `searchsvc index add` or `index rebuild` runs the same
delivery as `alerts run` (a result callback on the `index` group: the index package never imports alerts).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from ..errors import SearchsvcError
from .context import CliContext, fail
from .index import index as index_group
from .parameters import MatchCommand, request_of

if TYPE_CHECKING:
    from ..alerts import AlertService
    from ..alerts.model import RunReport


def _alert_service(obj: CliContext) -> AlertService:
    from ..alerts import AlertService

    return AlertService(obj.settings)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group()
def alerts() -> None:
    """Saved searches that mail or POST the new turns that match them."""


@alerts.command("add", cls=MatchCommand)
@click.argument("query", nargs=-1)
@click.option("--name", default="", help="What the alert is called in mails and lists [default: the query].")
@click.option("--email", metavar="ADDRESS", help="Mail new turns to this address.")
@click.option("--webhook", metavar="URL", help="POST new turns as signed JSON to this URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the new alert (and its secret) as JSON.")
@click.pass_obj
def alerts_add(obj: CliContext, /, query: tuple[str, ...], name: str, email: str | None, webhook: str | None,
               as_json: bool, **params: Any) -> None:
    """Save QUERY (and filters) as an alert: turns that enter the index from now on and match it are delivered.
    Every filter option is a parameter of /api/search, with the same limits and rules."""
    request = request_of(MatchCommand.fields, query, params, obj.settings)
    try:
        with _alert_service(obj) as service:
            created = service.add(request, name=name, email=email, webhook=webhook)
    except SearchsvcError as exc:
        fail(exc)
    alert = created.alert
    if as_json:
        _echo_json({**alert.public(), "secret": created.secret or None, "matching_now": created.matching_now})
        return
    click.echo(click.style(f"alert {alert.id} saved: {alert.name}", bold=True))
    click.echo(f"  query      {alert.query or '(none)'}")
    if alert.filters:
        click.echo(f"  filters    {json.dumps(alert.filters, ensure_ascii=False)}")
    click.echo(f"  delivers   {alert.channel} to {alert.target}")
    if created.secret:
        click.echo(f"  secret     {created.secret}")
        click.echo("             shown only now: the receiver checks X-Searchsvc-Signature: "
                   "sha256=<HMAC-SHA256 of the body under this secret>")
    if created.matching_now is None:
        click.echo("  no index yet: every matching turn indexed from now on will be delivered")
    else:
        click.echo(f"  {created.matching_now:,} turns in the index match today (not sent); "
                   "turns added from now on will be")


def _when(stamp: str | None) -> str:
    return stamp.replace("+00:00", "Z") if stamp else "never"


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
@click.pass_obj
def alerts_list(obj: CliContext, as_json: bool) -> None:
    """List the alerts with what they delivered, what waits, the last success and the last error."""
    try:
        with _alert_service(obj) as service:
            found = service.list_all()
    except SearchsvcError as exc:
        fail(exc)
    if as_json:
        _echo_json([a.public() for a in found])
        return
    if not found:
        click.echo("no alerts (add one with `searchsvc alerts add QUERY --email ADDRESS`)")
    for a in found:
        click.echo(click.style(f"{a.id}. {a.name}", bold=True) + f"  → {a.channel} {a.target}")
        click.echo(f"   query {a.query or '(none)'}"
                   + (f"  filters {json.dumps(a.filters, ensure_ascii=False)}" if a.filters else ""))
        click.echo(f"   delivered {a.delivered}, waiting {a.pending}, last success {_when(a.last_success_at)}")
        if a.last_error:
            click.echo(click.style(f"   last error ({_when(a.last_error_at)}): {a.last_error}", fg="red"))


@alerts.command("remove")
@click.argument("alert_id", type=int)
@click.pass_obj
def alerts_remove(obj: CliContext, alert_id: int) -> None:
    """Delete alert ALERT_ID and what it had waiting (this is the unsubscribe)."""
    try:
        with _alert_service(obj) as service:
            gone = service.remove(alert_id)
    except SearchsvcError as exc:
        fail(exc)
    click.echo(f"alert {gone.id} removed: {gone.name}")


def echo_report(report: RunReport, err: bool = False) -> None:
    """One line per alert: new turns, what was sent, what waits and why."""
    where = f"generation {report.generation}" if report.generation else "no index"
    click.echo(f"alerts: {report.new_turns:,} turns new to the alerts store ({where}); sent {report.sent:,}", err=err)
    for o in report.outcomes:
        line = (f"  {o.alert_id}. {o.name}: {o.matched} new match{'es' if o.matched != 1 else ''}, "
                f"{o.sent} sent in {o.batches} message{'s' if o.batches != 1 else ''}")
        if o.error:
            click.echo(click.style(f"{line}; FAILED: {o.error}; {o.pending} waiting for the next run", fg="red"),
                       err=err)
        else:
            click.echo(line, err=err)


@alerts.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_obj
def alerts_run(obj: CliContext, as_json: bool) -> None:
    """Deliver the turns new to the index that match each alert (for cron or a systemd timer).
    Exits 1 when a delivery failed (those turns stay queued for the next run)."""
    try:
        with _alert_service(obj) as service:
            report = service.run()
    except SearchsvcError as exc:
        fail(exc)
    if as_json:
        _echo_json(report.to_dict())
    else:
        echo_report(report)
    if report.failed:
        raise SystemExit(1)


@alerts.command("test")
@click.argument("alert_id", type=int)
@click.pass_obj
def alerts_test(obj: CliContext, alert_id: int) -> None:
    """Send alert ALERT_ID a test message with its newest matching turns (nothing is marked delivered)."""
    try:
        with _alert_service(obj) as service:
            result = service.test(alert_id)
    except SearchsvcError as exc:
        fail(exc)
    click.echo(f"test of alert {result.alert.id} ({result.turns} turns): {result.detail}")


@index_group.result_callback()
def _deliver_after_indexing(_result: Any, **_params: Any) -> None:
    """After a successful `index add`/`rebuild`: deliver what is new, when [alerts] run_after_index is on."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand not in ("add", "rebuild") or not isinstance(ctx.obj, CliContext):
        return
    from ..alerts import run_after_index

    try:
        report = run_after_index(ctx.obj.settings)
    except SearchsvcError as exc:
        click.echo(f"alerts: not delivered: {exc} (the index was updated; run `searchsvc alerts run`)", err=True)
        return
    if report is not None:
        echo_report(report, err=True)
