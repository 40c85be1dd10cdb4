"""Benchmark the month calendar page over a hotline with one year of generated slots.

    python benchmarks/planning_calendar.py [--db sqlite|postgresql|both] [--rounds 5]

A fresh migrated database holds one hotline (Europe/Paris), eight people and a
rotation of 12-hour shifts (08:00 and 20:00 handoffs, two backups next in line)
generated 52 weeks ahead by the real service (about 730 regular slots), plus an
override for a sick colleague every week (replace_person). The real app, in
process (Flask test client, signed-in manager), then renders
GET /planning/hotlines/<id>/calendar?month=YYYY-MM for each of the 12 months,
`--rounds` times, and the week view of each week. The time is what the server
spends on a request (routing, role check, queries, template), measured around
the test client call. Target: the month view under 200 ms (median and p95).
The SQL statements of one month view are counted too: a fixed few, whatever the
size of the planning (no query per slot or per person).

Past hours show the default chain in force then, read back from the audit log. The
hotline's default chain changed at noon every day of the year before the planning
(recorded as the settings page records it, about 360 changes), and the months of that
year already over are rendered too (`--rounds` times each, no slot there: each day
shows two default chains) with their statements counted: one more read, whatever the
number of changes.

"Who is on call at T" staying flat as the planning grows is measured by
benchmarks/oncall.py (the lookup) and benchmarks/oncall_api.py (GET .../oncall?at=).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import benchdb
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from hotline import create_app
from hotline.auth.models import MANAGER, ManagedHotline
from hotline.auth.services import create_user
from hotline.auth.sessions import start_web_session
from hotline.db import database, utcnow
from hotline.models import Hotline, Person
from hotline.planning.audit import UPDATE, record_default_chain_change
from hotline.planning.models import DefaultResponder, Slot
from hotline.planning.oncall import resolve_chain
from hotline.planning.overrides import replace_person
from hotline.planning.rotations import RotationSpec, create_rotation, generate_rotation

ZONE = ZoneInfo("Europe/Paris")
FIRST_DAY = date(2027, 1, 4)  # a Monday; the planning covers 2027
WEEKS = 52
PEOPLE = 8
TARGET_SECONDS = 0.200


def seed(engine: Engine) -> tuple[int, str]:
    """One hotline with a year of generated 12 h shifts and weekly overrides; a manager."""
    with Session(engine) as session, session.begin():
        hotline = Hotline(number="+33184881234", name="Astreinte", timezone=ZONE.key)
        people = [
            Person(ref=f"p{i}", name=f"Personne {i}", mobile=f"+336123456{i:02d}")
            for i in range(PEOPLE)
        ]
        session.add(hotline)
        session.add_all(people)
        session.flush()
        spec = RotationSpec(
            name="Jour et nuit",
            members=[p.id for p in people],
            shift_hours=12,
            handoff=datetime.min.time().replace(hour=8),
            start_date=FIRST_DAY,
            backup_count=2,
        )
        _seed_default_chain_history(session, hotline.id, [p.id for p in people[:2]])
        rotation = create_rotation(session, hotline.id, spec, user_id=None)
        start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=ZONE)
        generate_rotation(session, rotation.id, start=start, weeks=WEEKS, user_id=None)
        for week in range(WEEKS):
            # Each week whoever holds Tuesday morning falls ill; somebody off duty covers.
            tuesday = start + timedelta(weeks=week, days=1)
            chain = resolve_chain(session, hotline.id, tuesday + timedelta(hours=10))
            busy = {r.person_id for r in chain.responders}
            spare = next(p for p in people if p.id not in busy)
            replace_person(
                session,
                hotline.id,
                person_id=chain.responders[0].person_id,
                replacement_id=spare.id,
                starts_at=tuesday,
                ends_at=tuesday + timedelta(days=1),
                user_id=None,
            )
        user = create_user(
            session,
            email="manager@bench.example.org",
            name="Bench Manager",
            role=MANAGER,
            password="a long enough bench password",
        )
        session.add(ManagedHotline(user_id=user.id, hotline_id=hotline.id))
        session.flush()
        return hotline.id, start_web_session(session, user, now=utcnow())


def _seed_default_chain_history(session: Session, hotline_id: int, pair: list[int]) -> None:
    """The default chain switched between two people at noon each day of the year before."""
    day = date(FIRST_DAY.year - 1, 1, 1)
    holder = 0
    while day < FIRST_DAY:
        entry = record_default_chain_change(
            session,
            hotline_id,
            action=UPDATE,
            before=[pair[holder]],
            after=[pair[1 - holder]],
            user_id=None,
        )
        assert entry is not None
        entry.at = datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=ZONE)
        holder, day = 1 - holder, day + timedelta(days=1)
    session.add(DefaultResponder(hotline_id=hotline_id, position=0, person_id=pair[holder]))
    session.flush()


def timed(client, path: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one request (CPU: what a busy machine cannot inflate)."""
    begin, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    elapsed = time.perf_counter() - begin, time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return elapsed


