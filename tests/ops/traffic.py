"""Simulated calls through a balancer, and the check that the database recorded each once.

The simulator's own result says how each call ended as the caller lived it; the
database must hold one `call` row per call with the matching outcome, and one
`call_attempt` row per ring leg: nothing lost, nothing counted twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from sqlalchemy import Engine, bindparam, text

from hotline.simulator import Behaviour, Ending, Scenario, SimulationResult, simulate_call
from hotline.simulator.balancer import Hop, RoundRobin
from tests.live_team import SCREENED, UNSCREENED, seed  # noqa: F401 - seed: for the benchmarks
from tests.ops.cluster import PUBLIC_URL, TOKEN

# How the database names what the caller lived.
OUTCOME_OF_ENDING = {
    Ending.ANSWERED: "answered",
    Ending.VOICEMAIL: "voicemail",
    Ending.MISSED: "missed",
    Ending.ABANDONED: "abandoned",
}

A, NA, BUSY, FAIL = Behaviour.ACCEPT, Behaviour.NO_ANSWER, Behaviour.BUSY, Behaviour.FAILED
VM, IGN, DEC = Behaviour.VOICEMAIL, Behaviour.IGNORE, Behaviour.DECLINE
# (weight, hotline, legs, options): mostly answered, some overflow, voicemail, missed, hang-ups.
MIX: list[tuple[int, str, tuple[Behaviour, ...], dict[str, int]]] = [
    (40, SCREENED, (A,), {"talk_seconds": 60}),
    (12, SCREENED, (NA, A), {}),
    (8, SCREENED, (BUSY, DEC, A), {}),
    (6, SCREENED, (VM, IGN, A), {}),
    (8, SCREENED, (NA, BUSY, NA), {"message_seconds": 12}),
    (5, SCREENED, (FAIL, NA, NA), {"message_seconds": 5}),
    (6, SCREENED, (NA, NA, NA), {}),
    (5, SCREENED, (NA,), {"hangup_after": 15}),
    (2, SCREENED, (), {"hangup_after": 3}),
    (6, UNSCREENED, (VM,), {}),
    (2, UNSCREENED, (NA, A), {}),
]


def scenario_mix(count: int, seed_value: int = 7) -> list[Scenario]:
    """`count` calls drawn from MIX, each from its own caller number."""
    draw = random.Random(seed_value)
    weights = [weight for weight, *_ in MIX]
    scenarios = []
    for index in range(count):
        _weight, to_number, legs, options = draw.choices(MIX, weights)[0]
        caller = f"+336{98000000 + index % 1_000_000:08d}"
        scenarios.append(Scenario(to_number=to_number, from_number=caller, legs=legs, **options))
    return scenarios


@dataclass
class PlacedCall:
    result: SimulationResult
    hops: list[Hop]
    nodes: tuple[str, ...]
    start: int

    @property
    def alternated(self) -> bool:
        """Each webhook went to the next node after the previous one's."""
        expected = [self.nodes[(self.start + i) % len(self.nodes)] for i in range(len(self.hops))]
        return [hop.node for hop in self.hops] == expected


def place_call(
    nodes: Sequence[str],
    scenario: Scenario,
    start: int = 0,
    session: requests.Session | None = None,
    balancer: RoundRobin | None = None,
) -> PlacedCall:
    """One call, its webhooks handed to `nodes` in turn from `nodes[start]`."""
    balancer = balancer or RoundRobin(nodes, start=start, session=session)
    result = simulate_call(PUBLIC_URL, TOKEN, scenario, transport=balancer)
    return PlacedCall(result, balancer.hops, tuple(nodes), start)


@dataclass
class Traffic:
    """Calls placed from a background thread, one after another, until stopped."""

    nodes: Sequence[str]
    pause: float = 0.05
    placed: list[PlacedCall] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._scenarios = iter(scenario_mix(100_000, seed_value=11))

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def wait_for(self, calls: int, timeout: float = 60) -> None:
        """Wait until `calls` more calls have ended."""
        goal, deadline = len(self.placed) + calls, time.monotonic() + timeout
        while len(self.placed) < goal and time.monotonic() < deadline:
            time.sleep(0.05)

    def _run(self) -> None:
        with requests.Session() as session:
            index = 0
            while not self._stop.is_set():
                placed = place_call(self.nodes, next(self._scenarios), index, session)
                if placed.result.error:
                    self.failures.append(f"{placed.result.call_sid}: {placed.result.error}")
                self.placed.append(placed)
                index += 1
                self._stop.wait(self.pause)


def place_calls_at_rate(
    nodes: Sequence[str],
    scenarios: Sequence[Scenario],
    calls_per_second: float,
    threads: int,
    on_call: Callable[[PlacedCall], None] | None = None,
) -> list[PlacedCall]:
    """Start call i at i / rate seconds (open loop), `threads` calls in flight at most."""
    local = threading.local()
    started = time.monotonic()

    def run(index: int) -> PlacedCall:
        delay = started + index / calls_per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if not hasattr(local, "session"):
            local.session = requests.Session()
        placed = place_call(nodes, scenarios[index], index, local.session)
        if on_call is not None:
            on_call(placed)
        return placed

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(len(scenarios))))


def expected_outcomes(results: Iterable[SimulationResult]) -> Counter[str]:
    """What the simulator lived, outcome by outcome, in the database's words."""
    return Counter(OUTCOME_OF_ENDING.get(r.ending, str(r.ending)) for r in results)


@dataclass(frozen=True)
class Recorded:
    """What the database holds for a set of CallSids."""

    outcomes: Counter[str]
    rows: int  # call rows for these sids (more than the sids would mean duplicates)
    distinct: int
    legs: int  # ring legs dialled (a leg the caller hung up before is never rung)


def recorded(engine: Engine, call_sids: Sequence[str]) -> Recorded:
    """Count the call rows and ring legs the database holds for `call_sids`."""
    outcomes: Counter[str] = Counter()
    rows = distinct = legs = 0
    by_outcome = text(
        'SELECT outcome, count(*), count(DISTINCT call_sid) FROM "call" '
        "WHERE call_sid IN :sids GROUP BY outcome"
    ).bindparams(bindparam("sids", expanding=True))
    leg_count = text(
        'SELECT count(*) FROM call_attempt JOIN "call" ON "call".id = call_attempt.call_id '
        "WHERE call_sid IN :sids AND call_attempt.result <> 'not-dialled'"
    ).bindparams(bindparam("sids", expanding=True))
    with engine.connect() as conn:
        for start in range(0, len(call_sids), 1000):
            chunk = list(call_sids[start : start + 1000])
            for outcome, count, unique in conn.execute(by_outcome, {"sids": chunk}):
                outcomes[outcome] += count
                rows += count
                distinct += unique
            legs += conn.execute(leg_count, {"sids": chunk}).scalar_one()
    return Recorded(outcomes, rows, distinct, legs)
