"""iCal feeds: a person's shifts across hotlines, a hotline's whole planning; their URL tokens.

A feed is reached by an unguessable token in its URL (calendar apps cannot send
a bearer header). Only the token's SHA-256 is stored; issuing a new one replaces
the old, whose URL stops working at once. Events carry their time zone (a
VTIMEZONE per hotline zone), so calendar apps show shifts at the right local
times across DST changes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, FeedToken, Slot, SlotResponder

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)
PRODID = "-//Hotline//On-call planning//EN"
TOKEN_BYTES = 32


# -- tokens ---------------------------------------------------------------------------------


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_person_feed(session: Session, person: Person) -> str:
    """Give the person's feed a new secret (the old URL stops working); return it."""
    session.execute(delete(FeedToken).where(FeedToken.person_id == person.id))
    return _issue(session, FeedToken(person_id=person.id))


def issue_hotline_feed(session: Session, hotline: Hotline) -> str:
    """Give the hotline's feed a new secret (the old URL stops working); return it."""
    session.execute(delete(FeedToken).where(FeedToken.hotline_id == hotline.id))
    return _issue(session, FeedToken(hotline_id=hotline.id))


def revoke_person_feed(session: Session, person: Person) -> bool:
    """Stop the person's feed; whether there was one."""
    result = session.execute(delete(FeedToken).where(FeedToken.person_id == person.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_hotline_feed(session: Session, hotline: Hotline) -> bool:
    """Stop the hotline's feed; whether there was one."""
    result = session.execute(delete(FeedToken).where(FeedToken.hotline_id == hotline.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def feed_for(session: Session, secret: str) -> FeedToken | None:
    """The feed a secret opens, if it is the current one."""
    if not secret or len(secret) > 100:
        return None
    return session.scalar(select(FeedToken).where(FeedToken.token_hash == token_digest(secret)))


def _issue(session: Session, token: FeedToken) -> str:
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token.token_hash = token_digest(secret)
    session.add(token)
    session.flush()
    return secret


# -- calendars ------------------------------------------------------------------------------


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The span a feed covers: a month back, six months ahead."""
    return now - FEED_PAST, now + FEED_AHEAD


def person_calendar(session: Session, person: Person, *, now: datetime, domain: str) -> bytes:
    """The person's shifts on every hotline, primary or backup, as an iCalendar file."""
    start, end = feed_window(now)
    slots = _slots(
        session,
        select(Slot)
        .join(SlotResponder, SlotResponder.slot_id == Slot.id)
        .where(SlotResponder.person_id == person.id),
        start,
        end,
    )
    calendar = _calendar(f"On call: {person.name}")
    for slot in slots:
        position = next(r.position for r in slot.responders if r.person_id == person.id)
        event = _event(slot, now, f"slot-{slot.id}-person-{person.id}@{domain}")
        kind = "override, " if slot.kind == OVERRIDE else ""
        event.add("summary", f"On call {slot.hotline.name} ({kind}{position_label(position)})")
        event.add("description", chain_text(slot))
        calendar.add_component(event)
    return _finish(calendar, start, end)


def hotline_calendar(session: Session, hotline: Hotline, *, now: datetime, domain: str) -> bytes:
    """Every slot of the hotline with its chain, as an iCalendar file."""
    start, end = feed_window(now)
    slots = _slots(session, select(Slot).where(Slot.hotline_id == hotline.id), start, end)
    calendar = _calendar(f"On call: {hotline.name}")
    for slot in slots:
        event = _event(slot, now, f"slot-{slot.id}@{domain}")
        names = [r.person.name for r in slot.responders]
        kind = "Override: " if slot.kind == OVERRIDE else ""
        backups = f" (backup {', '.join(names[1:])})" if len(names) > 1 else ""
        event.add("summary", f"{kind}{names[0] if names else 'nobody'}{backups}")
        event.add("description", chain_text(slot))
        calendar.add_component(event)
    return _finish(calendar, start, end)


def position_label(position: int) -> str:
    return "primary" if position == 0 else f"backup {position}"


def chain_text(slot: Slot) -> str:
    """The chain, one line per person, in ringing order."""
    return "\n".join(
        f"{position_label(r.position)}: {r.person.name} {r.person.mobile}" for r in slot.responders
    )


def _slots(session: Session, query: object, start: datetime, end: datetime) -> Sequence[Slot]:
    statement = (
        query.where(Slot.starts_at < end, Slot.ends_at > start)  # type: ignore[attr-defined]
        .options(
            selectinload(Slot.responders).selectinload(SlotResponder.person),
            selectinload(Slot.hotline),
        )
        .order_by(Slot.starts_at, Slot.id)
    )
    return session.scalars(statement).unique().all()


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Calendar apps poll a subscribed feed; ask for an hourly refresh.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", timedelta(hours=1))
    return calendar


def _event(slot: Slot, now: datetime, uid: str) -> Event:
    zone = ZoneInfo(slot.hotline.timezone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    # Local times with their TZID: the VTIMEZONE added in _finish says how they map to UTC.
    event.add("dtstart", slot.starts_at.astimezone(zone))
    event.add("dtend", slot.ends_at.astimezone(zone))
    event.add("sequence", slot.version)
    event.add("transp", "OPAQUE")
    return event


def _finish(calendar: Calendar, start: datetime, end: datetime) -> bytes:
    # One VTIMEZONE per zone used, with the transitions of the feed's span only.
    calendar.add_missing_timezones(first_date=(start - FEED_PAST).date(),
                                   last_date=(end + FEED_AHEAD).date())  # fmt: skip
    return calendar.to_ical()


def zones_of(slots: Iterable[Slot]) -> set[str]:
    return {slot.hotline.timezone for slot in slots}
