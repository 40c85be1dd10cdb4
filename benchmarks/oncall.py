"""Benchmark "who is on call at T" with 100 slots against 1,000,000 slots.

Two fresh, migrated databases hold one hotline each: one with 100 slots, one with
1,000,000 (one-hour regular slots back to back, plus 1 % of half-hour overrides,
three responders per slot). The real lookups run at the same number of random
instants on both, in alternating rounds: hotline.planning.oncall.resolve_chain (the
planning pages, the API, the shift alerts) and hotline.voice.calls.find_route (every
incoming call: the hotline by its number and its chain, in one statement). Every
answer is checked against the slot that covers the instant by construction. The
time ratio large/small should stay flat for both (goal <= 1.5): an index seek, not a
scan. The query plans of both are printed to show ix_slot_lookup at work.

    python benchmarks/oncall.py [--db sqlite|postgresql|both] [--lookups 2000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import benchdb
import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.driver import driver_connection
from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, REGULAR, Slot
from hotline.planning.oncall import Chain, Route, resolve_chain
from hotline.voice.calls import find_route

SIZES = (100, 1_000_000)
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)
SLOT = timedelta(hours=1)
# Every 100th regular slot gets an override over [start + 15 min, start + 45 min).
OVERRIDE_EVERY, OVERRIDE_OFFSET, OVERRIDE_LENGTH = 100, timedelta(minutes=15), timedelta(minutes=30)
RESPONDERS = 3
HOTLINE_NUMBER = "+33184881234"
ROUNDS = 3
GOAL_RATIO = 1.5


@dataclass(frozen=True)
class Planning:
    """Where each slot lies, so every lookup's answer can be checked."""

    size: int

    @property
    def regular(self) -> int:
        return self.size - self.overrides

    @property
    def overrides(self) -> int:
        return max(1, self.size // (OVERRIDE_EVERY + 1))

    def regular_slots(self) -> Iterator[tuple[int, datetime, datetime]]:
        for i in range(self.regular):
            yield i + 1, EPOCH + i * SLOT, EPOCH + (i + 1) * SLOT

    def override_slots(self) -> Iterator[tuple[int, datetime, datetime]]:
        for j in range(self.overrides):
            start = EPOCH + j * OVERRIDE_EVERY * SLOT + OVERRIDE_OFFSET
            yield self.regular + j + 1, start, start + OVERRIDE_LENGTH

    def expected(self, at: datetime) -> tuple[Route, int]:
        """The slot that must answer at `at`: the override over it, else its hour."""
        hour, into = divmod(at - EPOCH, SLOT)
        override, rest = divmod(hour, OVERRIDE_EVERY)
        in_window = OVERRIDE_OFFSET <= into < OVERRIDE_OFFSET + OVERRIDE_LENGTH
        if rest == 0 and in_window and override < self.overrides:
            return Route.OVERRIDE, self.regular + override + 1
        return Route.SLOT, hour + 1

    def instants(self, count: int, rng: random.Random) -> list[datetime]:
        span = int((self.regular * SLOT).total_seconds())
        return [EPOCH + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)]


# --- loading -------------------------------------------------------------------------


def load(kind: str, engine: Engine, planning: Planning) -> int:
    """Insert the hotline, three people and the slots in bulk; return the hotline id."""
    with Session(engine) as session, session.begin():
        hotline = Hotline(number=HOTLINE_NUMBER, name="Astreinte bench", timezone="Europe/Paris")
        people = [
            Person(ref=f"p{i}", name=f"Person {i}", mobile=f"+3361234560{i}")
            for i in range(RESPONDERS)
        ]
        session.add_all([hotline, *people])
        session.flush()
        hotline_id, person_ids = hotline.id, [p.id for p in people]
    rows = slot_rows(planning, hotline_id)
    responders = responder_rows(planning, person_ids)
    if kind == "sqlite":
        check_sqlite_time(engine)
        load_sqlite(engine, rows, responders)
    else:
        load_postgresql(engine, rows, responders)
    return hotline_id


def slot_rows(planning: Planning, hotline_id: int) -> Iterator[tuple[Any, ...]]:
    now = utcnow()
    for kind, slots in ((REGULAR, planning.regular_slots()), (OVERRIDE, planning.override_slots())):
        for slot_id, start, end in slots:
            yield slot_id, hotline_id, kind, start, end, now


def responder_rows(planning: Planning, person_ids: list[int]) -> Iterator[tuple[int, int, int]]:
    for slot_id in range(1, planning.size + 1):
        for position in range(RESPONDERS):
            yield slot_id, position, person_ids[(slot_id + position) % RESPONDERS]


SLOT_COLUMNS = "id, hotline_id, kind, starts_at, ends_at, created_at"
RESPONDER_COLUMNS = "slot_id, position, person_id"
TABLES = ("slot", "slot_responder")

