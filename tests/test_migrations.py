"""Migrations are the only way the schema is made: they must go up, down, and match the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hotline import (
    all_models,  # noqa: F401 - every table on the metadata
    schema,
)
from hotline.db import Base, make_engine


@pytest.fixture
def scratch_engine(database_url: str, tmp_path) -> Iterator[Engine]:
    """An empty database: a new SQLite file, or a fresh schema on PostgreSQL."""
    if not database_url.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.sqlite3'}")
        yield engine
        engine.dispose()
        return
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_check"))
    engine = make_engine(database_url)
    engine.pool.dispose()
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET search_path TO migration_check")
        dbapi_connection.commit()

    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA migration_check CASCADE"))
    admin.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_to_head_and_back_down(scratch_engine):
    assert tables(scratch_engine) == set()

    schema.upgrade(scratch_engine)
    assert tables(scratch_engine) == set(Base.metadata.tables)
    assert schema.current_revision(scratch_engine) == schema.head_revision(scratch_engine)

    schema.downgrade(scratch_engine, "base")
    assert tables(scratch_engine) == set()
    assert schema.current_revision(scratch_engine) is None

    schema.upgrade(scratch_engine)
    assert tables(scratch_engine) == set(Base.metadata.tables)


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)

    assert diff == []


def test_history_has_a_single_head(engine):
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(schema.alembic_config(engine)).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_0008_keeps_the_users_and_what_refers_to_them_both_ways(scratch_engine):
    """0008 copies app_user on SQLite: a copy that cascaded would lose tokens and scopes."""
    schema.upgrade(scratch_engine, "0007")
    with scratch_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO hotline (id, number, name, timezone, language, ring_timeout,"
                " screening, voicemail_max_seconds, created_at)"
                " VALUES (1, '+33184881234', 'Nord', 'Europe/Paris', 'fr', 20, false, 120,"
                " '2026-11-01 08:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO app_user (id, email, name, password_hash, role, active,"
                " session_version, failed_logins, created_at) VALUES (7, 'boss@example.org',"
                " 'Boss', 'x', 'manager', true, 3, 2, '2026-11-01 08:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at)"
                " VALUES (7, 'script', 'h', 'hl_abc', '2026-11-01 08:00:00')"
            )
        )
        conn.execute(text("INSERT INTO managed_hotline (user_id, hotline_id) VALUES (7, 1)"))
    rows = (
        "SELECT (SELECT count(*) FROM app_user WHERE email = 'boss@example.org'),"
        " (SELECT count(*) FROM api_token WHERE user_id = 7),"
        " (SELECT count(*) FROM managed_hotline WHERE user_id = 7)"
    )

    schema.upgrade(scratch_engine, "0008")
    with scratch_engine.connect() as conn:
        assert tuple(conn.execute(text(rows)).one()) == (1, 1, 1)
    schema.downgrade(scratch_engine, "0007")
    with scratch_engine.connect() as conn:
        assert tuple(conn.execute(text(rows)).one()) == (1, 1, 1)
        unlocked = "SELECT session_version, failed_logins, locked_until FROM app_user"
        assert tuple(conn.execute(text(unlocked)).one()) == (1, 0, None)


def test_0009_names_feed_issuers_from_the_audit_log_and_keeps_sessions(scratch_engine):
    """Feed URLs of before 0009 keep answering for the user who last asked for them only."""
    schema.upgrade(scratch_engine, "0008")
    statements = [
        "INSERT INTO hotline (id, number, name, timezone, language, ring_timeout, screening,"
        " voicemail_max_seconds, created_at) VALUES (1, '+33184881234', 'Nord',"
        " 'Europe/Paris', 'fr', 20, false, 120, '2026-11-01 08:00:00')",
        "INSERT INTO person (id, ref, name, mobile, language, active, created_at)"
        " VALUES (1, 'alice', 'Alice', '+33612345601', 'fr', true, '2026-11-01 08:00:00')",
        *(
            "INSERT INTO app_user (id, email, name, password_hash, role, active, created_at)"
            f" VALUES ({n}, 'user{n}@example.org', 'U{n}', 'x', 'manager', true,"
            " '2026-11-01 08:00:00')"
            for n in (7, 8)
        ),
        "INSERT INTO feed_token (id, hotline_id, token_hash, created_at)"
        " VALUES (3, 1, 'h3', '2026-11-02 08:00:00')",
        "INSERT INTO feed_token (id, person_id, token_hash, created_at)"
        " VALUES (4, 1, 'h4', '2026-11-02 08:00:00')",
        # Token 3: made by user 7, renewed by user 8 (whose URL it is now).
        "INSERT INTO audit_log (user_id, action, entity, entity_id, at) VALUES"
        " (7, 'create', 'feed_token', 3, '2026-11-01 09:00:00'),"
        " (8, 'rotate', 'feed_token', 3, '2026-11-02 08:00:00'),"
        " (7, 'update', 'slot', 3, '2026-11-03 08:00:00'),"
        # Token 4: made on the command line, by nobody.
        " (NULL, 'create', 'feed_token', 4, '2026-11-02 08:00:00')",
        "INSERT INTO web_session (key_hash, user_id, created_at)"
        " VALUES ('k', 7, '2026-11-03 08:00:00')",
    ]
    with scratch_engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))

    schema.upgrade(scratch_engine, "0009")
    with scratch_engine.connect() as conn:
        issuers = conn.execute(text("SELECT id, issued_by FROM feed_token ORDER BY id")).all()
        seen = conn.execute(text("SELECT last_seen_at = created_at FROM web_session")).scalar()
    assert [tuple(row) for row in issuers] == [(3, 8), (4, None)]
    assert seen  # a session of before counts as last seen at its sign-in
    schema.downgrade(scratch_engine, "0008")
    with scratch_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM feed_token")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM web_session")).scalar() == 1


def test_0010_makes_a_message_twilio_never_confirmed_a_missed_call_and_back(scratch_engine):
    schema.upgrade(scratch_engine, "0009")
    # (voicemail status, duration, recording URL): None for a call without a voicemail row.
    calls = {
        1: ("completed", 12, "https://api.twilio.com/rec/RE1"),  # a kept message
        2: (None, 12, "https://api.twilio.com/rec/RE2"),  # the recording callback never came
        3: ("completed", 0, "https://api.twilio.com/rec/RE3"),  # kept, but empty
    }
    with scratch_engine.begin() as conn:
        for call_id, (status, duration, url) in calls.items():
            conn.execute(
                text(
                    "INSERT INTO call (id, call_sid, from_number, to_number, started_at,"
                    " outcome, route, chain) VALUES (:id, :sid, '+33699887766',"
                    " '+33184881234', '2026-11-30 08:00:00', 'voicemail', 'slot', '[]')"
                ),
                {"id": call_id, "sid": f"CA{call_id}"},
            )
            conn.execute(
                text(
                    "INSERT INTO voicemail (call_id, recording_url, duration, status, created_at)"
                    " VALUES (:id, :url, :duration, :status, '2026-11-30 08:01:00')"
                ),
                {"id": call_id, "url": url, "duration": duration, "status": status},
            )
    outcomes = "SELECT outcome FROM call ORDER BY id"

    schema.upgrade(scratch_engine, "0010")
    with scratch_engine.connect() as conn:
        assert list(conn.scalars(text(outcomes))) == ["voicemail", "missed", "missed"]
    schema.downgrade(scratch_engine, "0009")
    with scratch_engine.connect() as conn:
        # The earlier rule: more than 0 s reported, and not said to be lost.
        assert list(conn.scalars(text(outcomes))) == ["voicemail", "voicemail", "missed"]


def test_0014_records_each_hotlines_default_chain_as_it_stands(scratch_engine):
    """The calendar shows the hours before this line as not recorded, not as today's chain."""
    schema.upgrade(scratch_engine, "0013")
    statements = [
        "INSERT INTO hotline (id, number, name, timezone, language, ring_timeout, screening,"
        " voicemail_max_seconds, created_at) VALUES"
        " (1, '+33184881234', 'Nord', 'Europe/Paris', 'fr', 20, false, 120, '2026-11-01 08:00:00'),"
        " (2, '+33184881235', 'Sud', 'Europe/Paris', 'fr', 20, false, 120, '2026-11-01 08:00:00')",
        "INSERT INTO person (id, ref, name, mobile, language, active, created_at) VALUES"
        " (1, 'alice', 'Alice', '+33612345601', 'fr', true, '2026-11-01 08:00:00'),"
        " (2, 'bruno', 'Bruno', '+33612345602', 'fr', false, '2026-11-01 08:00:00')",
        "INSERT INTO default_responder (hotline_id, position, person_id)"
        " VALUES (1, 0, 2), (1, 1, 1)",
    ]
    with scratch_engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))

    schema.upgrade(scratch_engine, "0014")
    with scratch_engine.connect() as conn:
        lines = conn.execute(
            text(
                "SELECT hotline_id, action, entity, before, after FROM audit_log"
                " ORDER BY hotline_id"
            )
        ).all()
    decoded = [
        (h, action, entity, _json(before), _json(after))
        for h, action, entity, before, after in lines
    ]
    assert decoded == [
        (
            1,
            "baseline",
            "default_chain",
            None,
            {
                "chain": [
                    {"person_id": 2, "name": "Bruno", "active": False},
                    {"person_id": 1, "name": "Alice", "active": True},
                ]
            },
        ),
        (2, "baseline", "default_chain", None, {"chain": []}),
    ]
    schema.downgrade(scratch_engine, "0013")
    with scratch_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0


