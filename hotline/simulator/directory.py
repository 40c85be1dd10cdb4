"""Callee names for the transcript, read from the local database when there is one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline.models import Person


def callee_names(engine: Engine) -> dict[str, str]:
    """People's names by mobile number; empty when the database is absent or unreadable."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return {}  # do not create an empty database file just to look for names
    try:
        with Session(engine) as session:
            rows = session.execute(select(Person.mobile, Person.name)).all()
    except SQLAlchemyError:
        # The simulator may target a server whose database is elsewhere: numbers will do.
        return {}
    return {mobile: name for mobile, name in rows}
