"""Alembic environment: the engine comes from the app (hotline.schema)."""

from __future__ import annotations

from alembic import context

import hotline.all_models  # noqa: F401 - registers every table on Base.metadata
from hotline.db import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
