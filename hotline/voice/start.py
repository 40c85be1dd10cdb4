"""Recording an incoming call and its first ring leg: the write of every call.

On PostgreSQL the usual case (a new call, someone to ring) is one statement in
autocommit: the call and its first leg are inserted together, atomically, in
one round trip instead of four (BEGIN, two INSERTs, COMMIT). A retried webhook
or an empty chain takes the general path, in a transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, insert, literal, select
from sqlalchemy.dialects import postgresql

from hotline.planning.oncall import Chain
from hotline.voice.calls import (
    CallFacts,
    HotlineSettings,
    Leg,
    NewCall,
    Step,
    StepKind,
    chain_snapshot,
    first_step,
    open_call,
)
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome

Started = tuple[CallFacts, Step]
_FIRST_LEG = ("call_id", "position", "person_id", "number", "created_at", "result")


def call_values(
    hotline: HotlineSettings, chain: Chain, *, call_sid: str, from_number: str, now: datetime
) -> dict[str, Any]:
    """The row of a new call: who called which hotline, and the chain frozen as rung."""
    return {
        "call_sid": call_sid,
        "hotline_id": hotline.id,
        "from_number": from_number,
        "to_number": hotline.number,
        "started_at": now,
        "route": chain.route,
        "slot_id": chain.slot_id,
        "chain": chain_snapshot(chain, hotline),
        "outcome": Outcome.RINGING,
        "answered_by_id": None,
        "answered_position": None,
    }


def start_at_once(conn: Connection, values: dict[str, Any]) -> Started | None:
    """Insert a new call with its first ring leg in one statement (PostgreSQL).

    None when this cannot be done at once: another database, nobody to ring,
    or a call Twilio already sent (a retry), which `start` then answers.
    """
    snapshot = values["chain"]
    if conn.dialect.name != "postgresql" or not snapshot:
        return None
    head = snapshot[0]
    leg = {"leg_person_id": head["person_id"], "leg_number": head["number"]}
    statement = _call_and_first_leg(tuple(values))
    call_id = conn.execute(statement, {**values, **leg}).scalar()
    if call_id is None:
        return None
    call = NewCall(call_id, values["call_sid"], values["from_number"], snapshot)
    return call, Step(StepKind.DIAL, Leg(0, head["number"]))


def start(conn: Connection, values: dict[str, Any], now: datetime) -> Started:
    """Record the call (a retry finds the one recorded) and take its first step."""
    call = open_call(conn, values)
    return call, first_step(conn, call, now)


@functools.cache
def _call_and_first_leg(fields: tuple[str, ...]) -> Insert:
    calls, legs = Call.__table__, CallAttempt.__table__
    new_call = (
        postgresql.insert(calls)
        .values({name: bindparam(name, type_=calls.c[name].type) for name in fields})
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
    return insert(legs).from_select(_FIRST_LEG, first_leg).returning(legs.c.call_id)
