"""iCal feeds: a person's shifts across hotlines, a hotline's whole planning; their URL tokens.

A feed is reached by an unguessable token in its URL (calendar apps cannot send
a bearer header). Only the token's SHA-256 is stored; issuing a new one replaces
the old, whose URL stops working at once. A URL answers only while the user who
asked for it could still ask for it: deactivated, demoted or moved off the
hotline, they hold a URL that answers 404 (and works again if they get back). A
person's feed also rests while the person is marked inactive or their own account is
deactivated.
Events carry their time zone (a VTIMEZONE per hotline zone), so calendar apps
show shifts at the right local times across DST changes. Event text is in the
hotline's language. Besides the slots, both feeds list the hours no slot covers
where a hotline's default chain rings (hotline.planning.default_hours): the chain of
then for past hours, one event per local day with a UID that survives refreshes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vDuration
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session, selectinload

from hotline.auth.access import can_hold_hotline_feed, can_hold_person_feed
from hotline.auth.models import User
from hotline.models import Hotline, Person
from hotline.phone import national_format
from hotline.planning import audit
from hotline.planning.calendar_grid import local_midnight
from hotline.planning.default_hours import default_hours
from hotline.planning.models import OVERRIDE, FeedToken, Slot, SlotResponder
from hotline.planning.shifts import person_default_cover, person_shifts
from hotline.planning.validation import Span

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)
PRODID = "-//Hotline//On-call planning//EN"
TOKEN_BYTES = 32
_DAY = timedelta(days=1)


# -- tokens ---------------------------------------------------------------------------------


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_person_feed(session: Session, person: Person, *, user_id: int | None) -> str:
    """Give the person's feed a new secret (the old URL stops working); return it."""
    return _issue(session, FeedToken(person_id=person.id), None, user_id)


def issue_hotline_feed(session: Session, hotline: Hotline, *, user_id: int | None) -> str:
    """Give the hotline's feed a new secret (the old URL stops working); return it."""
    return _issue(session, FeedToken(hotline_id=hotline.id), hotline.id, user_id)


def revoke_person_feed(session: Session, person: Person, *, user_id: int | None) -> bool:
    """Stop the person's feed; whether there was one."""
    owner = {"person_id": person.id, "hotline_id": None}
    return _revoke(session, FeedToken.person_id == person.id, None, owner, user_id)


def revoke_hotline_feed(session: Session, hotline: Hotline, *, user_id: int | None) -> bool:
    """Stop the hotline's feed; whether there was one."""
    owner = {"person_id": None, "hotline_id": hotline.id}
    return _revoke(session, FeedToken.hotline_id == hotline.id, hotline.id, owner, user_id)


def feed_for(session: Session, secret: str) -> FeedToken | None:
    """The feed a secret opens, if it is the current one and still in force."""
    if not secret or len(secret) > 100:
        return None
    token = session.scalar(select(FeedToken).where(FeedToken.token_hash == token_digest(secret)))
    return token if token is not None and feed_in_force(session, token) else None


def person_feed(session: Session, person_id: int) -> FeedToken | None:
    """The person's feed, if it has one in force."""
    token = session.scalar(select(FeedToken).where(FeedToken.person_id == person_id))
    return token if token is not None and feed_in_force(session, token) else None


class FeedStop(StrEnum):
    """Why a current feed URL no longer answers."""

    ISSUER_DEACTIVATED = "issuer_deactivated"
    # The issuer keeps an active account but lost the feed: demoted, no longer a manager
    # of the hotline, or no longer linked to the person.
    ISSUER_LOST_RIGHT = "issuer_lost_right"
    ISSUER_DELETED = "issuer_deleted"  # unreachable: deleting a user deletes their feeds
    PERSON_INACTIVE = "person_inactive"  # the person is marked inactive in the planning
    ACCOUNT_DEACTIVATED = "account_deactivated"  # the person's own user account


@dataclass(frozen=True)
class StoppedFeed:
    """A current feed URL that no longer answers, and why."""

    reason: FeedStop
    issuer_name: str | None = None  # for the issuer's reasons


def feed_in_force(session: Session, token: FeedToken) -> bool:
    """Whether the feed's URL answers (see why_stopped)."""
    return why_stopped(session, token) is None