def statements_of(engine: Engine, client, path: str) -> int:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def run(kind: str, rounds: int, keep: bool) -> bool:
    workdir = benchdb.workdir("hotline-calendar-")
    url = benchdb.fresh_url(kind, "hotline_bench_calendar", workdir)
    engine = benchdb.migrated_engine(url)
    began = time.perf_counter()
    hotline_id, session_key = seed(engine)
    with Session(engine) as session:
        slots = session.scalar(select(func.count()).select_from(Slot))
    print(f"[{kind}] seeded {slots} slots in {time.perf_counter() - began:.1f} s")
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "TWILIO_AUTH_TOKEN": "bench"})
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = session_key, True
    base = f"/planning/hotlines/{hotline_id}/calendar"
    months = [f"{FIRST_DAY.year}-{m:02d}" for m in range(1, 13)]
    timed(client, f"{base}?month={months[0]}")  # warm the templates and the pool
    month_times = [timed(client, f"{base}?month={m}") for _ in range(rounds) for m in months]
    weeks = [(FIRST_DAY + timedelta(weeks=w)).isocalendar() for w in range(WEEKS)]
    week_times = [timed(client, f"{base}?week={y}-W{w:02d}") for y, w, _ in weeks]
    queries = statements_of(database(app).engine, client, f"{base}?month={months[5]}")
    ok = _report(kind, month_times, week_times, queries)
    today = utcnow().astimezone(ZONE).date()
    over = [f"{FIRST_DAY.year - 1}-{m:02d}" for m in range(1, 13)]
    over = [m for m in over if date.fromisoformat(f"{m}-01") + timedelta(days=42) < today]
    if over:
        past_times = [timed(client, f"{base}?month={m}") for _ in range(rounds) for m in over]
        past_queries = statements_of(database(app).engine, client, f"{base}?month={over[-1]}")
        _report_past(kind, past_times, past_queries, len(over))
    database(app).engine.dispose()
    engine.dispose()
    if not keep:
        benchdb.drop_database(kind, url)
    return ok


def _report(
    kind: str, months: list[tuple[float, float]], weeks: list[tuple[float, float]], queries: int
) -> bool:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    def figures(times: list[tuple[float, float]]) -> tuple[float, float, float]:
        wall, cpu = [t[0] for t in times], [t[1] for t in times]
        return statistics.median(wall), statistics.quantiles(wall, n=20)[-1], statistics.median(cpu)

    median, p95, cpu = figures(months)
    print(
        f"[{kind}] month view: median {ms(median)}, p95 {ms(p95)} (CPU median {ms(cpu)}) "
        f"over {len(months)} requests; {queries} SQL statements per page"
    )
    week_median, week_p95, week_cpu = figures(weeks)
    print(
        f"[{kind}] week view:  median {ms(week_median)}, p95 {ms(week_p95)} "
        f"(CPU median {ms(week_cpu)})"
    )
    print(f"[{kind}] load average while measuring: {os.getloadavg()[0]:.1f}")
    ok = p95 < TARGET_SECONDS
    verdict = "OK" if ok else "OVER"
    print(f"[{kind}] target: month view p95 < {ms(TARGET_SECONDS)}: {verdict}")
    return ok


def _report_past(kind: str, times: list[tuple[float, float]], queries: int, months: int) -> None:
    wall, cpu = [t[0] for t in times], [t[1] for t in times]
    print(
        f"[{kind}] past month view, default chain changed daily ({months} months over): "
        f"median {statistics.median(wall) * 1000:.1f} ms, "
        f"p95 {statistics.quantiles(wall, n=20)[-1] * 1000:.1f} ms "
        f"(CPU median {statistics.median(cpu) * 1000:.1f} ms); {queries} SQL statements per page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="both")
    parser.add_argument("--rounds", type=int, default=5, help="times each month is rendered")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    kinds = benchdb.DATABASES if args.db == "both" else (args.db,)
    results = [run(kind, args.rounds, args.keep) for kind in kinds]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
