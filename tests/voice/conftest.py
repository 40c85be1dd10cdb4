"""A hotline with a three-person chain on call now, and a driver for Twilio's side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.voice.models import Call, CallAttempt
from tests.conftest import TwilioClient

CALLER = "+33699887766"
WEBHOOKS = (
    "/voice/incoming",
    "/voice/dial-result",
    "/voice/screen",
    "/voice/screen-result",
    "/voice/leg-status",
    "/voice/status",
    "/voice/voicemail-done",
    "/voice/recording",
    "/voice/fallback",
)
T_FMT = "Fri, 27 Nov 2026 10:00:{:02d} +0000"


@dataclass
class Team:
    hotline: Hotline
    people: list[Person]


@pytest.fixture
def team(make_hotline, make_person, make_slot) -> Team:
    hotline = make_hotline(name="Astreinte IT")
    people = [make_person(name) for name in ("Alice", "Bruno", "Chloé")]
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=2), now + timedelta(hours=2), people)
    return Team(hotline, people)


@dataclass
class CallDriver:
    """Plays Twilio's side of one call through signed webhook requests."""

    twilio: TwilioClient
    hotline: Hotline
    call_sid: str = "CA00000000000000000000000000000001"
    caller: str = CALLER
    recording_sid: str = "RE" + "1" * 32
    sent: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)

    def post(self, path: str, params: dict[str, str], query: dict[str, Any] | None = None) -> str:
        self.sent.append((path, params, query or {}))
        response = self.twilio.post(path, params, query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(as_text=True)

    def leg_sid(self, pos: int) -> str:
        return f"CL{self.call_sid[2:-2]}{pos:02d}"

    def incoming(self) -> str:
        return self.post(
            "/voice/incoming",
            {
                "CallSid": self.call_sid,
                "From": self.caller,
                "To": self.hotline.number,
                "CallStatus": "ringing",
                "Direction": "inbound",
            },
        )

    def leg(self, pos: int, status: str, seq: int, stamp: str) -> str:
        return self.post(
            "/voice/leg-status",
            {
                "CallSid": self.leg_sid(pos),
                "ParentCallSid": self.call_sid,
                "CallStatus": status,
                "SequenceNumber": str(seq),
                "Timestamp": stamp,
            },
            {"call": self.call_sid, "pos": pos},
        )

    def screen(self, pos: int) -> str:
        return self.post(
            "/voice/screen", {"CallSid": self.leg_sid(pos)}, {"call": self.call_sid, "pos": pos}
        )

    def press(self, pos: int, digits: str) -> str:
        return self.post(
            "/voice/screen-result",
            {"CallSid": self.leg_sid(pos), "Digits": digits},
            {"call": self.call_sid, "pos": pos},
        )

    def dial_result(
        self, pos: int, status: str, bridged: bool, parent: str = "in-progress", duration: int = 0
    ) -> str:
        return self.post(
            "/voice/dial-result",
            {
                "CallSid": self.call_sid,
                "DialCallSid": self.leg_sid(pos),
                "DialCallStatus": status,
                "DialBridged": "true" if bridged else "false",
                "DialCallDuration": str(duration),
                "CallStatus": parent,
            },
            {"call": self.call_sid, "pos": pos},
        )

    def voicemail_done(self, seconds: int, url: str = "https://api.twilio.com/rec/RE1") -> str:
        return self.post(
            "/voice/voicemail-done",
            {
                "CallSid": self.call_sid,
                "RecordingUrl": url,
                "RecordingDuration": str(seconds),
                "Digits": "hangup",
            },
            {"call": self.call_sid},
        )

    def recording(
        self, seconds: int, status: str = "completed", url: str = "https://api.twilio.com/rec/RE1"
    ) -> str:
        """Twilio's recording status callback; an `absent` recording has no URL."""
        params = {
            "CallSid": self.call_sid,
            "RecordingSid": self.recording_sid,
            "RecordingStatus": status,
            "RecordingDuration": str(seconds),
        }
        if status != "absent":
            params["RecordingUrl"] = url
        return self.post("/voice/recording", params, {"call": self.call_sid})

    def status(
        self,
        status: str = "completed",
        duration: int = 60,
        stamp: str = "Fri, 27 Nov 2026 10:05:00 +0000",
    ) -> str:
        return self.post(
            "/voice/status",
            {
                "CallSid": self.call_sid,
                "CallStatus": status,
                "CallDuration": str(duration),
                "From": CALLER,
                "To": self.hotline.number,
                "Timestamp": stamp,
            },
        )

    def replay(self, order: list[int] | None = None) -> None:
        """Send every request again (in `order` when given)."""
        sent = list(self.sent)
        for i in order if order is not None else range(len(sent)):
            path, params, query = sent[i]
            assert self.twilio.post(path, params, query or None).status_code == 200


@pytest.fixture
def driver(twilio, team) -> CallDriver:
    return CallDriver(twilio, team.hotline)


def load_call(session: Session, call_sid: str) -> Call:
    session.expire_all()
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    assert call is not None
    return call


def attempts(session: Session, call: Call) -> list[CallAttempt]:
    return list(
        session.scalars(
            select(CallAttempt).where(CallAttempt.call_id == call.id).order_by(CallAttempt.position)
        )
    )


def leg_record(attempt: CallAttempt) -> tuple[Any, ...]:
    """What the records say of a ring leg, but for its sid."""
    return (
        attempt.position,
        attempt.person_id,
        attempt.ring_started_at,
        attempt.answered_at,
        attempt.accepted_at is not None,
        attempt.ended_at,
        attempt.twilio_status,
        attempt.status_sequence,
        attempt.result,
        attempt.talk_seconds,
    )
