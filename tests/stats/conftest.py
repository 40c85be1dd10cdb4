"""A hand-built week of calls whose every figure is worked out in the tests.

Hotline in Europe/Paris; period Monday 23 to Tuesday 31 March 2026, across the
spring-forward of Sunday 29 March (CET +1 before, CEST +2 after). Chain on the
legs: Alice, then Bruno, then Chloé. Leg k is created 1 + 22k seconds after
the call starts, starts ringing a second later and, when it rings out, ends 20
seconds after it was created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.stats.periods import Period
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome, Voicemail

PARIS = ZoneInfo("Europe/Paris")
MARCH = Period(date(2026, 3, 23), date(2026, 3, 31), "Europe/Paris")


def paris(text: str) -> datetime:
    """A Paris wall-clock time 'YYYY-MM-DD HH:MM' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@dataclass
class Week:
    hotline: Hotline
    alice: Person
    bruno: Person
    chloe: Person
    calls: dict[int, Call]


class CallMaker:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0

    def __call__(
        self,
        hotline: Hotline | None,
        local_start: str,
        outcome: Outcome,
        legs: list[tuple[Person | None, LegResult]],
        *,
        accepted_after: int | None = None,
        talk: int | None = None,
        caller: str | None = None,
        voicemail_url: str | None = None,
    ) -> Call:
        self.count += 1
        start = paris(local_start)
        call = Call(
            call_sid=f"CA{self.count:032d}",
            hotline_id=hotline.id if hotline else None,
            from_number=caller or f"+336100000{self.count:02d}",
            to_number=hotline.number if hotline else "+33100000000",
            started_at=start,
            outcome=outcome,
            route="slot",
            chain=[],
        )
        self.session.add(call)
        end = start + timedelta(seconds=1)
        for k, (person, result) in enumerate(legs):
            created = start + timedelta(seconds=1 + 22 * k)
            attempt = CallAttempt(
                position=k,
                person_id=person.id if person else None,
                number=person.mobile if person else "+33100000001",
                created_at=created,
                ring_started_at=created + timedelta(seconds=1),
                result=result,
            )
            if result == LegResult.ACCEPTED:
                assert accepted_after is not None
                assert talk is not None
                attempt.answered_at = start + timedelta(seconds=accepted_after - 2)
                attempt.accepted_at = start + timedelta(seconds=accepted_after)
                attempt.talk_seconds = talk
                attempt.ended_at = attempt.accepted_at + timedelta(seconds=talk)
                call.answered_by_id = attempt.person_id
                call.answered_position = k
            elif result == LegResult.DECLINED:
                attempt.answered_at = created + timedelta(seconds=8)
                attempt.ended_at = created + timedelta(seconds=16)
            elif result != LegResult.RINGING:
                attempt.ended_at = created + timedelta(seconds=20)
            call.attempts.append(attempt)
            end = attempt.ended_at or end
        if outcome in (Outcome.VOICEMAIL, Outcome.MISSED):
            call.voicemail_offered_at = end
        if outcome == Outcome.VOICEMAIL:
            call.voicemail = Voicemail(
                recording_url=voicemail_url, duration=25, status="completed", created_at=end
            )
            end += timedelta(seconds=30)
        if outcome != Outcome.RINGING:
            call.ended_at = end + timedelta(seconds=1)
            call.duration = int((call.ended_at - start).total_seconds())
        self.session.flush()
        return call


@pytest.fixture
def make_call(db_session: Session) -> CallMaker:
    return CallMaker(db_session)


@pytest.fixture
def week(db_session, make_hotline, make_person, make_slot, make_call) -> Week:
    hotline = make_hotline(timezone="Europe/Paris")
    alice = make_person("Alice Martin")
    bruno = make_person("Bruno Petit")
    chloe = make_person("Chloé Durand")
    abc = [alice, bruno, chloe]
    make_slot(hotline, paris("2026-03-23 00:00"), paris("2026-03-28 00:00"), abc)
    make_slot(hotline, paris("2026-03-28 00:00"), paris("2026-04-01 00:00"), [bruno, alice, chloe])
    make_slot(hotline, paris("2026-03-26 08:00"), paris("2026-03-26 12:00"), [chloe], override=True)

    A, N, B, D, F, C, R = (  # noqa: N806 - short names keep the table below readable
        LegResult.ACCEPTED,
        LegResult.NO_ANSWER,
        LegResult.BUSY,
        LegResult.DECLINED,
        LegResult.FAILED,
        LegResult.CANCELED,
        LegResult.RINGING,
    )
    h = hotline
    calls = {
        1: make_call(
            h, "2026-03-23 10:00", Outcome.ANSWERED, [(alice, A)], accepted_after=14, talk=120
        ),
        2: make_call(
            h,
            "2026-03-23 14:00",
            Outcome.ANSWERED,
            [(alice, N), (bruno, A)],
            accepted_after=40,
            talk=300,
        ),
        3: make_call(
            h,
            "2026-03-24 23:30",
            Outcome.ANSWERED,
            [(alice, B), (bruno, D), (chloe, A)],
            accepted_after=50,
            talk=60,
        ),
        # 00:30 in Paris is still the 24th in UTC: it belongs to the 25th.
        4: make_call(
            h,
            "2026-03-25 00:30",
            Outcome.VOICEMAIL,
            [(alice, N), (bruno, N), (chloe, N)],
            voicemail_url="https://recordings.example/RE4",
        ),
        5: make_call(
            h,
            "2026-03-25 09:00",
            Outcome.MISSED,
            [(alice, N), (bruno, F), (chloe, N)],
            caller="+33799887766",
        ),
        6: make_call(h, "2026-03-26 12:00", Outcome.ABANDONED, [(alice, C)]),
        7: make_call(
            h, "2026-03-26 12:30", Outcome.ANSWERED, [(alice, A)], accepted_after=20, talk=45
        ),
        8: make_call(
            h, "2026-03-27 20:00", Outcome.ANSWERED, [(alice, A)], accepted_after=8, talk=600
        ),
        9: make_call(
            h,
            "2026-03-29 10:00",
            Outcome.ANSWERED,
            [(alice, N), (bruno, A)],
            accepted_after=35,
            talk=90,
        ),
        # Taken by the emergency fallback: no hotline, so only in the all-hotlines figures.
        10: make_call(None, "2026-03-30 03:00", Outcome.FAILED, []),
        11: make_call(
            h, "2026-03-31 23:30", Outcome.ANSWERED, [(alice, A)], accepted_after=5, talk=30
        ),
        # 00:10 on the 23rd in Paris is the 22nd in UTC: inside the period.
        12: make_call(
            h, "2026-03-23 00:10", Outcome.ANSWERED, [(alice, A)], accepted_after=12, talk=100
        ),
        # 00:10 on 1 April in Paris is still 31 March in UTC: outside the period.
        13: make_call(
            h, "2026-04-01 00:10", Outcome.ANSWERED, [(alice, A)], accepted_after=6, talk=50
        ),
        14: make_call(h, "2026-03-31 10:00", Outcome.RINGING, [(alice, R)]),
    }
    return Week(hotline, alice, bruno, chloe, calls)
