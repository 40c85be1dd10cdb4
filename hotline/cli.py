"""The `hotline` command: database, demo, call records, planning, simulator."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import click
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, pass_script_info, with_appcontext
from flask.cli import run_command as flask_run_command
from flask.helpers import get_debug_flag
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import is_running_from_reloader

from hotline import schema
from hotline.db import DatabaseUrlError, database, describe_error, redacted_url


class ReportsOperatorErrors(click.Group):
    """Say what an operator can fix (database away, bad URL, unknown revision) in one line.

    Exit status 1 with `Error: ...` instead of a traceback of a hundred lines.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DatabaseUrlError, CommandError) as exc:
            raise click.ClickException(str(exc)) from exc
        except DBAPIError as exc:
            raise click.ClickException(
                f"database {_database_name(ctx)}: {describe_error(exc)}"
            ) from exc


def _database_name(ctx: click.Context) -> str:
    info = ctx.find_object(ScriptInfo)
    if info is None:
        return "error"
    return repr(redacted_url(database(info.load_app()).url))


class HotlineGroup(ReportsOperatorErrors, FlaskGroup):
    """The `hotline` command (production runs)."""

    def __init__(self, *, add_default_commands: bool = True, **kwargs: Any) -> None:
        super().__init__(add_default_commands=add_default_commands, **kwargs)
        if add_default_commands:
            self.add_command(run_command)  # in place of Flask's own


def _run_checking_settings(info: ScriptInfo, **options: Any) -> None:
    """Run Flask's development server, logging the start-up check of the settings first."""
    reload = options["reload"] if options["reload"] is not None else get_debug_flag()
    # With the reloader, the first process only watches the files and a second one
    # serves (started again at each change): the check is that one's, as in gunicorn.
    if not reload or is_running_from_reloader():
        _log_start_up_problems(info)
    click.get_current_context().invoke(flask_run_command.callback, **options)


def _log_start_up_problems(info: ScriptInfo) -> None:
    from hotline import log_start_up_problems

    try:
        app = info.load_app()
    except Exception:  # Flask's run, just after, says what is wrong
        return
    log_start_up_problems(app)


run_command = click.Command(
    "run",
    callback=pass_script_info(_run_checking_settings),
    params=flask_run_command.params,
    help=flask_run_command.help,
    short_help=flask_run_command.short_help,
)


class HotlineAppGroup(ReportsOperatorErrors, AppGroup):
    """The app's own command group (`app.cli`, which the test runner invokes)."""


def main() -> None:
    """Entry point of the `hotline` console script."""
    from hotline import create_app

    HotlineGroup(create_app=create_app, add_default_commands=True, help=__doc__)()


def init_app(app: Flask) -> None:
    cli_name = app.cli.name
    app.cli = HotlineAppGroup(name=cli_name)
    from hotline.demo import demo_command, seed_demo_command
    from hotline.voice.cli import calls_command

    app.cli.add_command(db_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(calls_command)
    for module in (
        "hotline.planning.cli",
        "hotline.simulator.cli",
        "hotline.auth.cli",
        "hotline.stats.cli",
        "hotline.alerts.cli",
        "hotline.ops.cli",
    ):
        _add_optional_commands(app, module)


def _add_optional_commands(app: Flask, module_name: str) -> None:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return
    for command in module.COMMANDS:
        app.cli.add_command(command)


@click.group("db")
def db_group() -> None:
    """Create or migrate the database schema (Alembic)."""


@db_group.command("upgrade")
@with_appcontext
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    schema.upgrade(database(current_app).engine, revision)
    click.echo(f"database at {schema.current_revision(database(current_app).engine)}")


@db_group.command("downgrade")
@with_appcontext
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' empties the database)."""
    schema.downgrade(database(current_app).engine, revision)
    click.echo(f"database at {schema.current_revision(database(current_app).engine) or 'base'}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision of the database and the head revision."""
    engine = database(current_app).engine
    click.echo(f"current: {schema.current_revision(engine) or 'base'}")
    click.echo(f"head:    {schema.head_revision(engine)}")


def ensure_instance_config(app: Flask) -> Path:
    """Write instance/config.py with fresh secrets the first time (demo set-up)."""
    path = Path(app.instance_path) / "config.py"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `hotline demo`; edit freely. Environment variables override it.\n"
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
        # Signs the simulator's calls. No account SID: the demo sends no real SMS.
        f"TWILIO_AUTH_TOKEN = {secrets.token_hex(16)!r}\n"
        "EMERGENCY_NUMBER = '+33184880000'\n"
    )
    return path