# Secondary indexes are dropped for the bulk load and made again from their own
# definitions afterwards (a sorted build is several times faster than row by row).
SQLITE_INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
PG_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    " AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)"
)


def load_sqlite(engine: Engine, slots: Iterator[Any], responders: Iterator[Any]) -> None:
    path = make_url(engine.url).database or ""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous = OFF")  # a bulk load: durability comes at commit
        db.execute("PRAGMA cache_size = -200000")
        indexes = [
            (name, sql)
            for name, sql in db.execute(SQLITE_INDEXES + " AND tbl_name IN (?, ?)", TABLES)
        ]
        for name, _sql in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.executemany(
            f"INSERT INTO slot ({SLOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, h, k, sqlite_time(s), sqlite_time(e), sqlite_time(c))
                for i, h, k, s, e, c in slots
            ),
        )
        db.executemany(
            f"INSERT INTO slot_responder ({RESPONDER_COLUMNS}) VALUES (?, ?, ?)", responders
        )
        for _name, sql in indexes:
            db.execute(sql)


def sqlite_time(value: datetime) -> str:
    """A UTC timestamp as the app's column type stores it on SQLite (checked in main)."""
    return naive_utc(value).isoformat(" ", "microseconds")


def check_sqlite_time(engine: Engine) -> None:
    """Refuse to load timestamps the app would not compare correctly."""
    column_type = Slot.__table__.c.starts_at.type.dialect_impl(engine.dialect)
    to_db = column_type.bind_processor(engine.dialect)
    sample = EPOCH + timedelta(hours=5, microseconds=7)
    if to_db is None or to_db(sample) != sqlite_time(sample):
        raise SystemExit("SQLite timestamp format differs from the app's: fix sqlite_time()")


def load_postgresql(engine: Engine, slots: Iterator[Any], responders: Iterator[Any]) -> None:
    url = make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)
    naive = ((i, h, k, naive_utc(s), naive_utc(e), naive_utc(c)) for i, h, k, s, e, c in slots)
    with psycopg.connect(url) as db, db.cursor() as cursor:
        # The rows are consistent by construction: skip the per-row foreign key
        # triggers of a bulk load, as pg_restore does.
        cursor.execute("SET session_replication_role = replica")
        indexes = cursor.execute(PG_INDEXES, (list(TABLES),)).fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        with cursor.copy(f"COPY slot ({SLOT_COLUMNS}) FROM STDIN") as copy:
            for row in naive:
                copy.write_row(row)
        with cursor.copy(f"COPY slot_responder ({RESPONDER_COLUMNS}) FROM STDIN") as copy:
            for row in responders:
                copy.write_row(row)
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute("SELECT setval('slot_id_seq', (SELECT max(id) FROM slot))")
    # Autovacuum would do this shortly after such a load; do it now.
    with psycopg.connect(url, autocommit=True) as db:
        for table in TABLES:
            db.execute(f"VACUUM ANALYZE {table}")


def naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


# --- timing --------------------------------------------------------------------------


@dataclass
class Loaded:
    """One loaded database and the planning it holds."""

    planning: Planning
    engine: Engine
    hotline_id: int
    url: str


def chain_of(session: Session, base: Loaded, at: datetime) -> Chain:
    return resolve_chain(session, base.hotline_id, at)


def route_of(session: Session, base: Loaded, at: datetime) -> Chain:
    route = find_route(driver_connection(session), HOTLINE_NUMBER, at)
    if route is None or route[0].id != base.hotline_id:
        raise SystemExit(f"find_route did not find the hotline {HOTLINE_NUMBER}")
    return route[1]


Lookup = Callable[[Session, Loaded, datetime], Chain]
# name, function, a bit of its SQL that tells its prepared statement apart
LOOKUPS: tuple[tuple[str, Lookup, str], ...] = (
    ("resolve_chain", chain_of, "WHERE slot.hotline_id = $"),
    ("find_route", route_of, "FROM hotline LEFT OUTER JOIN"),
)


def time_lookups(base: Loaded, lookup: Lookup, instants: list[datetime]) -> list[float]:
    """Seconds per lookup; each answer checked against the planning."""
    timings = []
    with Session(base.engine) as session:
        for at in instants:
            started = time.perf_counter()
            chain = lookup(session, base, at)
            timings.append(time.perf_counter() - started)
            if (chain.route, chain.slot_id) != base.planning.expected(at):
                raise SystemExit(
                    f"wrong answer at {at}: {chain.route} {chain.slot_id}, "
                    f"expected {base.planning.expected(at)}"
                )
            if len(chain.responders) != RESPONDERS:
                raise SystemExit(f"wrong chain at {at}: {chain.responders}")
        session.rollback()
    return timings


