"""Synthetic calls and ring legs for demos and benchmarks, inserted in bulk.

Calls follow an office-hours pattern (fewer at night and at weekends), ring
the chain really on call at their moment (the hotline's slots, overrides
first, else its default chain), and end in a realistic mix: mostly answered,
sometimes only by a backup, else voicemail, missed or abandoned. The rows are
exactly what the call path records (every answered call has its accepted leg,
every leg before it failed, voicemails have their message), so every
statistic can be computed on them.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, DefaultResponder, Slot, SlotResponder
from hotline.stats.errors import StatsInputError
from hotline.stats.sqltime import dialect_of
from hotline.voice.models import Call, LegResult, Outcome

T = TypeVar("T")
MAX_CALLS = 10_000_000
MAX_DAYS = 366
BATCH = 5_000
# Recordings of synthetic voicemails do not exist: the URL says so.
RECORDING_URL = "https://recordings.invalid/{sid}"

# Relative call volume per local hour, Monday to Friday; weekends get WEEKEND_SHARE of it.
HOURLY = (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6) + (
    2.8,
    3.0,
    3.5,
    3.4,
    3.2,
    2.8,
    2.2,
    1.6,
    1.2,
    0.9,
    0.6,
    0.4,
)
WEEKEND_SHARE = 0.45
# Outcomes, by day (08-20) and by night: fewer answers at night.
OUTCOMES_DAY = {Outcome.ANSWERED: 85, Outcome.VOICEMAIL: 6, Outcome.MISSED: 2, Outcome.ABANDONED: 7}
OUTCOMES_NIGHT = {
    Outcome.ANSWERED: 72,
    Outcome.VOICEMAIL: 12,
    Outcome.MISSED: 6,
    Outcome.ABANDONED: 10,
}
ANSWER_DEPTH = (55, 25, 20)  # primary, backup 1, deeper
# How a leg that did not take the call ended: mostly rang out; sometimes a personal
# voicemail picked up, or the agent heard the prompt and pressed another key than 1.
FAILED_LEG = {
    LegResult.NO_ANSWER: 66,
    LegResult.BUSY: 12,
    LegResult.DECLINED: 13,
    LegResult.REFUSED: 6,
    LegResult.FAILED: 3,
}


class _Weighted(Generic[T]):
    """A weighted choice drawn with one random number (random.choices is slow per call)."""

    def __init__(self, weights: dict[T, float]) -> None:
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        drawn = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, drawn)]


_DAY_OUTCOMES = _Weighted(OUTCOMES_DAY)
_NIGHT_OUTCOMES = _Weighted(OUTCOMES_NIGHT)
_DEPTHS = _Weighted(dict(enumerate(ANSWER_DEPTH)))
_HANG_UP_DEPTHS = _Weighted({0: 70, 1: 22, 2: 8})
_FAILED_LEGS = _Weighted(FAILED_LEG)

Chain = tuple[list[dict[str, Any]], str, int | None]  # snapshot, route, slot id


@dataclass(frozen=True)
class SampleResult:
    calls: int
    legs: int
    voicemails: int


def generate_sample(
    session: Session,
    hotline: Hotline,
    calls: int,
    days: int = 30,
    *,
    now: datetime | None = None,
    seed: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> SampleResult:
    """Insert `calls` synthetic calls spread over the `days` days before `now`.

    Commits after each batch of calls (`on_batch` gets the batch's size).
    """
    if not 1 <= calls <= MAX_CALLS:
        raise StatsInputError(f"the number of calls must be 1 to {MAX_CALLS:,}, not {calls}")
    if not 1 <= days <= MAX_DAYS:
        raise StatsInputError(f"the number of days must be 1 to {MAX_DAYS}, not {days}")
    end = (now or utcnow()).replace(microsecond=0)
    planning = _Planning.load(session, hotline, end - timedelta(days=days), end)
    # Synthetic data, not secrets: a seedable generator makes runs repeatable.
    rng = random.Random(seed)  # noqa: S311
    maker = _CallMaker(hotline, planning, rng, secrets.token_hex(4))
    starts = sorted(_start_times(maker.rng, calls, days, end, ZoneInfo(hotline.timezone)))
    writer = _BulkWriter(session)
    totals = [0, 0, 0]
    for offset in range(0, calls, BATCH):
        batch = [maker.call(offset + i, at) for i, at in enumerate(starts[offset : offset + BATCH])]
        counts = writer.write(batch)
        session.commit()
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        if on_batch:
            on_batch(len(batch))
    return SampleResult(*totals)


CALL_COLUMNS = (
    "id", "call_sid", "hotline_id", "from_number", "to_number", "started_at", "ended_at",
    "outcome", "route", "slot_id", "chain", "answered_by_id", "answered_position",
    "voicemail_offered_at", "twilio_status", "duration",
)  # fmt: skip
LEG_COLUMNS = (
    "call_id", "position", "person_id", "number", "leg_sid", "created_at", "ring_started_at",
    "answered_at", "accepted_at", "ended_at", "twilio_status", "result", "talk_seconds",
)  # fmt: skip
VOICEMAIL_COLUMNS = (
    "call_id", "recording_sid", "recording_url", "duration", "status", "created_at",
)  # fmt: skip

TABLES = {"call": CALL_COLUMNS, "call_attempt": LEG_COLUMNS, "voicemail": VOICEMAIL_COLUMNS}
_GETTERS = {c: operator.itemgetter(*c) for c in (CALL_COLUMNS, LEG_COLUMNS, VOICEMAIL_COLUMNS)}
_TIMESTAMP_INDEXES = {
    columns: [i for i, name in enumerate(columns) if name.endswith("_at")]
    for columns in (CALL_COLUMNS, LEG_COLUMNS, VOICEMAIL_COLUMNS)
}


class _BulkWriter:
    """Plain DBAPI bulk inserts: a million rows cannot afford per-value ORM processing.

    SQLite gets `executemany`, PostgreSQL `COPY ... FROM STDIN`.

    Timestamps are naive UTC, stored exactly as `UTCDateTime` stores them
    (text on SQLite, `timestamp` on PostgreSQL); chains are JSON text.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgresql = dialect_of(session) == "postgresql"
        self.sql = {table: self._insert_sql(table, columns) for table, columns in TABLES.items()}
        self.chains: dict[int, str] = {}

    def write(self, batch: list[_SampleCall]) -> tuple[int, int, int]:
        call_ids = self._reserve_call_ids(len(batch))
        calls, legs, voicemails = [], [], []
        for call_id, sample in zip(call_ids, batch, strict=True):
            call = sample.call
            call["id"] = call_id
            call["chain"] = self._json(call["chain"])
            calls.append(self._row(call, CALL_COLUMNS))
            for leg in sample.legs:
                leg["call_id"] = call_id
                legs.append(self._row(leg, LEG_COLUMNS))
            if sample.voicemail:
                sample.voicemail["call_id"] = call_id
                voicemails.append(self._row(sample.voicemail, VOICEMAIL_COLUMNS))
        for table, rows in (("call", calls), ("call_attempt", legs), ("voicemail", voicemails)):
            if rows:
                self._send(table, rows)
        return len(calls), len(legs), len(voicemails)

    def _send(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        connection = self.session.connection()
        if not self.postgresql:
            connection.exec_driver_sql(self.sql[table], rows)
            return
        # PostgreSQL's bulk path is COPY: one stream per table and batch.
        statement = f'COPY "{table}" ({", ".join(TABLES[table])}) FROM STDIN'
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _insert_sql(self, table: str, columns: tuple[str, ...]) -> str:
        marks = ", ".join(["%s" if self.postgresql else "?"] * len(columns))
        return f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})'  # noqa: S608 - constant names

    def _row(self, values: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
        row = _GETTERS[columns](values)
        if self.postgresql:
            return row
        # SQLite keeps timestamps as text, in the format SQLAlchemy writes and reads.
        cells = list(row)
        for index in _TIMESTAMP_INDEXES[columns]:
            if cells[index] is not None:
                cells[index] = cells[index].isoformat(" ", timespec="microseconds")
        return tuple(cells)

    def _json(self, chain: list[dict[str, Any]]) -> str:
        # Chains are shared by every call of a slot: encode each once.
        key = id(chain)
        if key not in self.chains:
            self.chains[key] = json.dumps(chain)
        return self.chains[key]

    def _reserve_call_ids(self, count: int) -> list[int]:
        """Ids for `count` new calls, safe against calls the app records meanwhile."""
        if self.postgresql:
            sequence = func.pg_get_serial_sequence("call", "id")
            series = func.generate_series(1, count).table_valued("n")
            return list(self.session.scalars(select(func.nextval(sequence)).select_from(series)))
        # SQLite: the write lock is taken at BEGIN IMMEDIATE, so nobody inserts meanwhile.
        last = self.session.scalar(select(func.max(Call.id))) or 0
        return list(range(last + 1, last + 1 + count))


def _start_times(
    rng: random.Random, calls: int, days: int, end: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Random call instants over the last `days` local days, weighted by day and hour."""
    today = end.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    slots = [(first + timedelta(days=d), hour) for d in range(days) for hour in range(24)]
    weights = [HOURLY[hour] * (WEEKEND_SHARE if day.weekday() >= 5 else 1.0) for day, hour in slots]
    starts = []
    for day, hour in rng.choices(slots, weights=weights, k=calls):
        local = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        at = local.astimezone(UTC) + timedelta(seconds=rng.randrange(3600))
        # Today's later hours have not come yet: fold them back a day.
        starts.append(at if at < end else at - timedelta(days=1))
    return starts


@dataclass
class _Planning:
    """The hotline's chains over the sample's span, for lookups by instant."""

    overrides: list[tuple[datetime, datetime, Chain]]
    regular: list[tuple[datetime, datetime, Chain]]
    default: Chain | None

    @classmethod
    def load(cls, session: Session, hotline: Hotline, start: datetime, end: datetime) -> _Planning:
        people = {
            p.id: {"person_id": p.id, "name": p.name, "number": p.mobile}
            for p in session.scalars(select(Person).where(Person.active.is_(True)))
        }
        fallback = (
            [{"person_id": None, "name": "fallback", "number": hotline.fallback_number}]
            if hotline.fallback_number
            else []
        )
        rows = session.execute(
            select(Slot.id, Slot.kind, Slot.starts_at, Slot.ends_at, SlotResponder.person_id)
            .join(SlotResponder, SlotResponder.slot_id == Slot.id)
            .where(Slot.hotline_id == hotline.id, Slot.starts_at < end, Slot.ends_at > start)
            .order_by(Slot.starts_at, Slot.id, SlotResponder.position)
        ).all()
        chains: dict[int, tuple[str, datetime, datetime, list[dict[str, Any]]]] = {}
        for row in rows:
            entry = chains.setdefault(row.id, (row.kind, row.starts_at, row.ends_at, []))
            if row.person_id in people:
                entry[3].append(people[row.person_id])
        overrides, regular = [], []
        for slot_id, (kind, starts_at, ends_at, chain) in chains.items():
            if not chain:
                continue
            route = "override" if kind == OVERRIDE else "slot"
            target = overrides if kind == OVERRIDE else regular
            target.append((starts_at, ends_at, (chain + fallback, route, slot_id)))
        default_ids = session.scalars(
            select(DefaultResponder.person_id)
            .where(DefaultResponder.hotline_id == hotline.id)
            .order_by(DefaultResponder.position)
        ).all()
        default_chain = [people[pid] for pid in default_ids if pid in people]
        default = (default_chain + fallback, "default", None) if default_chain else None
        if not (overrides or regular or default):
            raise StatsInputError(
                f"hotline {hotline.number} has no slot and no default chain to ring:"
                " import a planning (or run seed-demo) first"
            )
        return cls(sorted(overrides, key=_start), sorted(regular, key=_start), default)

    def chain_at(self, at: datetime) -> Chain | None:
        for spans in (self.overrides, self.regular):
            index = bisect.bisect_right(spans, at, key=_start) - 1
            if index >= 0 and spans[index][1] > at:
                return spans[index][2]
        return self.default


def _start(span: tuple[datetime, datetime, Chain]) -> datetime:
    return span[0]


@dataclass
class _SampleCall:
    call: dict[str, Any]
    legs: list[dict[str, Any]]
    voicemail: dict[str, Any] | None


class _CallMaker:
    def __init__(self, hotline: Hotline, planning: _Planning, rng: random.Random, run: str):
        self.hotline = hotline
        self.planning = planning
        self.rng = rng
        self.run = run
        self.zone = ZoneInfo(hotline.timezone)

    def call(self, index: int, started: datetime) -> _SampleCall:
        rng = self.rng
        found = self.planning.chain_at(started)
        chain, route, slot_id = found if found else ([], "nobody", None)
        outcome = self._outcome(started, len(chain))
        started = started.replace(tzinfo=None)  # naive UTC from here on, as stored
        sid = f"CA{self.run}{index:020x}ffff"
        call: dict[str, Any] = {
            "call_sid": sid,
            "hotline_id": self.hotline.id,
            "from_number": f"+336{rng.randrange(10**8):08d}",
            "to_number": self.hotline.number,
            "started_at": started,
            "outcome": outcome,
            "route": route,
            "slot_id": slot_id,
            "chain": chain,
            "answered_by_id": None,
            "answered_position": None,
            "voicemail_offered_at": None,
            "twilio_status": "completed",
        }
        at = started + timedelta(seconds=rng.uniform(3, 8))  # the greeting
        legs = []
        for position, result in enumerate(self._leg_results(outcome, len(chain))):
            leg = self._leg(index, position, chain[position], result, at)
            legs.append(leg)
            at = leg["ended_at"] + timedelta(seconds=1)
            if result == LegResult.ACCEPTED:
                call["answered_by_id"] = leg["person_id"]
                call["answered_position"] = position
        voicemail = None
        if outcome in (Outcome.VOICEMAIL, Outcome.MISSED):
            call["voicemail_offered_at"] = at
            at += timedelta(seconds=rng.uniform(4, 8))  # the voicemail prompt
        if outcome == Outcome.VOICEMAIL:
            seconds = rng.randint(5, 90)
            recording_sid = f"RE{self.run}{index:024x}"
            at += timedelta(seconds=seconds)
            voicemail = {
                "recording_sid": recording_sid,
                "recording_url": RECORDING_URL.format(sid=recording_sid),
                "duration": seconds,
                "status": "completed",
                "created_at": at,
            }
        call["ended_at"] = at
        call["duration"] = int((at - started).total_seconds())
        return _SampleCall(call, legs, voicemail)

    def _outcome(self, started: datetime, chain_length: int) -> Outcome:
        if chain_length == 0:
            return self.rng.choice((Outcome.VOICEMAIL, Outcome.MISSED))
        hour = started.astimezone(self.zone).hour
        return _DAY_OUTCOMES.pick(self.rng) if 8 <= hour < 20 else _NIGHT_OUTCOMES.pick(self.rng)

    def _leg_results(self, outcome: Outcome, chain_length: int) -> list[LegResult]:
        rng = self.rng
        if chain_length == 0:
            return []
        if outcome == Outcome.ANSWERED:
            depth = _DEPTHS.pick(rng)
            if depth == 2:
                depth = rng.randint(2, max(2, chain_length - 1))
            depth = min(depth, chain_length - 1)
            return self._failed_legs(depth) + [LegResult.ACCEPTED]
        if outcome == Outcome.ABANDONED:
            hung_up_on = min(_HANG_UP_DEPTHS.pick(rng), chain_length - 1)
            return self._failed_legs(hung_up_on) + [LegResult.CANCELED]
        return self._failed_legs(chain_length)

    def _failed_legs(self, count: int) -> list[LegResult]:
        return [_FAILED_LEGS.pick(self.rng) for _ in range(count)]

    def _leg(
        self, index: int, position: int, entry: dict[str, Any], result: LegResult, at: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        ring = at + timedelta(seconds=rng.uniform(1, 3))
        leg: dict[str, Any] = {
            "position": position,
            "person_id": entry["person_id"],
            "number": entry["number"],
            "leg_sid": f"CA{self.run}{index:020x}{position:04x}",
            "created_at": at,
            "ring_started_at": ring,
            "answered_at": None,
            "accepted_at": None,
            "result": result,
            "twilio_status": "completed",
            "talk_seconds": None,
        }
        timeout = self.hotline.ring_timeout
        if result == LegResult.ACCEPTED:
            leg["answered_at"] = ring + timedelta(seconds=min(rng.expovariate(1 / 7), timeout))
            leg["accepted_at"] = leg["answered_at"] + timedelta(seconds=rng.uniform(2, 6))
            talk = int(min(max(rng.lognormvariate(5.0, 0.9), 10), 3600))
            leg["talk_seconds"] = talk
            leg["ended_at"] = leg["accepted_at"] + timedelta(seconds=talk)
        elif result == LegResult.DECLINED:
            leg["answered_at"] = ring + timedelta(seconds=rng.uniform(3, 15))
            leg["ended_at"] = leg["answered_at"] + timedelta(seconds=rng.uniform(3, 10))
        elif result == LegResult.REFUSED:
            # Picked up, heard who calls, pressed a key during the prompt: hung up at once.
            leg["answered_at"] = ring + timedelta(seconds=rng.uniform(2, 10))
            leg["ended_at"] = leg["answered_at"] + timedelta(seconds=rng.uniform(3, 8))
        elif result == LegResult.NO_ANSWER:
            leg["twilio_status"] = "no-answer"
            leg["ended_at"] = ring + timedelta(seconds=timeout)
        elif result == LegResult.CANCELED:
            leg["twilio_status"] = "canceled"
            leg["ended_at"] = ring + timedelta(seconds=rng.uniform(2, timeout))
        else:  # busy or failed: the network refused, nothing rang
            leg["twilio_status"] = str(result)
            leg["ring_started_at"] = None
            leg["ended_at"] = at + timedelta(seconds=rng.uniform(1, 3))
        return leg
