"""People's unavailability (leave, sickness): recorded here, skipped by rotation generation.

Every planning change made by hand that puts somebody on call (a replacement, a swap,
an override, a slot added or edited) is checked here too: a person unavailable then
is refused (ResponderAbsent) unless the manager confirms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.message_times import WallTime
from hotline.models import Person
from hotline.planning import audit
from hotline.planning.errors import NotFound, PlanningError
from hotline.planning.models import UNAVAILABILITY_KINDS, Unavailability
from hotline.planning.validation import aware, check_note, check_order

# Longer than this is a typo in the year, not a leave.
MAX_UNAVAILABILITY = timedelta(days=366)


def add_unavailability(
    session: Session,
    person_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    note: str | None = None,
    user_id: int | None,
) -> Unavailability:
    """Record that a person cannot be on call over [starts_at, ends_at)."""
    if session.get(Person, person_id) is None:
        raise NotFound(_l("unknown person"), "person_id")
    period = Unavailability(person_id=person_id)
    _fill(period, starts_at, ends_at, kind, note)
    session.add(period)
    session.flush()
    _record(session, audit.CREATE, period, None, user_id)
    return period


def update_unavailability(
    session: Session,
    unavailability_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    note: str | None = None,
    user_id: int | None,
) -> Unavailability:
    """Change a period's times, kind and note."""
    period = _get(session, unavailability_id)
    before = _snapshot(period)
    _fill(period, starts_at, ends_at, kind, note)
    session.flush()
    _record(session, audit.UPDATE, period, before, user_id)
    return period


def delete_unavailability(session: Session, unavailability_id: int, *, user_id: int | None) -> None:
    """Remove a period: the person can be put on call again then."""
    period = _get(session, unavailability_id)
    before = _snapshot(period)
    session.delete(period)
    session.flush()
    audit.record_change(
        session,
        hotline_id=None,
        user_id=user_id,
        action=audit.DELETE,
        entity=audit.UNAVAILABILITY,
        entity_id=unavailability_id,
        before=before,
        after=None,
    )


def person_unavailability(
    session: Session, person_id: int, start: datetime, end: datetime
) -> list[Unavailability]:
    """A person's periods overlapping [start, end), in order."""
    return unavailable_between(session, [person_id], start, end).get(person_id, [])


def unavailability_ending_after(
    session: Session, person_id: int, since: datetime
) -> list[Unavailability]:
    """A person's periods not over at `since`, however far ahead they lie, in order."""
    return list(
        session.scalars(
            select(Unavailability)
            .where(Unavailability.person_id == person_id, Unavailability.ends_at > since)
            .order_by(Unavailability.starts_at)
        )
    )


def unavailable_between(
    session: Session, person_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Unavailability]]:
    """Periods overlapping [start, end) of each of `person_ids` who has any, in order."""
    found: dict[int, list[Unavailability]] = defaultdict(list)
    if not person_ids:
        return found
    rows = session.scalars(
        select(Unavailability)
        .where(
            Unavailability.person_id.in_(set(person_ids)),
            Unavailability.starts_at < end,
            Unavailability.ends_at > start,
        )
        .order_by(Unavailability.starts_at)
    )
    for period in rows:
        found[period.person_id].append(period)
    return found


