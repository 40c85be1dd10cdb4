"""Zero-downtime upgrade: the newest migration is applied while the previous release serves."""

from __future__ import annotations

import pytest

from hotline.simulator import Ending
from tests.ops.rolling import NoPreviousRelease, rolling_upgrade, traffic_recorded
from tests.ops.traffic import expected_outcomes

pytestmark = pytest.mark.ops

SAMPLE_CALLS = 20_000


def test_rolling_upgrade_under_traffic_loses_no_call(private_pg, private_redis, tmp_path):
    try:
        report = rolling_upgrade(private_pg, private_redis, tmp_path, SAMPLE_CALLS)
    except NoPreviousRelease as exc:
        pytest.skip(f"no previous release to upgrade from: {exc}")
    print("\n".join(report.lines()))

    traffic = report.traffic
    assert traffic is not None
    assert traffic.failures == []
    assert report.revisions[0] != report.revisions[1]
    for phase, calls in report.calls_by_phase.items():
        if phase != "the migration ran":
            assert calls >= 20, phase
    results = [p.result for p in traffic.placed]
    # Every webhook of every call got a 2xx answer and a call routed normally.
    assert all(e.status == 200 for r in results for e in r.exchanges)
    assert Ending.ERROR not in {r.ending for r in results}
    db = traffic_recorded(report, private_pg.url("live"))
    assert db.rows == db.distinct == len(results)
    assert db.outcomes == expected_outcomes(results)
    assert report.total_calls == SAMPLE_CALLS + len(results)
