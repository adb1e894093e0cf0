"""CLI edge: `searchsvc inspect FILE...` shows how each file was understood (container, encoding, title, date,
officials and host, the label table with the role given and why, the first turns, warnings)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import TranscriptError
from ..models import KIND_MODERATOR, KIND_QA, Conference
from .context import CliContext


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _facts(conf: Conference) -> list[tuple[str, str]]:
    reading = conf.reading
    hosts = [lr.name or lr.label for lr in reading.labels if lr.role == "host"] if reading else []
    return [
        ("container", f"{reading.container} ({reading.encoding})" if reading else "?"),
        ("title", conf.title),
        ("date", f"{conf.date.isoformat()} (from {reading.date_from or '?'})" if reading else conf.date.isoformat()),
        ("source", f"{conf.source_format}  {conf.source_url or '(no address)'}"),
        ("officials", ", ".join(o for o in conf.officials if o not in hosts) or "-"),
        ("host", ", ".join(dict.fromkeys(hosts)) or "-"),
        ("job titles", "; ".join(f"{name}: {role}" for name, role in conf.roles) or "-"),
        ("conventions", ", ".join(reading.conventions) if reading and reading.conventions else "-"),
        ("text in turns", f"{reading.share:.1%}" if reading else "?"),
        ("turns", f"{len(conf.turns)} ({sum(1 for t in conf.turns if t.kind == KIND_QA)} questions)"),
    ]


def _label_table(conf: Conference) -> list[str]:
    labels = conf.reading.labels if conf.reading else ()
    if not labels:
        return ["  (no labels)"]
    width = min(34, max(len(lr.label) for lr in labels))
    rows = [f"  {'label':<{width}}  {'role':<13} {'count':>5}  filed as / why"]
    for lr in labels:
        filed = f"{lr.name}; " if lr.name and lr.name != lr.label else ""
        rows.append(f"  {_short(lr.label, width):<{width}}  {lr.role:<13} {lr.count:>5}  {filed}{lr.why}")
    return rows


def _turn_lines(conf: Conference, limit: int) -> list[str]:
    out = []
    for turn in conf.turns[:limit]:
        who = ", ".join(turn.speakers) or "(no speaker)"
        if turn.kind == KIND_QA:
            asker = turn.outlet or "reporter"
            out.append(f"  #{turn.seq} line {turn.line}: question from {asker}: {_short(turn.question, 70)}")
            out.append(f"      answered by {who}: {_short(turn.answer, 70) or '(no answer)'}")
        else:
            kind = "host" if turn.kind == KIND_MODERATOR else "statement"
            out.append(f"  #{turn.seq} line {turn.line}: {kind} by {who}: {_short(turn.answer, 70)}")
    return out


def describe(conf: Conference, turns: int = 6) -> str:
    lines = [conf.source_file]
    lines += [f"  {key:<13} {value}" for key, value in _facts(conf)]
    lines += ["labels"] + _label_table(conf)
    lines += [f"first turns (of {len(conf.turns)})"] + _turn_lines(conf, turns)
    warnings = conf.reading.warnings if conf.reading else ()
    lines += ["warnings"] + ([f"  - {w}" for w in warnings] or ["  (none)"])
    return "\n".join(lines)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--turns", "turns", default=6, show_default=True, type=click.IntRange(0, 1000),
              help="How many turns to show per file.")
@click.pass_obj
def inspect(obj: CliContext, files: tuple[str, ...], turns: int) -> None:
    """Show how each transcript file is read: container, encoding, title, date, officials and host, labels and
    their roles, the first turns and warnings. Exits non-zero if a file cannot be read."""
    from ..ingest import parse_transcript

    failed = 0
    for k, name in enumerate(files):
        if k:
            click.echo("")
        try:
            conferences = parse_transcript(Path(name))
        except TranscriptError as exc:
            failed += 1
            click.echo(f"{name}\n  problem       {exc}")
            continue
        for conf in conferences:
            click.echo(describe(conf, turns))
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file(s) could not be read")

