"""Commands to create the first admin and to recover an account."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hotline.auth.models import ROLES
from hotline.auth.services import AccountError, create_user, find_user_by_email, set_password
from hotline.db import database
from hotline.models import LANGUAGES, Person


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--name", default="", help="Display name (default: the e-mail).")
@click.option("--person", "person_ref", help="Link the user to the person with this ref.")
@click.option("--language", type=click.Choice(LANGUAGES), help="UI language (default: browser).")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def create_user_command(
    email: str,
    role: str,
    name: str,
    person_ref: str | None,
    language: str | None,
    password_stdin: bool,
) -> None:
    """Create a web user, e.g. the first admin: hotline create-user EMAIL --role admin."""
    password = _read_password(password_stdin)
    with database(current_app).session_scope() as session:
        person_id = None
        if person_ref:
            person_id = session.scalar(select(Person.id).where(Person.ref == person_ref))
            if person_id is None:
                raise click.ClickException(f"no person with ref {person_ref!r}")
        try:
            user = create_user(
                session,
                email=email,
                name=name,
                role=role,
                password=password,
                person_id=person_id,
                language=language,
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"created {user.role} {user.email} (#{user.id})")


@click.command("reset-password")
@with_appcontext
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL, unlock it and end its sessions."""
    with database(current_app).session_scope() as session:
        user = find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"no user with e-mail {email!r}")
        try:
            set_password(session, user, _read_password(password_stdin))
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"password of {user.email} reset")


COMMANDS = [create_user_command, reset_password_command]