def _json(value):
    """A JSON column read with plain SQL: text on SQLite, decoded on PostgreSQL."""
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_0015_adds_up_the_days_already_rolled_up(scratch_engine):
    """Days rolled up before 0015 get their day rows, or a long period would miss them."""
    schema.upgrade(scratch_engine, "0013")
    legs = (
        "hotline_key, hour, person_key, result, accepting, depth,"
        " legs, talk_seconds, to_accept_ms, wait_ms"
    )
    with scratch_engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO stats_leg_hour ({legs}) VALUES"
                " (1, '2026-03-24 08:00:00', 5, 'accepted', 1, 0, 2, 100, 4000, 30000),"
                " (1, '2026-03-24 09:00:00', 5, 'accepted', 1, 0, 1, 50, NULL, 29999),"
                " (1, '2026-03-25 09:00:00', 5, 'no_answer', 0, 0, 3, NULL, NULL, NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stats_answer (hotline_key, hour, call_id, wait_ms) VALUES"
                " (1, '2026-03-24 08:00:00', 1, 29999), (1, '2026-03-24 08:00:00', 2, 30000),"
                " (1, '2026-03-24 09:00:00', 3, 30001), (1, '2026-03-24 09:00:00', 4, NULL),"
                " (1, '2026-03-25 09:00:00', 5, 1000)"
            )
        )

    schema.upgrade(scratch_engine, "0015")

    with scratch_engine.connect() as conn:
        day_legs = conn.execute(
            text(
                "SELECT day, result, legs, talk_seconds, to_accept_ms, wait_ms"
                " FROM stats_leg_day ORDER BY day"
            )
        ).all()
        waits = conn.execute(
            text("SELECT day, wait_second, answers FROM stats_wait_day ORDER BY day, wait_second")
        ).all()
    assert [(str(day)[:10], *rest) for day, *rest in day_legs] == [
        ("2026-03-24", "accepted", 3, 150, 4000, 59999),
        ("2026-03-25", "no_answer", 3, None, None, None),
    ]
    # Whole seconds rounded up: 29.999 and 30.000 s are within 30 s, 30.001 s is not.
    assert [(str(day)[:10], second, answers) for day, second, answers in waits] == [
        ("2026-03-24", 30, 2),
        ("2026-03-24", 31, 1),
        ("2026-03-25", 1, 1),
    ]
    schema.downgrade(scratch_engine, "0013")
    assert {"stats_leg_day", "stats_wait_day"}.isdisjoint(tables(scratch_engine))


