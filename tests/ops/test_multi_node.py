"""Two nodes share one PostgreSQL and one Redis; each call's webhooks alternate between them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from hotline.simulator import Scenario
from tests.ops.cluster import PUBLIC_URL
from tests.ops.traffic import (
    SCREENED,
    expected_outcomes,
    place_call,
    place_calls_at_rate,
    recorded,
    scenario_mix,
)

pytestmark = pytest.mark.ops


def test_calls_alternating_between_two_nodes_are_each_recorded_once(cluster):
    placed = place_calls_at_rate(cluster.urls, scenario_mix(60, seed_value=1), 30, threads=4)

    results = [p.result for p in placed]
    assert [r.error for r in results if r.error] == []
    # Every webhook of every call went to the other node than the one before it.
    assert all(p.alternated for p in placed)
    assert all(len({hop.node for hop in p.hops}) == 2 for p in placed)
    db = recorded(cluster.engine, [r.call_sid for r in results])
    assert db.rows == db.distinct == len(results)
    assert db.outcomes == expected_outcomes(results)
    assert db.legs == sum(len(r.legs) for r in results)
    # The mix really exercised every ending.
    assert set(db.outcomes) == {"answered", "voicemail", "missed", "abandoned"}


def test_nodes_check_signatures_against_the_public_url_behind_the_proxy(cluster):
    """HOTLINE_PROXY_COUNT=1: the URL Twilio signed is rebuilt from X-Forwarded-*."""

    placed = place_call(cluster.urls, Scenario(SCREENED, "+33698765400", ()), 0)
    assert placed.result.error is None
    assert all(urlsplit(hop.url).netloc == urlsplit(PUBLIC_URL).netloc for hop in placed.hops)

    # The same signed request without the proxy's headers names another URL: refused.
    first = placed.result.exchanges[0]
    direct = requests.post(
        cluster.urls[0] + "/voice/incoming",
        data=first.params,
        headers={"X-Twilio-Signature": first.signature},
        timeout=10,
    )
    assert direct.status_code == 403


def test_every_node_reports_the_shared_totals_and_its_own_latency(cluster):
    place_calls_at_rate(cluster.urls, scenario_mix(6, seed_value=2), 30, threads=2)

    pages = [requests.get(f"{url}/metrics", timeout=10).text for url in cluster.urls]

    counts = [_sample(page, 'hotline_calls_total{outcome="answered"}') for page in pages]
    assert counts[0] == counts[1] > 0  # read from the shared database
    for page in pages:
        # Summed over the node's workers (PROMETHEUS_MULTIPROC_DIR set by the gunicorn config).
        assert _sample(page, 'hotline_webhook_seconds_count{endpoint="voice.incoming"}') > 0
    assert all(requests.get(f"{url}/readyz", timeout=10).status_code == 200 for url in cluster.urls)


def _sample(page: str, name: str) -> float:
    for line in page.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics:\n{page}")
