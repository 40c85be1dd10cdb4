"""Benchmark GET /api/v1/hotlines/<id>/oncall?at= as the planning grows, for every role.

Admin: the same two plannings as benchmarks/oncall.py (one-hour regular slots back to
back, 1 % half-hour overrides, three responders each), each in a fresh migrated
database, served by the real app in-process (Flask test client: bearer token
check, role check, hotline lookup, query parsing, resolve_chain, JSON). The
same number of random instants is asked of both, in alternating rounds, and
every answer is checked against the slot that covers the instant by
construction. The time ratio large/small should stay flat (goal <= 1.5).

Agent and manager: their answer also depends on the teams (whose mobile they see,
hotline.planning.contacts), so they ask a planning of several hotlines, each with
its team, default chain and 4-hour slots of three responders: a few days around
now (small) against years of past slots and two years ahead (large). The agent is
in the shown hotline's team, the manager manages it: both must get every number,
which is checked, as the chain is.

    python benchmarks/oncall_api.py [--db sqlite|postgresql|both] [--requests 2000]
        [--team-requests 600] [--roles admin,agent,manager]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import benchdb
import oncall as lookup
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hotline import create_app
from hotline.auth.models import ADMIN, AGENT, MANAGER
from hotline.auth.services import create_api_token, create_user, update_user
from hotline.db import database, utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import REGULAR, DefaultResponder

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


# --- agents and managers: the teams rule ---------------------------------------------

TEAM_ROLES = (AGENT, MANAGER)
HOTLINES = 10
TEAM = 6  # people per hotline; shift k rings team[(k + position) % TEAM]
SHIFT = timedelta(hours=4)
DAY = timedelta(days=1)
# Each hotline's slots around now: (before, from now on).
TEAM_PLANNINGS = (("small", 2 * DAY, 2 * DAY), ("large", 8 * 365 * DAY, 2 * 365 * DAY))


@dataclass(frozen=True)
class Teams:
    """Several hotlines with a team and back-to-back shifts each, around `base`."""

    name: str
    base: datetime  # now, down to a shift boundary: shift 0 starts there
    past: int  # shifts before base, per hotline
    ahead: int  # shifts from base on, per hotline

    @property
    def slots(self) -> int:
        return HOTLINES * (self.past + self.ahead)

    def slot_id(self, hotline: int, shift: int) -> int:
        # Ids grow with time, as they do for a planning made ahead of its shifts.
        return (shift + self.past) * HOTLINES + hotline + 1

    def slot_rows(self, hotline_ids: list[int]) -> Iterator[tuple[object, ...]]:
        created = utcnow()
        for shift in range(-self.past, self.ahead):
            start = self.base + shift * SHIFT
            for h, hotline_id in enumerate(hotline_ids):
                yield self.slot_id(h, shift), hotline_id, REGULAR, start, start + SHIFT, created

    def responder_rows(self, teams: list[list[int]]) -> Iterator[tuple[int, int, int]]:
        for shift in range(-self.past, self.ahead):
            for h, team in enumerate(teams):
                for position in range(lookup.RESPONDERS):
                    yield self.slot_id(h, shift), position, team[(shift + position) % TEAM]

    def instants(self, count: int, rng: random.Random) -> list[datetime]:
        first = self.base - self.past * SHIFT
        span = (self.past + self.ahead) * SHIFT.total_seconds()
        return [first + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)]

    def expected(self, at: datetime, team: list[int]) -> tuple[int, list[int]]:
        """The slot of the first hotline at `at` and the people it rings."""
        shift = (at - self.base) // SHIFT
        people = [team[(shift + position) % TEAM] for position in range(lookup.RESPONDERS)]
        return self.slot_id(0, shift), people


@dataclass
class TeamsServed:
    """One loaded teams database behind its own app, with a token per role."""

    teams: Teams
    hotline_id: int
    team: list[int]  # the first hotline's people, whose on-call chain is asked
    client: FlaskClient
    headers: dict[str, dict[str, str]]
    url: str


def load_teams(kind: str, engine: Engine, teams: Teams) -> tuple[list[int], list[list[int]]]:
    """Insert the hotlines, their people and default chains, then the slots in bulk."""
    with Session(engine) as session, session.begin():
        hotlines = [
            Hotline(number=f"+331848810{h:02d}", name=f"Astreinte {h}", timezone="Europe/Paris")
            for h in range(HOTLINES)
        ]
        people = [
            [
                Person(ref=f"p{h}-{k}", name=f"Person {h}-{k}", mobile=f"+3361{h:03d}{k:04d}")
                for k in range(TEAM)
            ]
            for h in range(HOTLINES)
        ]
        session.add_all([*hotlines, *(p for team in people for p in team)])
        session.flush()
        session.add_all(
            DefaultResponder(hotline_id=hotline.id, position=i, person_id=team[i].id)
            for hotline, team in zip(hotlines, people, strict=True)
            for i in range(2)
        )
        hotline_ids = [h.id for h in hotlines]
        team_ids = [[p.id for p in team] for team in people]
    rows, responders = teams.slot_rows(hotline_ids), teams.responder_rows(team_ids)
    if kind == "sqlite":
        lookup.check_sqlite_time(engine)
        lookup.load_sqlite(engine, rows, responders)
    else:
        lookup.load_postgresql(engine, rows, responders)
    return hotline_ids, team_ids


def serve_teams(
    url: str, teams: Teams, hotline_ids: list[int], team_ids: list[list[int]]
) -> TeamsServed:
    """The app, with an agent of the first hotline's team and a manager of that hotline."""
    app = create_app({"SECRET_KEY": "benchmark", "DATABASE_URL": url})
    headers = {}
    with database(app).session_scope() as session:
        for role in TEAM_ROLES:
            # The last of the team: in no default chain, on call by its slots only.
            person_id = team_ids[0][-1] if role == AGENT else None
            user = create_user(
                session, email=f"{role}@example.org", name=role.title(), role=role,
                password="benchmark password 123", person_id=person_id,
            )  # fmt: skip
            if role == MANAGER:
                update_user(
                    session, user, name=user.name, role=role, active=True, person_id=None,
                    language=None, hotline_ids=[hotline_ids[0]],
                )  # fmt: skip
            _token, secret = create_api_token(session, user, "benchmark")
            headers[role] = {"Authorization": f"Bearer {secret}"}
    return TeamsServed(teams, hotline_ids[0], team_ids[0], app.test_client(), headers, url)