def test_0016_records_each_persons_active_flag_as_it_stands(scratch_engine):
    """Moments before 0016 take the flag it finds, the only one known; the changes made
    since stay on the way down."""
    schema.upgrade(scratch_engine, "0015")
    with scratch_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO person (id, ref, name, mobile, language, active, created_at) VALUES"
                " (1, 'alice', 'Alice', '+33612345601', 'fr', true, '2026-11-01 08:00:00'),"
                " (2, 'bruno', 'Bruno', '+33612345602', 'fr', false, '2026-11-01 08:00:00')"
            )
        )
        # Leave recorded before 0016: not a flag, kept as it is.
        conn.execute(
            text(
                "INSERT INTO audit_log (action, entity, entity_id, at)"
                " VALUES ('create', 'unavailability', 7, '2026-11-02 08:00:00')"
            )
        )

    schema.upgrade(scratch_engine, "0016")
    with scratch_engine.connect() as conn:
        lines = conn.execute(
            text(
                "SELECT hotline_id, action, entity_id, before, after FROM audit_log"
                " WHERE entity = 'person' ORDER BY entity_id"
            )
        ).all()
    assert [(h, a, pid, _json(b), _json(after)) for h, a, pid, b, after in lines] == [
        (None, "baseline", 1, None, {"name": "Alice", "active": True}),
        (None, "baseline", 2, None, {"name": "Bruno", "active": False}),
    ]
    schema.downgrade(scratch_engine, "0015")
    with scratch_engine.connect() as conn:
        left = conn.execute(text("SELECT entity FROM audit_log")).scalars().all()
    assert left == ["unavailability"]
