"""Backups as docs/operations.md describes them restore exactly what was there."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from hotline import schema
from hotline.db import make_engine
from tests.live_team import SCREENED, seed
from tests.ops.cluster import app_env, hotline_cli

pytestmark = pytest.mark.ops

SAMPLE_CALLS = 3000


def populated(url: str) -> Engine:
    """A migrated database with the planning and sample calls, ring legs and voicemails."""
    engine = make_engine(url)
    schema.upgrade(engine)
    seed(engine)
    hotline_cli(
        "stats",
        "sample",
        "--calls",
        str(SAMPLE_CALLS),
        "--hotline",
        SCREENED,
        env=app_env(url, "memory://"),
    )
    return engine


def contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    found: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        tables = inspect(conn)
        for table in sorted(tables.get_table_names()):
            keys = tables.get_pk_constraint(table)["constrained_columns"] or ["1"]
            order = ", ".join(f'"{k}"' for k in keys)
            query = text(f'SELECT * FROM "{table}" ORDER BY {order}')
            found[table] = [tuple(row) for row in conn.execute(query)]
    return found


def test_pg_dump_then_pg_restore_into_a_wiped_database_gives_back_every_row(private_pg, tmp_path):
    engine = populated(private_pg.create_database("backup_source"))
    before = contents(engine)
    engine.dispose()
    dump = tmp_path / "hotline.dump"

    subprocess.run(
        [*private_pg.client("pg_dump"), "-Fc", "-f", str(dump), "backup_source"], check=True
    )
    private_pg.create_database("backup_source")  # wiped: dropped and made anew, empty
    subprocess.run(
        [
            *private_pg.client("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "-d",
            "backup_source",
            str(dump),
        ],
        check=True,
    )

    restored = make_engine(private_pg.url("backup_source"))
    after = contents(restored)
    assert len(before["call"]) == SAMPLE_CALLS
    assert after == before
    assert schema.current_revision(restored) == schema.head_revision(restored)
    # Sequences follow: the next call gets a new id, not one of the restored ones.
    with restored.begin() as conn:
        next_id = conn.execute(text("SELECT nextval(pg_get_serial_sequence('call', 'id'))"))
        assert next_id.scalar_one() > max(row[0] for row in before["call"])
    restored.dispose()


def test_sqlite_backup_of_a_live_database_restores_every_row(tmp_path):
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        pytest.skip("the sqlite3 command is not installed")
    live = tmp_path / "hotline.sqlite3"
    engine = populated(f"sqlite:///{live}")
    before = contents(engine)
    backup = tmp_path / "backup.sqlite3"

    # .backup is consistent while the app writes (WAL): no need to stop anything.
    subprocess.run([sqlite3, str(live), f".backup '{backup}'"], check=True)
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, live)

    restored = make_engine(f"sqlite:///{live}")
    assert contents(restored) == before
    assert len(before["call"]) == SAMPLE_CALLS
    restored.dispose()


def test_planning_export_wipe_import_gives_back_the_same_planning(tmp_path):
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    engine = populated(f"sqlite:///{first}")
    before = planning_rows(engine)
    engine.dispose()
    exported, again = tmp_path / "planning.json", tmp_path / "again.json"

    hotline_cli("planning", "export", str(exported), env=app_env(f"sqlite:///{first}", "memory://"))
    wiped = make_engine(f"sqlite:///{second}")
    schema.upgrade(wiped)
    env = app_env(f"sqlite:///{second}", "memory://")
    imported = hotline_cli("planning", "import", str(exported), env=env)
    hotline_cli("planning", "export", str(again), env=env)

    assert "3 people, 2 hotlines" in imported.stdout
    assert json.loads(again.read_text()) == json.loads(exported.read_text())
    # The same rows, ids included (an empty database numbers them in the same order),
    # but for when they were written.
    assert planning_rows(wiped) == before
    wiped.dispose()


PLANNING_TABLES = ("person", "hotline", "slot", "slot_responder", "default_responder")
WRITE_STAMPS = {"created_at", "updated_at", "version"}


def planning_rows(engine: Engine) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    with engine.connect() as conn:
        for table in PLANNING_TABLES:
            result = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1, 2'))
            rows[table] = [
                {k: v for k, v in row.items() if k not in WRITE_STAMPS} for row in result.mappings()
            ]
    return rows