def why_stopped(session: Session, token: FeedToken) -> StoppedFeed | None:
    """Why the feed's URL no longer answers; None while whoever holds it may read what it shows.

    A person's feed rests while that person is marked inactive, or their own account is
    deactivated, whoever issued it. Its issuer must still be allowed to ask for it (a
    deactivated user, or a manager moved off the hotline, keeps the URL but not what it
    shows). Nothing is deleted: the URL works again when they are back, unless renewed
    meanwhile.
    """
    if token.person_id is not None:
        person = session.get(Person, token.person_id)
        if person is None or not person.active:
            return StoppedFeed(FeedStop.PERSON_INACTIVE)
        own_account = select(User.active).where(User.person_id == token.person_id)
        if session.scalar(own_account) is False:
            return StoppedFeed(FeedStop.ACCOUNT_DEACTIVATED)
    if token.issued_by is None:
        return None
    issuer = session.get(User, token.issued_by)
    if issuer is None:
        return StoppedFeed(FeedStop.ISSUER_DELETED)
    if not issuer.active:
        return StoppedFeed(FeedStop.ISSUER_DEACTIVATED, issuer.name)
    if not _may_hold(issuer, token):
        return StoppedFeed(FeedStop.ISSUER_LOST_RIGHT, issuer.name)
    return None


def stopped_hotline_feed(session: Session, hotline_id: int) -> StoppedFeed | None:
    """Why the hotline's current feed URL no longer answers; None while it answers, or if none."""
    token = session.scalar(select(FeedToken).where(FeedToken.hotline_id == hotline_id))
    return _told(why_stopped(session, token)) if token is not None else None


def stopped_person_feed(session: Session, person_id: int) -> StoppedFeed | None:
    """Why the person's current feed URL no longer answers; None while it answers, or if none."""
    token = session.scalar(select(FeedToken).where(FeedToken.person_id == person_id))
    return _told(why_stopped(session, token)) if token is not None else None


def _told(stopped: StoppedFeed | None) -> StoppedFeed | None:
    # The pages have words for every reason but a deleted issuer, which cannot happen.
    return None if stopped is None or stopped.reason == FeedStop.ISSUER_DELETED else stopped


def _may_hold(user: User, token: FeedToken) -> bool:
    if token.person_id is not None:
        return can_hold_person_feed(user, token.person_id)
    return token.hotline_id is not None and can_hold_hotline_feed(user, token.hotline_id)


def _issue(session: Session, token: FeedToken, hotline_id: int | None, user_id: int | None) -> str:
    token.issued_by = user_id
    owner = {"person_id": token.person_id, "hotline_id": token.hotline_id}
    same_owner = (
        FeedToken.person_id == token.person_id
        if token.person_id is not None
        else FeedToken.hotline_id == token.hotline_id
    )
    replaced = session.execute(delete(FeedToken).where(same_owner)).rowcount  # type: ignore[attr-defined]
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token.token_hash = token_digest(secret)
    session.add(token)
    session.flush()
    # The log says who renewed which feed and when; never the secret.
    audit.record_change(
        session,
        hotline_id=hotline_id,
        user_id=user_id,
        action=audit.ROTATE if replaced else audit.CREATE,
        entity=audit.FEED_TOKEN,
        entity_id=token.id,
        before=owner if replaced else None,
        after=owner,
    )
    return secret


def _revoke(
    session: Session,
    owned: ColumnElement[bool],
    hotline_id: int | None,
    owner: dict[str, int | None],
    user_id: int | None,
) -> bool:
    token = session.scalar(select(FeedToken).where(owned))
    if token is None:
        return False
    session.delete(token)
    session.flush()
    audit.record_change(
        session,
        hotline_id=hotline_id,
        user_id=user_id,
        action=audit.DELETE,
        entity=audit.FEED_TOKEN,
        entity_id=token.id,
        before=owner,
        after=None,
    )
    return True


