"""A node dies, PostgreSQL stops, Redis stops: calls still reach a human and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import text

from hotline.simulator import Behaviour, Ending, Scenario, simulate_call
from hotline.simulator.balancer import RoundRobin
from tests.alerts.fakes import FakeTwilioRest
from tests.ops.cluster import EMERGENCY_NUMBER, PUBLIC_URL, REPO, TOKEN, hotline_cli
from tests.ops.traffic import SCREENED, place_call, recorded

pytestmark = pytest.mark.ops

A, NA = Behaviour.ACCEPT, Behaviour.NO_ANSWER
OUTAGE_SECONDS = 10


class KillNodeAfter:
    """The balancer, with node `victim` killed once `count` webhooks have been answered."""

    def __init__(self, balancer: RoundRobin, count: int, victim) -> None:
        self.balancer, self.count, self.victim = balancer, count, victim
        self.answered = 0

    def post(self, url: str, **options):
        response = self.balancer.post(url, **options)
        self.answered += 1
        if self.answered == self.count:
            self.victim.kill()
        return response


def test_node_killed_mid_call_the_other_node_carries_the_call_to_its_end(cluster):
    node_a, node_b = cluster.nodes
    balancer = RoundRobin(cluster.urls, start=0)
    transport = KillNodeAfter(balancer, 3, node_a)  # incoming, leg initiated, leg ringing
    scenario = Scenario(SCREENED, "+33698765401", (NA, A))

    result = simulate_call(PUBLIC_URL, TOKEN, scenario, transport=transport)

    assert result.error is None, result.render()
    assert not node_a.alive
    assert result.ending == Ending.ANSWERED
    assert result.answered_by is not None
    assert result.answered_by.position == 2
    before, after = balancer.hops[:3], balancer.hops[3:]
    assert [hop.node for hop in before] == [node_a.url, node_b.url, node_a.url]
    assert after
    assert all(hop.node == node_b.url for hop in after)
    # Every other webhook was meant for the dead node, which refused it: nothing was lost.
    assert [hop.skipped for hop in after[1::2]] == [(node_a.url,)] * len(after[1::2])
    db = recorded(cluster.engine, [result.call_sid])
    assert db.rows == 1
    assert db.outcomes == {"answered": 1}
    assert db.legs == 2


class HoldStatus:
    """A balancer that keeps the caller's final status callback until `release` is set.

    It plays a call still going on when the database comes back: its status
    callback reaches a node that can write again.
    """

    def __init__(self, nodes: list[str], release: threading.Event) -> None:
        self.balancer = RoundRobin(nodes)
        self.release = release

    def post(self, url: str, **options):
        if url.endswith("/voice/status"):
            self.release.wait(timeout=120)
        return self.balancer.post(url, **options)


@pytest.fixture
def outage(cluster) -> Iterator[None]:
    """PostgreSQL stopped; started again at the end whatever happens."""
    cluster.pg.stop()
    try:
        yield
    finally:
        if not cluster.pg.running:
            cluster.pg.start()


def test_calls_during_a_database_outage_reach_the_emergency_number_and_are_recorded_after(
    cluster, outage
):
    stopped = time.monotonic()
    release = threading.Event()
    held: list[threading.Thread] = []
    held_results: list = []
    direct = []
    index = 0
    # Calls keep coming for the whole outage: half end before it is over, half after.
    while time.monotonic() - stopped < OUTAGE_SECONDS or len(direct) < 2:
        scenario = Scenario(SCREENED, f"+3369876{5000 + index:04d}", (A,), talk_seconds=45)
        if index % 2:
            transport = HoldStatus(cluster.urls, release)
            thread = threading.Thread(
                target=lambda s=scenario, t=transport: held_results.append(
                    simulate_call(PUBLIC_URL, TOKEN, s, transport=t)
                )
            )
            thread.start()
            held.append(thread)
        else:
            direct.append(place_call(cluster.urls, scenario, index).result)
        index += 1
        time.sleep(0.5)
    readiness = [requests.get(f"{url}/readyz", timeout=10) for url in cluster.urls]

    cluster.pg.start()
    cluster.engine.dispose()  # the test's own pooled connections died with the server
    release.set()
    for thread in held:
        thread.join(timeout=60)

    assert [r.status_code for r in readiness] == [503, 503]
    calls = direct + held_results
    assert len(held_results) == len(held) >= 2
    for result in calls:
        assert result.error is None, result.render()
        assert {e.status for e in result.exchanges} == {200}
        assert f'<Dial answerOnBridge="true">{EMERGENCY_NUMBER}</Dial>' in result.exchanges[0].body
        assert result.legs[0].number == EMERGENCY_NUMBER
    # Held calls: their status callback came once the database was back and recorded them.
    assert recorded(cluster.engine, [r.call_sid for r in held_results]).rows == len(held)
    assert recorded(cluster.engine, [r.call_sid for r in direct]).rows == 0

    # The others are in the nodes' logs, with their parameters: replay them.
    logs = [str(node.log) for node in cluster.nodes]
    replayed = hotline_cli("replay-calls", *logs, env=cluster.env)
    again = hotline_cli("replay-calls", *logs, env=cluster.env)

    assert f"{len(direct)} call(s) recorded, {len(held)} already recorded" in replayed.stdout
    assert "0 call(s) recorded" in again.stdout
    db = recorded(cluster.engine, [r.call_sid for r in calls])
    assert db.rows == db.distinct == len(calls)
    assert db.outcomes == {"failed": len(calls)}
    with cluster.engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT call_sid, from_number, to_number, ended_at, duration FROM "call" '
                "WHERE call_sid = ANY(:sids)"
            ),
            {"sids": [r.call_sid for r in calls]},
        ).all()
    by_sid = {row.call_sid: row for row in rows}
    for result in calls:
        row = by_sid[result.call_sid]
        assert (row.from_number, row.to_number) == (result.from_number, SCREENED)
        assert row.ended_at is not None
        assert row.duration == result.duration
    assert all(requests.get(f"{url}/readyz", timeout=10).status_code == 200 for url in cluster.urls)


@pytest.fixture
def alert_worker(cluster, fake_twilio, tmp_path) -> Iterator[subprocess.Popen[bytes]]:
    """`hotline alerts worker` on the cluster's Redis, sending SMS to the Twilio stand-in."""
    env = {
        **cluster.env,
        "HOTLINE_TWILIO_API_BASE_URL": fake_twilio.url,
        "HOTLINE_ALERT_RETRY_DELAY": "1",
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-c", "from hotline.cli import main; main()", "alerts", "worker"]
    with log.open("wb") as output:
        worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output)
    try:
        if not wait_until(lambda: b"consumer started" in log.read_bytes(), timeout=60):
            pytest.fail(f"the alert worker did not start:\n{log.read_text()}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if not cluster.redis.process:
            cluster.redis.start()


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


def missed_call_while_redis_is_down(cluster, caller: str):
    cluster.redis.stop()
    result = place_call(cluster.urls, Scenario(SCREENED, caller, (NA, NA, NA))).result
    readiness = requests.get(f"{cluster.urls[0]}/readyz", timeout=10)
    time.sleep(5)  # the worker's relay tries every second meanwhile
    return result, readiness


def sms_about(fake_twilio: FakeTwilioRest, national: str) -> list[dict[str, str]]:
    return [m for m in fake_twilio.messages if f"Appel manqué de {national}" in m["Body"]]


def test_while_redis_is_down_calls_route_and_alerts_wait_in_the_outbox(
    cluster, alert_worker, fake_twilio
):
    result, readiness = missed_call_while_redis_is_down(cluster, "+33698766002")

    assert result.error is None
    assert result.ending == Ending.MISSED
    assert recorded(cluster.engine, [result.call_sid]).outcomes == {"missed": 1}
    # Redis down does not take the node out of the balancer: calls do not need it.
    assert readiness.status_code == 200
    assert readiness.json()["status"] == "degraded"
    assert sms_about(fake_twilio, "06 98 76 60 02") == []
    with cluster.engine.connect() as conn:
        pending = conn.execute(
            text(
                'SELECT count(*) FROM alert_event JOIN "call" ON "call".id = call_id '
                "WHERE call_sid = :sid AND kind = 'missed_call' AND dispatched_at IS NULL"
            ),
            {"sid": result.call_sid},
        ).scalar_one()
    assert pending == 1


# relay_outbox gives events back to the outbox when Redis refuses them, so the next
# relay pass (every second) hands them over; the wait below is only an upper bound.
RECOVERY_SECONDS = 420


@pytest.mark.skipif(
    not os.environ.get("HOTLINE_OPS_SLOW"),
    reason=f"waits up to {RECOVERY_SECONDS} s for the alert sweep; set HOTLINE_OPS_SLOW=1",
)
def test_alerts_held_back_by_a_redis_outage_are_sent_once_it_is_back(
    cluster, alert_worker, fake_twilio
):
    result, _readiness = missed_call_while_redis_is_down(cluster, "+33698766001")
    back = time.monotonic()

    cluster.redis.start()
    delivered = wait_until(
        lambda: len(sms_about(fake_twilio, "06 98 76 60 01")) >= 3, RECOVERY_SECONDS
    )

    print(f"missed-call SMS sent {time.monotonic() - back:.1f} s after Redis came back")
    assert result.error is None
    assert result.ending == Ending.MISSED
    assert delivered, "no SMS after Redis came back"
    assert sorted(m["To"] for m in sms_about(fake_twilio, "06 98 76 60 01")) == [
        "+33612345601",
        "+33612345602",
        "+33612345603",
    ]
