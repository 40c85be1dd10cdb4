"""One call, step by step: greeting, each ring leg, who accepted, voicemail, the end."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Hotline
from hotline.stats.errors import StatsInputError
from hotline.stats.scope import person_names
from hotline.voice.models import Call, CallAttempt
from hotline.voice.recordings import is_simulated
from hotline.voice.voicemails import MessageState, message_state


@dataclass(frozen=True)
class Leg:
    """One ring leg as recorded; `name` is None for the hotline's fallback number."""

    position: int
    person_id: int | None
    name: str | None
    number: str | None  # None: the fallback number, withheld from the reader
    created_at: datetime
    ring_started_at: datetime | None
    answered_at: datetime | None
    accepted_at: datetime | None
    ended_at: datetime | None
    result: str
    talk_seconds: int | None


@dataclass(frozen=True)
class Event:
    """A dated step of the call, for drawing the timeline in order."""

    at: datetime
    kind: str  # started, leg-rung, leg-ringing, leg-picked-up, leg-accepted, leg-ended,
    #            voicemail-offered, voicemail-recorded, ended
    position: int | None = None
    # Who rang, a leg's result, the call's outcome, or a message's MessageState.
    detail: str | None = None


@dataclass(frozen=True)
class Voicemail:
    recording_url: str | None
    recording_sid: str | None
    duration: int | None
    status: str | None
    recorded_at: datetime
    # Whether Twilio confirmed a message: only then is the call a voicemail.
    state: MessageState

    @property
    def simulated(self) -> bool:
        """Left in the call simulator: no audio exists."""
        return self.recording_url is not None and is_simulated(self.recording_url)


@dataclass(frozen=True)
class CallTimeline:
    id: int
    call_sid: str
    hotline_id: int | None
    hotline_name: str | None
    timezone: str
    from_number: str
    to_number: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    route: str
    answered_by_id: int | None
    answered_by: str | None
    answered_position: int | None
    duration_seconds: int | None
    legs: list[Leg] = field(default_factory=list)
    voicemail: Voicemail | None = None
    events: list[Event] = field(default_factory=list)

    def local(self, at: datetime) -> datetime:
        """`at` in the hotline's time zone."""
        return at.astimezone(ZoneInfo(self.timezone))


# The events whose detail names who was rung.
WHO_EVENTS = frozenset({"leg-rung", "leg-ringing", "leg-picked-up", "leg-accepted"})


def fallback_number_withheld(timeline: CallTimeline) -> CallTimeline:
    """The timeline without the hotline's fallback number: its legs and steps name nobody."""
    fallback = {leg.position for leg in timeline.legs if leg.person_id is None}
    if not fallback:
        return timeline
    return replace(
        timeline,
        legs=[replace(g, number=None) if g.position in fallback else g for g in timeline.legs],
        events=[
            replace(e, detail=None) if e.kind in WHO_EVENTS and e.position in fallback else e
            for e in timeline.events
        ],
    )


def call_timeline(session: Session, call_id: int, default_timezone: str) -> CallTimeline:
    """Return the timeline of call `call_id`, or a clear error when there is none.

    A call of no hotline (taken by the emergency fallback) is shown in `default_timezone`.
    """
    call = session.scalar(
        select(Call)
        .where(Call.id == call_id)
        .options(selectinload(Call.attempts), selectinload(Call.voicemail))
    )
    if call is None:
        raise StatsInputError(f"unknown call {call_id}")
    hotline = session.get(Hotline, call.hotline_id) if call.hotline_id else None
    people = person_names(session, (a.person_id for a in call.attempts if a.person_id))
    legs = [_leg(attempt, people) for attempt in call.attempts]
    voicemail = None
    if call.voicemail is not None:
        vm = call.voicemail
        voicemail = Voicemail(
            vm.recording_url,
            vm.recording_sid,
            vm.duration,
            vm.status,
            vm.created_at,
            message_state(vm),
        )
    duration = call.duration
    if duration is None and call.ended_at is not None:
        duration = int((call.ended_at - call.started_at).total_seconds())
    return CallTimeline(
        id=call.id,
        call_sid=call.call_sid,
        hotline_id=call.hotline_id,
        hotline_name=hotline.name if hotline else None,
        timezone=hotline.timezone if hotline else default_timezone,
        from_number=call.from_number,
        to_number=call.to_number,
        started_at=call.started_at,
        ended_at=call.ended_at,
        outcome=call.outcome,
        route=call.route,
        answered_by_id=call.answered_by_id,
        answered_by=people.get(call.answered_by_id) if call.answered_by_id else None,
        answered_position=call.answered_position,
        duration_seconds=duration,
        legs=legs,
        voicemail=voicemail,
        events=_events(call, legs, voicemail),
    )


def _leg(attempt: CallAttempt, people: dict[int, str]) -> Leg:
    return Leg(
        position=attempt.position,
        person_id=attempt.person_id,
        name=people.get(attempt.person_id) if attempt.person_id else None,
        number=attempt.number,
        created_at=attempt.created_at,
        ring_started_at=attempt.ring_started_at,
        answered_at=attempt.answered_at,
        accepted_at=attempt.accepted_at,
        ended_at=attempt.ended_at,
        result=attempt.result,
        talk_seconds=attempt.talk_seconds,
    )


def _events(call: Call, legs: list[Leg], voicemail: Voicemail | None) -> list[Event]:
    events = [Event(call.started_at, "started")]
    for leg in legs:
        who = leg.name or leg.number
        steps = (
            (leg.created_at, "leg-rung"),
            (leg.ring_started_at, "leg-ringing"),
            (leg.answered_at, "leg-picked-up"),
            (leg.accepted_at, "leg-accepted"),
        )
        events += [Event(at, kind, leg.position, who) for at, kind in steps if at is not None]
        if leg.ended_at is not None:
            events.append(Event(leg.ended_at, "leg-ended", leg.position, leg.result))
    if call.voicemail_offered_at is not None:
        events.append(Event(call.voicemail_offered_at, "voicemail-offered"))
    if voicemail is not None:
        events.append(Event(voicemail.recorded_at, "voicemail-recorded", None, voicemail.state))
    if call.ended_at is not None:
        events.append(Event(call.ended_at, "ended", None, call.outcome))
    # Stable sort: steps recorded at the same instant keep their logical order.
    return sorted(events, key=lambda event: event.at)
