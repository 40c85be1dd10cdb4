"""Time the zero-downtime upgrade on a populated database, under call traffic.

Runs tests/ops/rolling.py's procedure on a private PostgreSQL and Redis: the
previous release (the code before the newest migration) fills a database with
`hotline stats sample --calls N`, the database is copied, and on the copy the newest
migration is applied while the previous release serves calls, then the nodes are
rolled to the new release one by one. Prints the time of each step, the calls
served in each phase, and whether every call was answered and recorded once.

    python benchmarks/upgrade.py [--calls 1000000] [--durable]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.cluster import PrivatePostgres, PrivateRedis  # noqa: E402
from tests.ops.rolling import rolling_upgrade, traffic_recorded  # noqa: E402
from tests.ops.traffic import expected_outcomes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls in the database")
    parser.add_argument("--durable", action="store_true", help="PostgreSQL with fsync on")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hotline-upgrade-"))
    pg, redis = PrivatePostgres(durable=args.durable), PrivateRedis()
    try:
        pg.init().start()
        redis.start()
        report = rolling_upgrade(pg, redis, workdir, args.calls)
        print("\n".join(report.lines()))
        assert report.traffic is not None
        results = [p.result for p in report.traffic.placed]
        db = traffic_recorded(report, pg.url("live"))
        same = db.rows == db.distinct == len(results) and db.outcomes == expected_outcomes(results)
        print(f"traffic calls recorded once with the simulator's outcomes: {same}")
        sys.exit(0 if same and not report.traffic.failures else 1)
    finally:
        redis.stop()
        pg.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
