"""Benchmark GET /api/v1/hotlines/<id>/oncall?at= with 100 slots against 1,000,000 slots.

The same two plannings as benchmarks/oncall.py (one-hour regular slots back to
back, 1 % half-hour overrides, three responders each), each in a fresh migrated
database, served by the real app in-process (Flask test client: bearer token
check, role check, hotline lookup, query parsing, resolve_chain, JSON). The
same number of random instants is asked of both, in alternating rounds, and
every answer is checked against the slot that covers the instant by
construction. The time ratio large/small should stay flat (goal <= 1.5).

    python benchmarks/oncall_api.py [--db sqlite|postgresql|both] [--requests 2000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import benchdb
import oncall as lookup
from flask.testing import FlaskClient

from hotline import create_app
from hotline.auth.models import ADMIN
from hotline.auth.services import create_api_token, create_user
from hotline.db import database

SIZES = lookup.SIZES
ROUNDS = 3
GOAL_RATIO = 1.5


@dataclass
class Served:
    """One loaded database behind its own app, with a token to ask it."""

    planning: lookup.Planning
    hotline_id: int
    client: FlaskClient
    headers: dict[str, str]
    url: str


def serve(kind: str, url: str, planning: lookup.Planning, hotline_id: int) -> Served:
    app = create_app({"SECRET_KEY": "benchmark", "DATABASE_URL": url})
    with database(app).session_scope() as session:
        user = create_user(
            session, email="bench@example.org", name="Bench", role=ADMIN,
            password="benchmark password 123",
        )  # fmt: skip
        _token, secret = create_api_token(session, user, "benchmark")
    return Served(planning, hotline_id, app.test_client(), {"Authorization": f"Bearer {secret}"},
                  url)  # fmt: skip


def time_requests(served: Served, instants: list[datetime]) -> list[float]:
    """Seconds per request; each answer checked against the planning."""
    timings = []
    path = f"/api/v1/hotlines/{served.hotline_id}/oncall"
    for at in instants:
        query = {"at": at.isoformat()}
        started = time.perf_counter()
        response = served.client.get(path, query_string=query, headers=served.headers)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} at {at}: {response.get_data(as_text=True)}")
        document = response.get_json()
        route, slot_id = served.planning.expected(at)
        if (document["route"], document["slot_id"]) != (route.value, slot_id):
            raise SystemExit(f"wrong answer at {at}: {document}, expected {route} {slot_id}")
        if len(document["responders"]) != lookup.RESPONDERS:
            raise SystemExit(f"wrong chain at {at}: {document['responders']}")
    return timings


def bench_database(kind: str, requests: int, keep: bool) -> bool:
    work = benchdb.workdir(f"hotline-oncall-api-{kind}-")
    served = []
    for size in SIZES:
        started = time.monotonic()
        url = benchdb.fresh_url(kind, f"hotline_bench_oncall_api_{size}", work)
        engine = benchdb.migrated_engine(url)
        planning = lookup.Planning(size)
        hotline_id = lookup.load(kind, engine, planning)
        engine.dispose()
        served.append(serve(kind, url, planning, hotline_id))
        print(f"{kind}: loaded {size:,} slots in {time.monotonic() - started:.1f} s")

    rng = random.Random(4)
    timings: dict[int, list[float]] = {size: [] for size in SIZES}
    for one in served:  # warm-up: connections, statement caches, first pages
        time_requests(one, one.planning.instants(200, rng))
    for _ in range(ROUNDS):
        for one in served:
            instants = one.planning.instants(requests // ROUNDS, rng)
            timings[one.planning.size] += time_requests(one, instants)

    print(f"{'slots':>10} {'requests':>8} {'median µs':>10} {'mean µs':>8} {'p99 µs':>8}")
    for size in SIZES:
        t = sorted(timings[size])
        print(f"{size:>10,} {len(t):>8} {statistics.median(t) * 1e6:>10.0f} "
              f"{statistics.fmean(t) * 1e6:>8.0f} {t[int(len(t) * 0.99)] * 1e6:>8.0f}")  # fmt: skip
    small, large = (timings[size] for size in SIZES)
    ratio = statistics.median(large) / statistics.median(small)
    mean_ratio = statistics.fmean(large) / statistics.fmean(small)
    print(f"ratio 1,000,000 / 100 slots: {ratio:.2f} median, {mean_ratio:.2f} mean "
          f"(goal <= {GOAL_RATIO}); every answer matched the planning")  # fmt: skip

    if not keep:
        for one in served:
            benchdb.drop_database(kind, one.url)
        shutil.rmtree(work, ignore_errors=True)
    return ratio <= GOAL_RATIO


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per size")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    kinds = benchdb.DATABASES if args.db == "both" else (args.db,)
    results = [bench_database(kind, args.requests, args.keep) for kind in kinds]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
