"""Statements run on the driver read and write what SQLAlchemy would, and fail the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from hotline.driver import DriverConnection, Prepared
from hotline.models import Hotline
from hotline.voice.calls import CALL_FIELDS, insert_once
from hotline.voice.models import Call

calls = Call.__table__
INSERT_CALL = insert_once(calls, ("call_sid",), CALL_FIELDS, returning=("id",))
CALL_BY_SID = Prepared(select(calls).where(calls.c.call_sid == bindparam("call_sid")))
STARTED = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)


def new_call(hotline_id: int, call_sid: str) -> dict[str, object]:
    chain = [{"person_id": None, "name": "fallback", "number": "+33184880001"}]
    return {
        "call_sid": call_sid, "hotline_id": hotline_id, "from_number": "+33600000001",
        "to_number": "+33184881234", "started_at": STARTED, "route": "default",
        "slot_id": None, "chain": chain, "outcome": "ringing", "answered_by_id": None,
        "answered_position": None,
    }  # fmt: skip


@pytest.fixture
def hotline_id(connection) -> int:
    statement = insert(Hotline).values(number="+33184881234", name="Driver").returning(Hotline.id)
    return connection.execute(statement).scalar_one()


def test_a_prepared_insert_and_select_round_trip_utc_times_and_json(connection, hotline_id):
    conn = DriverConnection(connection)

    call_id = INSERT_CALL.scalar(conn, new_call(hotline_id, "CAdriver1"))
    row = CALL_BY_SID.first(conn, {"call_sid": "CAdriver1"})

    assert row.id == call_id
    assert row.started_at == STARTED
    assert row.started_at.tzinfo is not None
    assert row.chain == new_call(hotline_id, "x")["chain"]
    # SQLAlchemy itself reads back the same row.
    loaded = connection.execute(select(calls).where(calls.c.id == call_id)).one()
    assert tuple(row) == tuple(loaded)


def test_a_hotline_row_read_on_the_driver_has_python_types(connection, hotline_id):
    row = Prepared(select(Hotline.__table__).where(Hotline.id == bindparam("id"))).first(
        DriverConnection(connection), {"id": hotline_id}
    )

    assert row.screening is True
    assert row.number == "+33184881234"


def test_a_retried_insert_writes_nothing_and_returns_no_id(connection, hotline_id):
    conn = DriverConnection(connection)
    INSERT_CALL.scalar(conn, new_call(hotline_id, "CAdriver2"))

    assert INSERT_CALL.scalar(conn, new_call(hotline_id, "CAdriver2")) is None
    count = select(func.count()).select_from(calls).where(calls.c.call_sid == "CAdriver2")
    assert connection.execute(count).scalar() == 1


def test_a_driver_error_is_raised_as_sqlalchemys_error(connection, hotline_id):
    plain_insert = Prepared(
        insert(calls).values({name: bindparam(name) for name in CALL_FIELDS}).inline()
    )
    conn = DriverConnection(connection)
    nested = connection.begin_nested()
    plain_insert.all(conn, new_call(hotline_id, "CAdriver3"))

    with pytest.raises(IntegrityError):
        plain_insert.all(conn, new_call(hotline_id, "CAdriver3"))
    nested.rollback()


def test_a_statement_that_renders_values_at_execution_is_refused(connection):
    expanding = Prepared(select(Hotline.id).where(Hotline.id.in_(bindparam("ids", expanding=True))))

    with pytest.raises(ValueError, match="render values at execution"):
        expanding.all(DriverConnection(connection), {"ids": [1, 2]})


def test_statements_on_the_driver_are_seen_by_sqlalchemys_cursor_events(connection):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        CALL_BY_SID.all(DriverConnection(connection), {"call_sid": "CAnone"})
    finally:
        event.remove(connection, "before_cursor_execute", record)

    assert len(seen) == 1
    assert "FROM call" in seen[0]


def test_statements_on_the_driver_are_in_sqlalchemys_statement_log(connection, caplog):
    caplog.set_level("INFO", logger="sqlalchemy.engine.Engine")

    CALL_BY_SID.all(DriverConnection(connection), {"call_sid": "CAlogged"})

    logged = [r.getMessage() for r in caplog.records if r.name == "sqlalchemy.engine.Engine"]
    assert any("FROM call" in message and "CAlogged" in message for message in logged)