def time_team_requests(served: TeamsServed, role: str, instants: list[datetime]) -> list[float]:
    """Seconds per request; each chain checked, and every number shown (same team)."""
    timings = []
    path = f"/api/v1/hotlines/{served.hotline_id}/oncall"
    for at in instants:
        query = {"at": at.isoformat()}
        started = time.perf_counter()
        response = served.client.get(path, query_string=query, headers=served.headers[role])
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} at {at}: {response.get_data(as_text=True)}")
        document = response.get_json()
        slot_id, people = served.teams.expected(at, served.team)
        responders = document["responders"]
        if (document["slot_id"], [r["person_id"] for r in responders]) != (slot_id, people):
            raise SystemExit(f"wrong answer at {at}: {document}, expected {slot_id} {people}")
        if any(r["number"] is None for r in responders):
            raise SystemExit(f"{role} was not shown a number of their team at {at}: {document}")
    return timings


def bench_teams(kind: str, requests: int, roles: list[str], keep: bool) -> bool:
    work = benchdb.workdir(f"hotline-oncall-api-teams-{kind}-")
    base = datetime.fromtimestamp(
        utcnow().timestamp() // SHIFT.total_seconds() * SHIFT.total_seconds(), UTC
    )
    served = []
    for name, before, after in TEAM_PLANNINGS:
        started = time.monotonic()
        teams = Teams(name, base, before // SHIFT, after // SHIFT)
        url = benchdb.fresh_url(kind, f"hotline_bench_oncall_api_teams_{name}", work)
        engine = benchdb.migrated_engine(url)
        hotline_ids, team_ids = load_teams(kind, engine, teams)
        engine.dispose()
        served.append(serve_teams(url, teams, hotline_ids, team_ids))
        print(f"{kind}: loaded {teams.slots:,} slots ({HOTLINES} hotlines, {name}) "
              f"in {time.monotonic() - started:.1f} s")  # fmt: skip

    rng = random.Random(6)
    timings = {(role, one.teams.name): [] for role in roles for one in served}
    for one in served:  # warm-up
        for role in roles:
            time_team_requests(one, role, one.teams.instants(20, rng))
    for _ in range(ROUNDS):
        for one in served:
            instants = one.teams.instants(max(1, requests // ROUNDS), rng)
            for role in roles:
                timings[role, one.teams.name] += time_team_requests(one, role, instants)

    met = True
    print(f"{'role':>8} {'planning':>8} {'slots':>9} {'requests':>8} {'median µs':>10} "
          f"{'mean µs':>8} {'p99 µs':>8}")  # fmt: skip
    for role in roles:
        for one in served:
            t = sorted(timings[role, one.teams.name])
            print(f"{role:>8} {one.teams.name:>8} {one.teams.slots:>9,} {len(t):>8} "
                  f"{statistics.median(t) * 1e6:>10.0f} {statistics.fmean(t) * 1e6:>8.0f} "
                  f"{t[int(len(t) * 0.99)] * 1e6:>8.0f}")  # fmt: skip
        small, large = (timings[role, name] for name, _, _ in TEAM_PLANNINGS)
        ratio = statistics.median(large) / statistics.median(small)
        mean_ratio = statistics.fmean(large) / statistics.fmean(small)
        print(f"{role} ratio large / small: {ratio:.2f} median, {mean_ratio:.2f} mean "
              f"(goal <= {GOAL_RATIO}); every chain matched, every number shown")  # fmt: skip
        met = met and ratio <= GOAL_RATIO

    if not keep:
        for one in served:
            benchdb.drop_database(kind, one.url)
        shutil.rmtree(work, ignore_errors=True)
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="timed admin requests per size")
    parser.add_argument(
        "--team-requests", type=int, default=600, help="timed requests per size, agent and manager"
    )
    parser.add_argument(
        "--roles", default=",".join((ADMIN, *TEAM_ROLES)), help="of admin, agent, manager"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    kinds = benchdb.DATABASES if args.db == "both" else (args.db,)
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    if unknown := set(roles) - {ADMIN, *TEAM_ROLES}:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    team_roles = [role for role in roles if role in TEAM_ROLES]
    results = []
    for kind in kinds:
        if ADMIN in roles:
            results.append(bench_database(kind, args.requests, args.keep))
        if team_roles:
            results.append(bench_teams(kind, args.team_requests, team_roles, args.keep))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
