"""`hotline stats`: synthetic calls, and the figures of a period on the command line."""

from __future__ import annotations

from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import database
from hotline.models import Hotline
from hotline.stats.astreinte import astreinte_report
from hotline.stats.errors import StatsInputError
from hotline.stats.exports import astreinte_csv
from hotline.stats.kpis import summary
from hotline.stats.periods import parse_period
from hotline.stats.rollup_build import rollup_closed_days
from hotline.stats.sample import MAX_CALLS, MAX_DAYS, generate_sample


@click.group("stats")
def stats_group() -> None:
    """Call statistics: sample data, summary figures, the on-call report."""


@stats_group.command("sample")
@click.option("--calls", "count", required=True, type=click.IntRange(1, MAX_CALLS))
@click.option("--hotline", "number", default=None, help="Hotline number (needed if several).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, MAX_DAYS))
@click.option("--seed", default=None, type=int, help="Make the run repeatable.")
@with_appcontext
def sample_command(count: int, number: str | None, days: int, seed: int | None) -> None:
    """Insert N synthetic calls and ring legs over the last DAYS days (demos, benchmarks)."""
    with database(current_app).sessionmaker() as session:
        hotline = _hotline(session, number)
        with click.progressbar(length=count, label=f"calls to {hotline.number}") as bar:
            try:
                result = generate_sample(
                    session, hotline, count, days, seed=seed, on_batch=bar.update
                )
            except StatsInputError as exc:
                _fail(exc)
    click.echo(
        f"inserted {result.calls} calls, {result.legs} ring legs, {result.voicemails} voicemails"
    )


@stats_group.command("summary")
@click.option("--hotline", "number", default=None, help="Hotline number (needed if several).")
@click.option(
    "--period", "preset", default="7d", show_default=True, help="today, 7d, 30d, month, custom"
)
@click.option("--month", default=None, help="YYYY-MM, with --period month.")
@click.option("--start", default=None, help="YYYY-MM-DD, with --period custom.")
@click.option("--end", default=None, help="YYYY-MM-DD, with --period custom.")
@click.option("--target", default=30, show_default=True, help="Service-level target (seconds).")
@with_appcontext
def summary_command(
    number: str | None,
    preset: str,
    month: str | None,
    start: str | None,
    end: str | None,
    target: int,
) -> None:
    """Print the summary figures of a period, in the hotline's time zone."""
    with database(current_app).sessionmaker() as session:
        hotline = _hotline(session, number)
        try:
            period = parse_period(preset, hotline.timezone, start=start, end=end, month=month)
            kpis = summary(session, period, hotline.id, target)
        except StatsInputError as exc:
            _fail(exc)
    click.echo(f"{hotline.name} ({hotline.number}), {period.start} to {period.end}")
    click.echo(f"  received   {kpis.received}")
    for label, count in (
        ("answered", kpis.answered),
        ("voicemail", kpis.voicemail),
        ("missed", kpis.missed),
        ("abandoned", kpis.abandoned),
        ("failed", kpis.failed),
    ):
        click.echo(f"  {label:<10} {count:>6}  {_percent(kpis.rate(count))}")
    click.echo(
        f"  time to answer: mean {_seconds(kpis.answer_seconds_mean)},"
        f" median {_seconds(kpis.answer_seconds_median)},"
        f" 90th percentile {_seconds(kpis.answer_seconds_p90)}"
    )
    click.echo(f"  service level ({target} s): {_percent(kpis.service_level)}")


@stats_group.command("rollup")
@with_appcontext
def rollup_command() -> None:
    """Build the hourly rollups of every closed day not built or changed since.

    The alert worker does this every hour; this runs it now.
    """
    days = rollup_closed_days(current_app)
    click.echo(f"rebuilt the rollups of {days} day(s)")


@stats_group.command("astreinte")
@click.option("--hotline", "number", default=None, help="Hotline number (needed if several).")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--locale", default="fr", show_default=True, help="fr or en (CSV conventions).")
@with_appcontext
def astreinte_command(number: str | None, month: str, locale: str) -> None:
    """Write the on-call (astreinte) report of MONTH as CSV on standard output."""
    with database(current_app).sessionmaker() as session:
        hotline = _hotline(session, number)
        try:
            period = parse_period("month", hotline.timezone, month=month)
            lines = astreinte_report(
                session,
                period.start.year,
                period.start.month,
                hotline.timezone,
                hotline_id=hotline.id,
            )
            text = astreinte_csv(lines, month, locale)
        except StatsInputError as exc:
            _fail(exc)
    click.echo(text, nl=False)


def _hotline(session: Session, number: str | None) -> Hotline:
    if number:
        found = session.scalar(select(Hotline).where(Hotline.number == number))
        if found is None:
            _fail(f"no hotline with number {number}")
        return found
    hotlines = session.scalars(select(Hotline).limit(2)).all()
    if not hotlines:
        _fail("no hotline yet: import a planning (or run seed-demo) first")
    if len(hotlines) > 1:
        _fail("several hotlines: choose one with --hotline NUMBER")
    return hotlines[0]


def _fail(error: object) -> NoReturn:
    raise click.ClickException(str(error))


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


COMMANDS = [stats_group]
