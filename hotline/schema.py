"""Alembic, driven from the app: migrations are the only way the schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    _check_revision(config, revision)
    command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    _check_revision(config, revision)
    command.downgrade(config, revision)


def _check_revision(config: Config, revision: str) -> None:
    """Refuse an unknown revision before connecting: SQLite would make an empty file first.

    Relative revisions ("-1", "+2", "head-1") depend on the database's own
    revision; Alembic judges those once connected.
    """
    if "+" not in revision and "-" not in revision:
        ScriptDirectory.from_config(config).get_revisions(revision)  # CommandError if unknown


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
