"""`hotline planning import|export`: the planning file on the command line."""

from __future__ import annotations

import json
from typing import IO, Any, NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.db import database
from hotline.planning.transfer import PlanningFileError, export_planning, import_planning


@click.group("planning")
def planning_group() -> None:
    """Import or export the planning file (people, hotlines, slots)."""


@planning_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_command(file: IO[str]) -> None:
    """Load FILE (JSON); each hotline in it gets exactly the file's slots. All or nothing."""
    document = _read_json(file)
    try:
        with database(current_app).session_scope() as session:
            summary = import_planning(session, document)
    except PlanningFileError as exc:
        _reject(file.name, exc.errors)
    click.echo(summary)


@planning_group.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8", lazy=True), default="-")
@with_appcontext
def export_command(file: IO[str]) -> None:
    """Write the whole planning as JSON to FILE (standard output by default)."""
    with database(current_app).session_scope() as session:
        document = export_planning(session)
    file.write(planning_json(document))


def planning_json(document: dict[str, Any]) -> str:
    """Lay out a planning file with one line per person and per slot: easy to read and diff."""

    def items(values: list[str], indent: str) -> str:
        if not values:
            return "[]"
        return "[\n" + ",\n".join(indent + "  " + v for v in values) + "\n" + indent + "]"

    def hotline(fields: dict[str, Any]) -> str:
        lines = [f"      {_line(k)}: {_line(v)}" for k, v in fields.items() if k != "slots"]
        slots = items([_line(slot) for slot in fields["slots"]], "      ")
        lines.append(f'      "slots": {slots}')
        return "{\n" + ",\n".join(lines) + "\n    }"

    people = [_line(person) for person in document["people"]]
    hotlines = [hotline(fields) for fields in document["hotlines"]]
    return (
        f'{{\n  "format": {_line(document["format"])},\n'
        f'  "people": {items(people, "  ")},\n'
        f'  "hotlines": {items(hotlines, "  ")}\n}}\n'
    )


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _read_json(file: IO[str]) -> Any:
    try:
        return json.load(file)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both are
        _reject(file.name, [f"not a JSON file: {exc}"])


def _reject(name: str, errors: list[str]) -> NoReturn:
    noun = "error" if len(errors) == 1 else "errors"
    click.echo(f"{name}: rejected, nothing imported ({len(errors)} {noun}):", err=True)
    for error in errors:
        click.echo(f"  {error}", err=True)
    raise click.exceptions.Exit(1)


COMMANDS = [planning_group]