# -- calendars ------------------------------------------------------------------------------


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The span a feed covers: a month back, six months ahead."""
    return now - FEED_PAST, now + FEED_AHEAD


def person_calendar(session: Session, person: Person, *, now: datetime, domain: str) -> bytes:
    """The person's shifts on every hotline, primary or backup, as an iCalendar file.

    Shifts are what the phone rings (hotline.planning.shifts, as "My shifts"): an
    override that replaces the person removes that span from their feed and puts
    it in their replacement's. The hours no slot covers where a hotline's default
    chain rings them come as default-chain events, one per local day (`_default_events`).
    """
    start, end = feed_window(now)
    with force_locale(person.language):
        calendar = _calendar(_("On call: %(name)s", name=person.name))
    for shift in person_shifts(session, person.id, start, end, now=now):
        hotline = shift.hotline
        event = _event(
            shift.starts_at, shift.ends_at, ZoneInfo(hotline.timezone), now,
            uid=f"slot-{shift.slot_id}-{_stamp(shift.starts_at)}-person-{person.id}@{domain}",
        )  # fmt: skip
        with force_locale(hotline.language):
            position = position_label(shift.position)
            if shift.kind == OVERRIDE:
                pattern = _("On call %(hotline)s (override, %(position)s)")
            else:
                pattern = _("On call %(hotline)s (%(position)s)")
            summary = _named(pattern, "hotline", hotline.name, position=position)
            event.add("summary", summary)
            event.add("description", _names_text(shift.names))
        calendar.add_component(event)
    for event in _person_default_events(session, person, (start, end), now, domain):
        calendar.add_component(event)
    return _finish(calendar, start, end)


def _person_default_events(
    session: Session, person: Person, window: Span, now: datetime, domain: str
) -> Iterator[Event]:
    """The hours no slot covers where a default chain rings the person, with their place."""
    # A day wider each side: the events are whole local days (_default_events).
    wide = (window[0] - _DAY, window[1] + _DAY)
    for shift in person_default_cover(session, person.id, *wide, now=now):
        hotline = shift.hotline
        with force_locale(hotline.language):
            pattern = _("On call %(hotline)s (default chain, %(position)s)")
            position = position_label(shift.position)
            summary = _named(pattern, "hotline", hotline.name, position=position)
            description = f"{_default_intro()}\n{_names_text(shift.names)}"
        uid = f"default-{hotline.id}-{{stamp}}-person-{person.id}@{domain}"
        for event in _default_events((shift.starts_at, shift.ends_at), hotline, window, now, uid):
            event.add("summary", summary)
            event.add("description", description)
            yield event


def hotline_calendar(session: Session, hotline: Hotline, *, now: datetime, domain: str) -> bytes:
    """Every slot of the hotline with its chain, and the hours only its default chain
    rings, as an iCalendar file."""
    start, end = feed_window(now)
    slots = _slots(session, select(Slot).where(Slot.hotline_id == hotline.id), start, end)
    zone = ZoneInfo(hotline.timezone)
    with force_locale(hotline.language):
        calendar = _calendar(_named(_("On call: %(name)s"), "name", hotline.name))
        for slot in slots:
            event = _event(slot.starts_at, slot.ends_at, zone, now, uid=f"slot-{slot.id}@{domain}")
            event.add("sequence", slot.version)
            event.add("summary", _chain_summary(slot))
            event.add("description", chain_text(slot))
            calendar.add_component(event)
        for event in _hotline_default_events(session, hotline, (start, end), now, domain):
            calendar.add_component(event)
    return _finish(calendar, start, end)


def _hotline_default_events(
    session: Session, hotline: Hotline, window: Span, now: datetime, domain: str
) -> Iterator[Event]:
    """The hours only the default chain rings, with its chain, in the current language."""
    wide = (window[0] - _DAY, window[1] + _DAY)
    # A gap (nobody rung) or time before the chain was recorded is not an event: the
    # feed says whom the phone rings; the calendar and gaps pages point out the holes.
    rung = [h for h in default_hours(session, hotline.id, *wide, now) if h.members]
    numbers = _mobiles(session, {pid for h in rung for pid, _name in h.members or ()})
    for hours in rung:
        members = hours.members or ()
        summary = _("Default chain: %(chain)s", chain=_names_summary([n for _p, n in members]))
        lines = [
            _place_line(i, _with_number(name, numbers.get(pid)))
            for i, (pid, name) in enumerate(members)
        ]
        uid = f"default-{hotline.id}-{{stamp}}@{domain}"
        for event in _default_events((hours.starts_at, hours.ends_at), hotline, window, now, uid):
            event.add("summary", summary)
            event.add("description", "\n".join([_default_intro(), *lines]))
            yield event


def _default_events(
    span: Span, hotline: Hotline, window: Span, now: datetime, uid: str
) -> list[Event]:
    """Events for hours only the default chain rings: one per local day they touch
    within the window's local days, each UID naming the hotline and the piece's start.

    A default span has no slot to name it, and is often cut only by the window's own
    edges, which move at every fetch. Cut at the hotline's local midnights (and the
    window widened to whole local days), each piece starts at an instant that stays put
    (a midnight, a slot's edge, a change of the chain or of a flag), so a calendar app
    updates the event on refresh rather than adding a second one. The place in the chain
    is left out of the UID: a changed chain updates the same hours' event.
    """
    zone = ZoneInfo(hotline.timezone)
    first = local_midnight(window[0].astimezone(zone).date(), zone)
    last = local_midnight(window[1].astimezone(zone).date() + _DAY, zone)
    start, end = max(span[0], first), min(span[1], last)
    events = []
    while start < end:
        midnight = local_midnight(start.astimezone(zone).date() + _DAY, zone)
        piece_end = min(midnight, end)
        events.append(_event(start, piece_end, zone, now, uid=uid.format(stamp=_stamp(start))))
        start = piece_end
    return events


def _default_intro() -> str:
    return _("No slot covers these hours: calls ring the default chain.")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _mobiles(session: Session, person_ids: set[int]) -> dict[int, str]:
    """Today's numbers of these people, to reach them; one statement."""
    if not person_ids:
        return {}
    rows = session.execute(select(Person.id, Person.mobile).where(Person.id.in_(person_ids)))
    return {pid: mobile for pid, mobile in rows}


def _with_number(name: str, mobile: str | None) -> str:
    # A person of a past chain may since have been removed: their name alone.
    return f"{name} {national_format(mobile)}" if mobile else name


def _named(pattern: str, key: str, name: str, **values: str) -> str:
    """Fill a translated `pattern` that names a hotline, without saying a word twice.

    Hotlines are often named after what they are ("Astreinte démo"): the words the
    pattern puts before the name are left out when the name starts with them, giving
    "Astreinte démo (titulaire)" rather than "Astreinte Astreinte démo (titulaire)".
    """
    placeholder = f"%({key})s"
    lead, _sep, rest = pattern.partition(placeholder)
    words = lead.strip(" :\u00a0")
    if words and name.casefold().startswith(words.casefold()):
        pattern = placeholder + rest
    return pattern % {key: name, **values}


def _chain_summary(slot: Slot) -> str:
    """Who is on call, then the backups: "Alice (backup Bob, Chloé)"."""
    summary = _names_summary([r.person.name for r in slot.responders])
    if slot.kind == OVERRIDE:
        summary = _("Override: %(chain)s", chain=summary)
    return summary


def _names_summary(names: Sequence[str]) -> str:
    """The first name, then the backups': "Alice (backup Bob, Chloé)"."""
    summary = names[0] if names else _("Nobody on call")
    if len(names) > 1:
        summary = _("%(primary)s (backup %(backups)s)", primary=summary,
                    backups=", ".join(names[1:]))  # fmt: skip
    return summary


def position_label(position: int) -> str:
    """A place in the chain within a phrase, in the current language: primary, backup 1..."""
    return _("primary") if position == 0 else _("backup %(n)d", n=position)


def position_heading(position: int) -> str:
    """A place in the chain that starts a line: Primary, Backup 1, Backup 2..."""
    return _("Primary") if position == 0 else _("Backup %(n)d", n=position)


def chain_text(slot: Slot) -> str:
    """The chain, one line per person, in ringing order, with their numbers."""
    return "\n".join(
        _place_line(r.position, f"{r.person.name} {national_format(r.person.mobile)}")
        for r in slot.responders
    )


def _names_text(names: Iterable[str]) -> str:
    return "\n".join(_place_line(i, name) for i, name in enumerate(names))


def _place_line(position: int, who: str) -> str:
    # French puts a space before the colon: the catalog spells it.
    return _("%(place)s: %(who)s", place=position_heading(position), who=who)


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
    # An X- property has no known type: without vDuration the timedelta is written
    # as str() ("1:00:00"), which no calendar app reads as a duration.
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    return calendar


def _event(start: datetime, end: datetime, zone: ZoneInfo, now: datetime, *, uid: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    # Local times with their TZID: the VTIMEZONE added in _finish says how they map to UTC.
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("transp", "OPAQUE")
    return event


def _finish(calendar: Calendar, start: datetime, end: datetime) -> bytes:
    # One VTIMEZONE per zone used, with the transitions of the feed's span only.
    calendar.add_missing_timezones(first_date=(start - FEED_PAST).date(),
                                   last_date=(end + FEED_AHEAD).date())  # fmt: skip
    return calendar.to_ical()
