"""Soak: thousands of simulated calls across two app nodes, then count the records.

A private PostgreSQL and Redis (started here, removed at the end) serve two gunicorn
nodes run with deploy/gunicorn.conf.py. Calls start at a steady rate, each drawn
from a mix of callee behaviours (answered at once or after overflow, screened out,
voicemail, missed, hung up), and each call's webhooks alternate between the two
nodes through a round-robin balancer that forwards X-Forwarded-Proto/Host as nginx
does. Afterwards the database must hold, outcome by outcome, exactly the calls the
simulator lived: 0 lost, 0 duplicated, and one ring leg per leg rung.

    python benchmarks/soak.py [--calls 10000] [--rate 20] [--threads 16] [--workers 2]
                              [--durable]

Prints throughput (calls and webhooks per second) and webhook latency (p50, p99, max)
as seen by the caller's side; exits 1 when a call failed or the counts differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from hotline import schema  # noqa: E402
from hotline.db import make_engine  # noqa: E402
from hotline.simulator.balancer import RoundRobin  # noqa: E402
from tests.ops.cluster import Node, PrivatePostgres, PrivateRedis, app_env  # noqa: E402
from tests.ops.traffic import (  # noqa: E402
    PlacedCall,
    expected_outcomes,
    place_call,
    recorded,
    scenario_mix,
)


class TimedRoundRobin(RoundRobin):
    """The balancer, timing each webhook from send to answer."""

    timings: list[float]
    lock = threading.Lock()

    def post(self, url: str, **options: Any) -> requests.Response:
        started = time.perf_counter()
        response = super().post(url, **options)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.timings.append(elapsed)
        return response


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hotline-soak-"))
    pg, redis = PrivatePostgres(durable=args.durable), PrivateRedis()
    nodes: list[Node] = []
    try:
        pg.init().start()
        redis.start()
        url = pg.create_database("soak")
        engine = make_engine(url)
        schema.upgrade(engine)
        from tests.ops.traffic import seed

        seed(engine)
        env = app_env(url, redis.url, HOTLINE_LOG_LEVEL="WARNING")
        nodes = [Node(n, env, workdir / f"{n}.log", workers=args.workers) for n in ("a", "b")]
        for node in nodes:
            node.start()
        return soak(args, engine, [node.url for node in nodes])
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
        pg.destroy()


def soak(args: argparse.Namespace, engine: Any, urls: list[str]) -> int:
    from concurrent.futures import ThreadPoolExecutor

    scenarios = scenario_mix(args.calls, seed_value=args.seed)
    timings: list[float] = []
    local = threading.local()
    started = time.monotonic()
    done = [0]

    def one(index: int) -> PlacedCall:
        delay = started + index / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if not hasattr(local, "session"):
            local.session = requests.Session()
        balancer = TimedRoundRobin(urls, start=index, session=local.session)
        balancer.timings = timings
        placed = place_call(urls, scenarios[index], index, balancer=balancer)
        done[0] += 1
        if done[0] % 1000 == 0:
            print(f"  {done[0]} calls in {time.monotonic() - started:.0f} s", flush=True)
        return placed

    print(f"soak: {args.calls} calls at {args.rate}/s over {len(urls)} nodes", flush=True)
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        placed = list(pool.map(one, range(args.calls)))
    elapsed = time.monotonic() - started
    return report(engine, placed, timings, elapsed)


def report(engine: Any, placed: list[PlacedCall], timings: list[float], elapsed: float) -> int:
    results = [p.result for p in placed]
    errors = [f"{r.call_sid}: {r.error}" for r in results if r.error]
    expected = expected_outcomes(results)
    db = recorded(engine, [r.call_sid for r in results])
    legs = sum(len(r.legs) for r in results)
    alternated = sum(p.alternated for p in placed)
    print(f"calls: {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.1f} calls/s")
    print(f"webhooks: {len(timings)} = {len(timings) / elapsed:.1f}/s")
    print(
        f"webhook latency: p50 {statistics.median(timings) * 1000:.1f} ms, "
        f"p99 {percentile(timings, 0.99) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
    )
    print(f"calls whose webhooks alternated between the nodes: {alternated}/{len(placed)}")
    print(f"{'outcome':<10} {'simulator':>9} {'database':>9}")
    for outcome in sorted(set(expected) | set(db.outcomes)):
        print(f"{outcome:<10} {expected[outcome]:>9} {db.outcomes[outcome]:>9}")
    lost = len(results) - db.distinct
    duplicated = db.rows - db.distinct
    print(f"lost: {lost}, duplicated: {duplicated}, ring legs {db.legs} recorded / {legs} rung")
    print(f"failed calls: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    ok = not errors and lost == 0 and duplicated == 0 and db.outcomes == expected
    return 0 if ok and db.legs == legs else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=20.0, help="calls started per second")
    parser.add_argument("--threads", type=int, default=16, help="calls in flight at most")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--seed", type=int, default=7, help="draw of the behaviour mix")
    parser.add_argument(
        "--durable", action="store_true", help="PostgreSQL with fsync (default: off, faster)"
    )
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
