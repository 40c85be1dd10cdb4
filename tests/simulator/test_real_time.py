"""A call played in real time has one clock: the server's timeline of it is true.

The server stamps some moments itself (the call's start, each leg dialled, the key
press) and takes others from the `Timestamp` of Twilio's status callbacks. Played in
real time, the simulator's Timestamps are the real clock too, so the call's page tells
the call as it happened. Real waiting is replaced here by moving a frozen clock, for
the simulator and the server alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from hotline.simulator import Behaviour, Scenario, simulate_call
from hotline.simulator.clock import RealTimeClock, SimulatedClock
from tests.conftest import AUTH_TOKEN

START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@dataclass
class Answer:
    status_code: int
    content: bytes


@dataclass
class AppTransport:
    """Hands the simulator's requests to the app's test client (same app, same session)."""

    client: Any

    def post(self, url: str, *, data: Any, headers: Any, timeout: float) -> Answer:
        response = self.client.post(url, data=data, headers=headers)
        return Answer(response.status_code, response.data)


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hotline(make_hotline, make_person, make_slot, frozen):
    hotline = make_hotline(name="Astreinte IT", timezone="UTC")
    people = [make_person(name) for name in ("Alice", "Bruno")]
    make_slot(hotline, START - timedelta(hours=1), START + timedelta(hours=1), people)
    return hotline


def play(client, hotline, clock: SimulatedClock) -> str:
    scenario = Scenario(
        to_number=hotline.number,
        from_number="+33698765432",
        legs=(Behaviour.NO_ANSWER, Behaviour.ACCEPT),
        talk_seconds=30,
    )
    transport = AppTransport(client)
    result = simulate_call(
        "http://localhost", AUTH_TOKEN, scenario, transport=transport, clock=clock
    )
    assert result.error is None, result.render()
    return result.call_sid


def timeline(client, login_as, hotline, call_sid: str) -> tuple[list[str], dict[int, list[str]]]:
    """The call page's events in the order shown, and each leg's row of times."""
    login_as("supervisor", hotlines=(hotline,), language="en")
    listing = client.get(f"/stats/calls?hotline={hotline.id}&period=today").get_data(as_text=True)
    call_id = re.search(r'href="/stats/calls/(\d+)"', listing)[1]
    page = client.get(f"/stats/calls/{call_id}").get_data(as_text=True)
    events = re.findall(r'<li class="event event-([\w-]+)">', page)
    legs = {
        int(pos): re.findall(r"<td>(\d\d:\d\d:\d\d)</td>", row)
        for pos, row in re.findall(r'<tr data-leg="(\d)"[^>]*>(.*?)</tr>', page, re.S)
    }
    return events, legs


def test_a_real_time_call_reads_on_its_page_as_it_happened(client, login_as, hotline, frozen):
    clock = RealTimeClock(sleep=lambda seconds: frozen.shift(seconds))

    call_sid = play(client, hotline, clock)

    events, legs = timeline(client, login_as, hotline, call_sid)
    # Leg 1 rings out before leg 2 is dialled; Bruno picks up, hears the prompt, accepts.
    assert events == [
        "started",
        "leg-rung",
        "leg-ringing",
        "leg-ended",
        "leg-rung",
        "leg-ringing",
        "leg-picked-up",
        "leg-accepted",
        "leg-ended",
        "ended",
    ]
    alice, bruno = ([datetime.strptime(t, "%H:%M:%S") for t in legs[pos]] for pos in (0, 1))
    assert bruno[0] - alice[0] >= timedelta(seconds=20)  # dialled after Alice's 20 s of ringing
    picked_up, accepted, ended = bruno[2], bruno[3], bruno[4]
    assert accepted - picked_up >= timedelta(seconds=3)  # the screening prompt took time
    assert ended - accepted == timedelta(seconds=30)  # the simulator's talk time
    assert clock.now <= datetime.now(UTC) < clock.now + timedelta(seconds=1)


def test_a_compressed_call_still_plays_in_no_time(client, hotline, frozen):
    call_sid = play(client, hotline, SimulatedClock())

    assert call_sid
    assert datetime.now(UTC) == START  # nothing waited
