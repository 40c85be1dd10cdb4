"""Statistics over 10,000 to 1,000,000 calls, on SQLite and PostgreSQL.

    python benchmarks/stats.py [--sizes 10000,100000,1000000] [--databases sqlite,postgresql]

Builds (once; reused by later runs unless --rebuild) one database per size:
a hotline with six agents on day/night slots (four responders and a
fallback number per chain), and N synthetic calls spread over the year
before a fixed date, through `hotline stats sample`'s generator, and builds
the hourly rollups of the closed days (`hotline stats rollup`). Then times,
for the last 30 days and for the whole year, the dashboard (summary, daily
trend and heatmap from one hourly pass, per-agent table) and the first pages
of the call list, and prints the medians and their growth from the smallest
size. Targets at 1,000,000 calls: under 0.5 s on PostgreSQL and under 2 s on
SQLite for the dashboard (30 days and a year) and for the call list.

PostgreSQL databases are named hotline_stats_bench_<N> on the server of
HOTLINE_BENCH_PG_SERVER (default: local, user postgres); SQLite files go to
--workdir (default: the system's temporary directory).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from hotline import schema
from hotline.db import make_engine, normalise_url
from hotline.models import Hotline, Person
from hotline.planning.models import DefaultResponder, Slot, SlotResponder
from hotline.stats.agents import agent_table
from hotline.stats.calls import CallFilters, list_calls
from hotline.stats.dashboard import dashboard
from hotline.stats.kpis import summary
from hotline.stats.periods import Period
from hotline.stats.rollup_build import build_rollups
from hotline.stats.sample import generate_sample
from hotline.stats.trend import hourly_counts
from hotline.voice.models import Call

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
ZONE = "Europe/Paris"
NUMBER = "+33184880001"
SPAN_DAYS = 365
LAST_30 = Period(date(2026, 6, 1), date(2026, 6, 30), ZONE)
WHOLE_YEAR = Period(date(2025, 7, 1), date(2026, 6, 30), ZONE)
DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
TARGETS = {"postgresql": 0.5, "sqlite": 2.0}


def pg_server() -> str:
    return os.environ.get("HOTLINE_BENCH_PG_SERVER", DEFAULT_PG_SERVER).rstrip("/")


def database_url(kind: str, size: int, workdir: Path) -> str:
    name = f"hotline_stats_bench_{size}"
    if kind == "sqlite":
        return f"sqlite:///{workdir / name}.sqlite3"
    admin = create_engine(normalise_url(f"{pg_server()}/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not found:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{pg_server()}/{name}"


def reset(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        return
    engine.dispose()
    path = Path(engine.url.database or "")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def built_size(engine: Engine) -> int | None:
    """Calls already in a benchmark database (migrated to head on the way), or None."""
    try:
        if schema.current_revision(engine) is None:
            return None
        if schema.current_revision(engine) != schema.head_revision(engine):
            schema.upgrade(engine)
            roll_up(engine)
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(Call))
    except Exception:  # noqa: BLE001 - any failure means "build it again"
        return None


def seed_planning(session: Session) -> Hotline:
    """Six agents; day (08-20) and night slots over the year, four in each chain."""
    hotline = Hotline(
        number=NUMBER, name="Benchmark", timezone=ZONE, fallback_number="+33184889999"
    )
    people = [
        Person(ref=f"agent{i}", name=f"Agent {i}", mobile=f"+3361234560{i}") for i in range(6)
    ]
    session.add_all([hotline, *people])
    session.flush()
    session.add_all(
        DefaultResponder(hotline_id=hotline.id, position=i, person_id=p.id)
        for i, p in enumerate(people[:4])
    )
    start = date(2025, 6, 30)
    slots = []
    for offset in range(SPAN_DAYS + 2):
        day = start + timedelta(days=offset)
        for half, (begin, end) in enumerate(((8, 20), (20, 32))):
            first = (offset * 2 + half) % len(people)
            chain = [people[(first + k) % len(people)] for k in range(4)]
            slots.append(
                Slot(
                    hotline_id=hotline.id,
                    starts_at=_local(day, begin),
                    ends_at=_local(day, end),
                    responders=[
                        SlotResponder(position=k, person_id=p.id) for k, p in enumerate(chain)
                    ],
                )
            )
    session.add_all(slots)
    session.commit()
    return hotline


def _local(day: date, hour: int) -> datetime:
    """Wall-clock `hour` (may pass 24) of local `day`, in UTC: DST days keep 08:00 and 20:00."""
    on = day + timedelta(days=hour // 24)
    return datetime.combine(on, time(hour % 24), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def build(engine: Engine, size: int) -> float:
    reset(engine)
    engine = make_engine(str(engine.url))
    schema.upgrade(engine)
    started = clock.perf_counter()
    with Session(engine) as session:
        hotline = seed_planning(session)
        done = [0]

        def progress(count: int) -> None:
            done[0] += count
            if done[0] % 100_000 < count or done[0] == size:
                print(f"    {done[0]:>9,} calls", flush=True)

        generate_sample(session, hotline, size, SPAN_DAYS, now=NOW, seed=size, on_batch=progress)
    roll_up(engine)
    engine.dispose()
    return clock.perf_counter() - started


def roll_up(engine: Engine) -> None:
    """Build the hourly rollups of the closed days, as the hourly timer does; then ANALYZE."""
    began = clock.perf_counter()
    with Session(engine) as session:
        days = build_rollups(session, NOW)
    print(f"    rollups of {days} days built in {clock.perf_counter() - began:.1f} s", flush=True)
    analyse(engine)


def analyse(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def timed(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm the caches: a dashboard is opened more than once
    runs = []
    for _ in range(repeat):
        began = clock.perf_counter()
        action()
        runs.append(clock.perf_counter() - began)
    return statistics.median(runs)


def measure(engine: Engine, repeat: int) -> dict[str, float]:
    with Session(engine) as session:
        hotline_id = session.scalar(select(Hotline.id).where(Hotline.number == NUMBER))
        agent_id = session.scalar(select(Person.id).where(Person.ref == "agent3"))
        figures: dict[str, float] = {}
        for label, period in (("30d", LAST_30), ("year", WHOLE_YEAR)):
            parts = {
                "summary": lambda p=period: summary(session, p, hotline_id),
                "trend+heatmap": lambda p=period: hourly_counts(session, p, hotline_id),
                "agents": lambda p=period: agent_table(session, p, hotline_id),
                # What the page calls: the parts above, trend and heatmap from one pass.
                "dashboard": lambda p=period: dashboard(session, p, hotline_id),
            }
            for name, action in parts.items():
                figures[f"{label} {name}"] = timed(action, repeat)
        for label, filters in (
            ("list", CallFilters(LAST_30, hotline_id)),
            ("list missed", CallFilters(LAST_30, hotline_id, outcome="missed")),
            ("list agent", CallFilters(LAST_30, hotline_id, agent_id=agent_id)),
            ("list all hotlines", CallFilters(LAST_30)),
        ):
            figures[label] = timed(lambda f=filters: list_calls(session, f, 50), repeat)
        page = list_calls(session, CallFilters(LAST_30, hotline_id), 50)
        figures["list page 2"] = timed(
            lambda: list_calls(session, CallFilters(LAST_30, hotline_id), 50, page.next_cursor),
            repeat,
        )
        in_window = summary(session, LAST_30, hotline_id).received
    figures["calls in 30d"] = in_window
    return figures


def report(kind: str, results: dict[int, dict[str, float]]) -> None:
    sizes = sorted(results)
    smallest = sizes[0]
    keys = [k for k in results[smallest] if k != "calls in 30d"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{kind}: median of runs, milliseconds (growth vs {smallest:,} calls)")
    print(f"(machine load average {load} on {os.cpu_count()} cores: others share it)")
    print(f"{'':<22}" + "".join(f"{s:>22,}" for s in sizes))
    print(
        f"{'calls in last 30 days':<22}"
        + "".join(f"{int(results[s]['calls in 30d']):>22,}" for s in sizes)
    )
    for key in keys:
        cells = []
        for size in sizes:
            ms = results[size][key] * 1000
            growth = results[size][key] / results[smallest][key]
            cells.append(f"{ms:>12.1f} (x{growth:>5.1f})")
        print(f"{key:<22}" + "".join(f"{c:>22}" for c in cells))
    largest = results[sizes[-1]]
    target = TARGETS[kind]
    for key in ("30d dashboard", "year dashboard", "list"):
        verdict = "ok" if largest[key] < target else "OVER TARGET"
        print(
            f"  {key} at {sizes[-1]:,} calls: {largest[key]:.3f} s (target < {target} s) {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild even if already built.")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    for kind in args.databases.split(","):
        results = {}
        for size in sizes:
            engine = make_engine(database_url(kind, size, args.workdir))
            if args.rebuild or built_size(engine) != size:
                print(f"{kind}: building {size:,} calls ...", flush=True)
                seconds = build(engine, size)
                print(f"{kind}: built {size:,} calls in {seconds:.0f} s", flush=True)
                engine = make_engine(str(engine.url))
            with Session(engine) as session:
                legs = session.scalar(text("SELECT count(*) FROM call_attempt"))
            print(f"{kind}: {size:,} calls, {legs:,} legs ({legs / size:.2f} per call)")
            results[size] = measure(engine, args.repeat)
            engine.dispose()
        report(kind, results)


if __name__ == "__main__":
    main()