def plan_reuse(base: Loaded, lookup: Lookup, marker: str, instants: list[datetime]) -> str:
    """How PostgreSQL planned the lookup psycopg prepared: once (generic) or at every call."""
    with Session(base.engine) as session:
        for at in instants:
            lookup(session, base, at)
        rows = session.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%slot_responder%' AND strpos(statement, :marker) > 0"
            ),
            {"marker": marker},
        ).all()
        session.rollback()
    if not rows:
        return "not prepared"
    generic, custom = (sum(column) for column in zip(*rows, strict=True))
    verdict = "planned once" if generic > custom else "planned again at every call"
    return f"{generic} generic and {custom} custom plans: {verdict}"


def explain(base: Loaded, lookup: Lookup, at: datetime) -> str:
    """The database's plan for every statement the lookup runs."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(base.engine, "before_cursor_execute", capture)
    try:
        with Session(base.engine) as session:
            lookup(session, base, at)
            session.rollback()
    finally:
        event.remove(base.engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if base.engine.dialect.name == "sqlite" else "EXPLAIN "
    lines = []
    raw = base.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(prefix + statement, parameters)
            lines.append(" ".join(statement.split()))
            lines += ["  " + " | ".join(str(c) for c in row) for row in cursor.fetchall()]
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(lines)


def report(
    kind: str, name: str, marker: str, bases: list[Loaded], timings: dict[int, list[float]]
) -> bool:
    """Print the figures, plan reuse and plan of one lookup; whether it meets the goal."""
    lookup = next(fn for n, fn, _ in LOOKUPS if n == name)
    rng = random.Random(5)
    small, large = (timings[size] for size in SIZES)
    print(f"\n{name} ({kind})")
    print(f"{'slots':>10} {'lookups':>8} {'median µs':>10} {'mean µs':>8} {'p99 µs':>8}")
    for size in SIZES:
        t = sorted(timings[size])
        print(f"{size:>10,} {len(t):>8} {statistics.median(t) * 1e6:>10.0f} "
              f"{statistics.fmean(t) * 1e6:>8.0f} {t[int(len(t) * 0.99)] * 1e6:>8.0f}")  # fmt: skip
    ratio = statistics.median(large) / statistics.median(small)
    mean_ratio = statistics.fmean(large) / statistics.fmean(small)
    print(f"ratio 1,000,000 / 100 slots: {ratio:.2f} median, {mean_ratio:.2f} mean "
          f"(goal <= {GOAL_RATIO}); every answer matched the planning")  # fmt: skip
    if kind == "postgresql":
        for base in bases:
            reuse = plan_reuse(base, lookup, marker, base.planning.instants(100, rng))
            print(f"prepared {name} on {base.planning.size:,} slots: {reuse}")
    large_base = bases[-1]
    plan = explain(large_base, lookup, large_base.planning.instants(1, rng)[0])
    print(f"plan on 1,000,000 slots ({kind}):\n{plan}")
    uses_index = "ix_slot_lookup" in plan
    print(f"ix_slot_lookup used: {'yes' if uses_index else 'NO'}")
    return uses_index and ratio <= GOAL_RATIO


def bench_database(kind: str, lookups: int, keep: bool) -> bool:
    work = benchdb.workdir(f"hotline-oncall-{kind}-")
    bases = []
    for size in SIZES:
        started = time.monotonic()
        url = benchdb.fresh_url(kind, f"hotline_bench_oncall_{size}", work)
        engine = benchdb.migrated_engine(url)
        planning = Planning(size)
        hotline_id = load(kind, engine, planning)
        bases.append(Loaded(planning, engine, hotline_id, url))
        seconds = time.monotonic() - started
        print(f"{kind}: loaded {size:,} slots ({planning.overrides:,} overrides, "
              f"{size * RESPONDERS:,} responders) in {seconds:.1f} s")  # fmt: skip

    rng = random.Random(3)
    timings = {name: {size: [] for size in SIZES} for name, _, _ in LOOKUPS}
    for base in bases:  # warm-up: connections, statement caches, first pages
        for _, lookup, _ in LOOKUPS:
            time_lookups(base, lookup, base.planning.instants(200, rng))
    for _ in range(ROUNDS):
        for base in bases:
            for name, lookup, _ in LOOKUPS:
                # Instants of its own: the same ones would find the pages the other
                # lookup has just read.
                instants = base.planning.instants(lookups // ROUNDS, rng)
                timings[name][base.planning.size] += time_lookups(base, lookup, instants)
    met = [report(kind, name, marker, bases, timings[name]) for name, _, marker in LOOKUPS]

    for base in bases:
        base.engine.dispose()
        if not keep:
            benchdb.drop_database(kind, base.url)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return all(met)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="both")
    parser.add_argument("--lookups", type=int, default=3000, help="timed lookups per size")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    kinds = benchdb.DATABASES if args.db == "both" else (args.db,)
    results = [bench_database(kind, args.lookups, args.keep) for kind in kinds]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
