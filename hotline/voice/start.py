"""Recording an incoming call and its first ring leg: the write of every call.

The usual case (a new call, someone to ring) is written at once, on the driver
(hotline.driver): on PostgreSQL one statement in autocommit, the call and its
first leg inserted together, atomically, in one round trip; on SQLite the two
inserts in one queued transaction. A retried webhook or an empty chain takes
the general path, a transaction on a connection of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, insert, literal, select
from sqlalchemy.dialects import postgresql

from hotline.db import Database
from hotline.driver import DriverConnection, Prepared
from hotline.planning.oncall import Chain
from hotline.voice.calls import (
    CALL_FIELDS,
    LEG_FIELDS,
    CallFacts,
    HotlineSettings,
    Leg,
    NewCall,
    Step,
    StepKind,
    bound_values,
    chain_snapshot,
    clipped,
    first_step,
    insert_call,
    open_call,
    ring,
)
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome

Started = tuple[CallFacts, Step]


def call_values(
    hotline: HotlineSettings, chain: Chain, *, call_sid: str, from_number: str, now: datetime
) -> dict[str, Any]:
    """The row of a new call (CALL_FIELDS): who called which hotline, the chain as rung."""
    return {
        "call_sid": call_sid,
        "hotline_id": hotline.id,
        # The caller ID as the carrier gave it: a SIP address can be longer
        # than any number, and a call is never refused for its caller ID.
        "from_number": clipped(Call.from_number, from_number),
        "to_number": hotline.number,
        "started_at": now,
        "route": chain.route,
        "slot_id": chain.slot_id,
        "chain": chain_snapshot(chain, hotline),
        "outcome": Outcome.RINGING,
        "answered_by_id": None,
        "answered_position": None,
    }


def start_at_once(
    db: Database, conn: DriverConnection, values: dict[str, Any], now: datetime
) -> Started | None:
    """Insert a new call with its first ring leg on `conn`, the autocommit connection of
    the reads; None for a retry or nobody to ring (then `start_in_transaction`)."""
    snapshot = values["chain"]
    if not snapshot:
        return None
    head = snapshot[0]
    if conn.dialect.name == "postgresql":
        leg = {"leg_person_id": head["person_id"], "leg_number": head["number"]}
        call_id = _CALL_AND_FIRST_LEG.scalar(conn, {**values, **leg})
    else:
        with db.queued_write(conn):
            call_id = insert_call(conn, values)
            if call_id is not None:
                ring(conn, _new_call(call_id, values), 0, now)
    if call_id is None:
        return None
    return _new_call(call_id, values), Step(StepKind.DIAL, Leg(0, head["number"]))


def start_in_transaction(db: Database, values: dict[str, Any], now: datetime) -> Started:
    """Record the call (a retry finds the one recorded) and take its first step."""
    with db.writing() as conn:
        call = open_call(conn, values)
        return call, first_step(conn, call, now)


def _new_call(call_id: int, values: dict[str, Any]) -> NewCall:
    return NewCall(call_id, values["call_sid"], values["from_number"], values["chain"])


def _call_and_first_leg(_dialect: str) -> Insert:
    # PostgreSQL only: a data-modifying CTE. ON CONFLICT leaves the CTE empty
    # for a retried webhook, so no leg is inserted and no id comes back.
    calls, legs = Call.__table__, CallAttempt.__table__
    new_call = (
        postgresql.insert(calls)
        .values(bound_values(calls, CALL_FIELDS))
        .on_conflict_do_nothing(index_elements=["call_sid"])
        .returning(calls.c.id)
        .cte("new_call")
    )
    first_leg = select(
        new_call.c.id,
        literal(0),
        bindparam("leg_person_id", type_=legs.c.person_id.type),
        bindparam("leg_number", type_=legs.c.number.type),
        bindparam("started_at", type_=legs.c.created_at.type),
        literal(LegResult.RINGING.value),
    )
    return insert(legs).from_select(LEG_FIELDS, first_leg).returning(legs.c.call_id)


_CALL_AND_FIRST_LEG = Prepared(_call_and_first_leg)