@dataclass(frozen=True)
class Placement:
    """Somebody a planning change puts at a place of a chain over [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime
    position: int  # 0 primary, 1... backups
    person_id: int


@dataclass(frozen=True)
class AbsentPlace:
    """A piece of time where a planning change rings somebody recorded as unavailable."""

    starts_at: datetime
    ends_at: datetime
    position: int  # their place in the chain: 0 primary, 1... backups
    person_id: int
    person_name: str
    period_id: int
    message: object  # a lazy string: str() it in the reader's language

    def __str__(self) -> str:
        return str(self.message)


class ResponderAbsent(PlanningError):
    """Somebody put on call is unavailable over part of it: refused unless confirmed."""

    def __init__(self, places: Sequence[AbsentPlace], field: str | None, zone: ZoneInfo) -> None:
        super().__init__(_absence_refusal(places), field)
        self.places = tuple(places)
        self.zone = zone  # the hotline's: the message's times are in it


def absent_places(
    session: Session, zone: ZoneInfo, placements: Sequence[Placement]
) -> list[AbsentPlace]:
    """The pieces of `placements` where the person placed is recorded as unavailable.

    Inactive people are left out: nobody rings them. Times in the messages are in `zone`.
    """
    if not placements:
        return []
    start = min(p.starts_at for p in placements)
    end = max(p.ends_at for p in placements)
    periods = unavailable_between(session, {p.person_id for p in placements}, start, end)
    places = []
    for placement in placements:
        person = session.get(Person, placement.person_id)
        if person is None or not person.active:
            continue
        for period in periods.get(person.id, []):
            piece_start = max(placement.starts_at, period.starts_at)
            piece_end = min(placement.ends_at, period.ends_at)
            if piece_start >= piece_end:
                continue
            message = _l(
                "from %(start)s to %(end)s as %(place)s",
                start=WallTime.of(piece_start, zone),
                end=WallTime.of(piece_end, zone),
                place=_place(placement.position),
            )
            places.append(
                AbsentPlace(
                    piece_start,
                    piece_end,
                    placement.position,
                    person.id,
                    person.name,
                    period.id,
                    message,
                )
            )
    return places


def confirmed_absences(
    session: Session,
    zone: ZoneInfo,
    placements: Sequence[Placement],
    field: str,
    *,
    despite_absence: bool,
) -> tuple[AbsentPlace, ...]:
    """The absent_places of a change; ResponderAbsent on `field` unless `despite_absence`."""
    absent = tuple(absent_places(session, zone, placements))
    if absent and not despite_absence:
        raise ResponderAbsent(absent, field, zone)
    return absent


def _place(position: int) -> object:
    if position == 0:
        return _l("primary")
    return _l("backup %(n)d", n=position)


def _absence_refusal(places: Sequence[AbsentPlace]) -> object:
    """One sentence naming each person away, their pieces and places in the chain."""
    by_person: dict[int, list[AbsentPlace]] = defaultdict(list)
    for place in places:
        by_person[place.person_id].append(place)
    first, *others = by_person.values()
    # Whoever else is away comes as a clause after the first one's pieces: one sentence,
    # one way out at its end.
    others_clauses = [
        _l(
            "%(name)s is recorded as unavailable then and would be on call %(slots)s",
            name=pieces[0].person_name,
            slots=_Joined(pieces),
        )
        for pieces in others
    ]
    # lazy_gettext, not ngettext: error_sentence() formats the bare template, which
    # ngettext fills with `num` alone (KeyError on the other values).
    return _l(
        "%(name)s is recorded as unavailable then and would be on call %(slots)s: "
        "choose somebody else, or confirm to put them on call anyway",
        name=first[0].person_name,
        slots=_Joined([*first, *others_clauses]),
    )


class _Joined:
    """Messages joined by "; ", rendered in the reader's language when shown."""

    def __init__(self, messages: Sequence[object]) -> None:
        self.messages = messages

    def __str__(self) -> str:
        return "; ".join(str(message) for message in self.messages)


def _get(session: Session, unavailability_id: int) -> Unavailability:
    period = session.get(Unavailability, unavailability_id)
    if period is None:
        raise NotFound(_l("this period does not exist (any more)"), "unavailability_id")
    return period


def _fill(
    period: Unavailability, starts_at: datetime, ends_at: datetime, kind: str, note: str | None
) -> None:
    """Check every field, then set them all (nothing is set when one is wrong)."""
    starts_at, ends_at = aware(starts_at, "starts_at"), aware(ends_at, "ends_at")
    check_order(starts_at, ends_at)
    if ends_at - starts_at > MAX_UNAVAILABILITY:
        raise PlanningError(
            _l("a period is at most %(days)s days long", days=MAX_UNAVAILABILITY.days), "ends_at"
        )
    if kind not in UNAVAILABILITY_KINDS:
        kinds = ", ".join(UNAVAILABILITY_KINDS)
        raise PlanningError(_l("%(kind)r is not one of %(kinds)s", kind=kind, kinds=kinds), "kind")
    note = check_note(note)
    period.starts_at, period.ends_at, period.kind, period.note = starts_at, ends_at, kind, note


def _snapshot(period: Unavailability) -> dict[str, Any]:
    return {
        "person_id": period.person_id,
        "starts_at": period.starts_at.isoformat(),
        "ends_at": period.ends_at.isoformat(),
        "kind": period.kind,
        "note": period.note,
    }


def _record(
    session: Session,
    action: str,
    period: Unavailability,
    before: dict[str, Any] | None,
    user_id: int | None,
) -> None:
    audit.record_change(
        session,
        hotline_id=None,  # a person's, not a hotline's: see entity_history()
        user_id=user_id,
        action=action,
        entity=audit.UNAVAILABILITY,
        entity_id=period.id,
        before=before,
        after=_snapshot(period),
    )
