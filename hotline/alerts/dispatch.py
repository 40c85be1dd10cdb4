"""Turn one recorded event into its notifications: one per recipient and channel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.alerts import listen, messages, preferences, recipients
from hotline.alerts.errors import Reason
from hotline.alerts.models import AlertEvent, AlertKind, Channel, Notification, ShiftTake, Status
from hotline.alerts.recipients import Recipient
from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.phone import is_withheld
from hotline.voice.models import Call, Voicemail
from hotline.voice.voicemails import is_message as voicemail_is_message

log = logging.getLogger("hotline.alerts")

SMS_AND_EMAIL = (Channel.SMS, Channel.EMAIL)
Context = Callable[[str], dict[str, Any]]  # language -> template variables


@dataclass(frozen=True)
class Plan:
    """Who gets which channels, and the message's variables in a given language."""

    deliveries: list[tuple[Recipient, tuple[Channel, ...]]]
    context: Context
    # By (recipient key, channel): the notification each new one must not overtake.
    follows: dict[tuple[str, Channel], int] = field(default_factory=dict)
    # What one reader alone gets (their own listen link), added to the context.
    links: listen.Links = lambda _reader: {}


@dataclass(frozen=True)
class Settings:
    """What dispatching needs from the configuration."""

    reminder_minutes: int
    confirm_minutes: int
    take_by_call: bool
    # The call's page in the app as an absolute URL; None without a public base URL.
    call_page_url: Callable[[int], str | None]
    # A recipient's own link to a call's message (call id, recipient key); None likewise.
    listen_url: Callable[[int, str], str | None] = lambda _call, _recipient: None


def dispatch_event(
    session: Session, event_id: int, env: Environment, settings: Settings
) -> list[int]:
    """Create the event's notifications once; return the ids of those to send."""
    now = utcnow()
    claimed = session.execute(
        update(AlertEvent)
        .where(AlertEvent.id == event_id, AlertEvent.dispatched_at.is_(None))
        .values(dispatched_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return []  # already dispatched (a duplicate task) or gone
    event = session.get(AlertEvent, event_id)
    assert event is not None  # noqa: S101 - the update above just matched it
    kind = AlertKind(event.kind)
    if not preferences.hotline_enabled(session, event.hotline_id, kind):
        log.info(
            "alert %s not sent: %s is switched off for hotline %s",
            event.key,
            kind,
            event.hotline_id,
        )
        return []
    try:
        plan = PLANNERS[kind](session, event, settings)
    except LookupError as exc:
        # Its call or shift was deleted meanwhile: nothing left to tell about.
        log.error("alert %s dropped: %s", event.key, exc)
        return []
    created = [
        _notification(session, event, kind, recipient, channel, plan, env)
        for recipient, channels in plan.deliveries
        for channel in channels
        if preferences.person_enabled(session, recipient.person_id, kind, channel)
    ]
    session.add_all(created)
    session.flush()
    return [n.id for n in created if n.status == Status.PENDING]


def _notification(
    session: Session,
    event: AlertEvent,
    kind: AlertKind,
    recipient: Recipient,
    channel: Channel,
    plan: Plan,
    env: Environment,
) -> Notification:
    # Who reads it: their name, and their person (a message about them says "you").
    reader = {
        "name": recipient.name,
        "recipient_person_id": recipient.person_id,
        **plan.links(recipient),
    }
    message = messages.render(
        env, kind, recipient.language, {**reader, **plan.context(recipient.language)}
    )
    address = recipient.email if channel == Channel.EMAIL else recipient.mobile
    notification = Notification(
        event_id=event.id,
        recipient=recipient.key,
        recipient_name=recipient.name,
        person_id=recipient.person_id,
        channel=channel,
        address=address or "",
        language=messages.language_of(recipient.language),
        subject=message.subject if channel == Channel.EMAIL else None,
        body={Channel.SMS: message.sms, Channel.EMAIL: message.email, Channel.VOICE: message.voice}[
            channel
        ],
        status=Status.PENDING,
        follows_id=plan.follows.get((recipient.key, channel)),
    )
    if not address:
        notification.status = Status.SKIPPED
        notification.last_error = (
            Reason.NO_EMAIL_ADDRESS if channel == Channel.EMAIL else Reason.NO_MOBILE_NUMBER
        )
    return notification


def _hotline(session: Session, event: AlertEvent) -> Hotline:
    hotline = session.get(Hotline, event.hotline_id) if event.hotline_id is not None else None
    if hotline is None:
        raise LookupError(f"alert {event.key} has no hotline")
    return hotline


def _hotline_context(hotline: Hotline) -> dict[str, Any]:
    return {
        "hotline_name": hotline.name,
        "hotline_number": messages.readable_number(hotline.number, hotline.number),
    }


def _when(hotline: Hotline, moment: datetime) -> Callable[[str], str]:
    return lambda language: messages.local_datetime(moment, hotline.timezone, language)


def _call_context(
    base: dict[str, Any], call: Call, hotline: Hotline
) -> Callable[[str], dict[str, Any]]:
    """A call alert's context in a language: `base`, who called and when, in local time."""

    def context(language: str) -> dict[str, Any]:
        caller = messages.caller_label(call.from_number, hotline.number, language)
        return {
            **base,
            "caller": caller,
            # French says "du 06 12..." but "d'un numéro masqué".
            "caller_withheld": is_withheld(call.from_number),
            "when": _when(hotline, call.started_at)(language),
        }

    return context


def _call(event: AlertEvent) -> Call:
    if event.call is None:
        raise LookupError(f"alert {event.key} has no call")
    return event.call


def _voicemail(session: Session, call: Call) -> Voicemail | None:
    return session.scalar(select(Voicemail).where(Voicemail.call_id == call.id))


def plan_missed_call(session: Session, event: AlertEvent, settings: Settings) -> Plan:
    call, hotline = _call(event), _hotline(session, event)
    voicemail = _voicemail(session, call)
    # Only a message Twilio confirmed it kept: the relay held this alert until
    # Twilio settled the recording, or for ALERT_RECORDING_WAIT at most.
    has_message = voicemail_is_message(voicemail)
    # Kept with the event: a message confirmed after a "no message" alert is
    # then told by a late_voicemail alert (hotline.alerts.outbox.message_confirmed).
    event.payload = {**event.payload, "has_message": has_message}
    chain = recipients.call_chain(session, call)
    base = {
        **_hotline_context(hotline),
        "has_message": has_message,
        "duration": voicemail.duration if voicemail and has_message else None,
        "chain_names": ", ".join(r.name for r in chain),
    }
    everyone = recipients.merge(chain, recipients.managers(session, hotline.id))
    deliveries = [(r, SMS_AND_EMAIL) for r in everyone]
    links = _links(session, call, [r for r, _ in deliveries], settings, has_message)
    return Plan(deliveries, _call_context(base, call, hotline), links=links)


def plan_late_voicemail(session: Session, event: AlertEvent, settings: Settings) -> Plan:
    """The message left after all: to those the missed-call alert was addressed to."""
    call, hotline = _call(event), _hotline(session, event)
    voicemail = _voicemail(session, call)
    if not voicemail_is_message(voicemail):
        raise LookupError(f"alert {event.key}: call {call.call_sid} has no message")
    assert voicemail is not None  # noqa: S101 - voicemail_is_message says so
    missed_id = event.payload.get("missed_call_event_id")
    missed = session.get(AlertEvent, missed_id) if missed_id is not None else None
    if missed is None:
        raise LookupError(f"alert {event.key} has no missed-call alert to follow")
    base = {**_hotline_context(hotline), "duration": voicemail.duration}
    # Each one goes out after the alert's to the same recipient on the same channel.
    follows = {
        (n.recipient, Channel(n.channel)): n.id
        for n in missed.notifications
        if n.status != Status.SKIPPED
    }
    told = _told(missed)
    links = _links(session, call, [r for r, _ in told], settings, True)
    return Plan(told, _call_context(base, call, hotline), follows, links)


def _links(
    session: Session,
    call: Call,
    readers: list[Recipient],
    settings: Settings,
    has_message: bool,
) -> listen.Links:
    """The links of a call alert: the call's page, and each reader's own to the message."""
    # Never Twilio's recording URL: it either needs the account's password or is
    # open to anyone. The app plays the message on the call's page, to those
    # allowed, and by each person's own listen link (hotline.alerts.listen).
    call_url = settings.call_page_url(call.id)
    if not has_message:
        return lambda _reader: {"call_url": call_url}
    return listen.reader_links(session, call.id, readers, call_url, settings.listen_url)


def _told(event: AlertEvent) -> list[tuple[Recipient, tuple[Channel, ...]]]:
    """Who the event's notifications were addressed to, on which channels (skipped aside)."""
    by_recipient: dict[str, list[Notification]] = {}
    for notification in event.notifications:
        if notification.status != Status.SKIPPED:
            by_recipient.setdefault(notification.recipient, []).append(notification)
    told = []
    for key, sent in by_recipient.items():
        address = {n.channel: n.address for n in sent}
        recipient = Recipient(
            key=key,
            name=sent[0].recipient_name,
            language=sent[0].language,
            person_id=sent[0].person_id,
            mobile=address.get(Channel.SMS),
            email=address.get(Channel.EMAIL),
        )
        told.append((recipient, tuple(Channel(n.channel) for n in sent)))
    return told


def plan_call_received(session: Session, event: AlertEvent, _settings: Settings) -> Plan:
    call, hotline = _call(event), _hotline(session, event)
    chain = recipients.call_chain(session, call)
    context = _call_context(_hotline_context(hotline), call, hotline)
    return Plan([(r, (Channel.SMS,)) for r in chain], context)


def plan_leg_failed(session: Session, event: AlertEvent, _settings: Settings) -> Plan:
    call, hotline = _call(event), _hotline(session, event)
    person = session.get(Person, event.person_id) if event.person_id is not None else None
    number = str(event.payload.get("number", ""))
    when = _when(hotline, call.started_at)
    base = {
        **_hotline_context(hotline),
        "target_name": person.name if person is not None else number,
        # The person whose number failed is told about their own number ("your number").
        "target_person_id": person.id if person is not None else None,
        "number": messages.readable_number(number, hotline.number),
    }
    # Texting the number that just failed is pointless: the person hears by e-mail.
    deliveries = [(r, (Channel.EMAIL,)) for r in recipients.people(session, [event.person_id])]
    deliveries += [(r, SMS_AND_EMAIL) for r in recipients.managers(session, hotline.id)]
    return Plan(_unique(deliveries), lambda lang: {**base, "when": when(lang)})


def _take(session: Session, event: AlertEvent) -> ShiftTake:
    take = session.get(ShiftTake, event.shift_take_id) if event.shift_take_id else None
    if take is None:
        raise LookupError(f"alert {event.key} has no shift")
    return take


def _shift_context(
    session: Session,
    hotline: Hotline,
    slot_id: int,
    incoming_id: int | None,
    outgoing_id: int | None,
) -> Context:
    from hotline.planning.models import Slot

    slot = session.get(Slot, slot_id)
    if slot is None:
        raise LookupError(f"slot {slot_id} is gone")
    outgoing = session.get(Person, outgoing_id) if outgoing_id else None
    incoming = session.get(Person, incoming_id) if incoming_id else None
    base = {
        **_hotline_context(hotline),
        "starts_time": messages.local_time(slot.starts_at, hotline.timezone),
        "outgoing_name": outgoing.name if outgoing is not None else None,
        "incoming_name": incoming.name if incoming is not None else "?",
    }

    def context(language: str) -> dict[str, Any]:
        return {
            **base,
            "starts": messages.local_datetime(slot.starts_at, hotline.timezone, language),
            "ends": messages.local_datetime(slot.ends_at, hotline.timezone, language),
        }

    return context


def _take_context(session: Session, hotline: Hotline, take: ShiftTake) -> Context:
    return _shift_context(session, hotline, take.slot_id, take.person_id, take.outgoing_person_id)


def plan_shift_reminder(session: Session, event: AlertEvent, settings: Settings) -> Plan:
    hotline = _hotline(session, event)
    slot_id = int(event.payload["slot_id"])
    shift = _shift_context(session, hotline, slot_id, event.person_id, None)
    people = recipients.people(session, [event.person_id])
    minutes = event.payload.get("minutes", settings.reminder_minutes)
    # A reminder carries its take only where the hotline asks for a confirmation.
    asks = event.shift_take_id is not None
    return Plan(
        [(r, SMS_AND_EMAIL) for r in people],
        lambda lang: {**shift(lang), "minutes": minutes, "asks_confirmation": asks},
    )


def plan_shift_take(session: Session, event: AlertEvent, settings: Settings) -> Plan:
    hotline, take = _hotline(session, event), _take(session, event)
    channels = (Channel.SMS, Channel.VOICE) if settings.take_by_call else (Channel.SMS,)
    people = recipients.people(session, [take.person_id])
    return Plan([(r, channels) for r in people], _take_context(session, hotline, take))


def plan_shift_unconfirmed(session: Session, event: AlertEvent, settings: Settings) -> Plan:
    hotline, take = _hotline(session, event), _take(session, event)
    shift = _take_context(session, hotline, take)
    deliveries = [(r, SMS_AND_EMAIL) for r in recipients.managers(session, hotline.id)]
    # The outgoing agent learns they are still first backup.
    deliveries += [
        (r, (Channel.SMS,)) for r in recipients.people(session, [take.outgoing_person_id])
    ]
    minutes = settings.confirm_minutes
    return Plan(_unique(deliveries), lambda lang: {**shift(lang), "minutes": minutes})


def plan_coverage_gap(session: Session, event: AlertEvent, _settings: Settings) -> Plan:
    hotline = _hotline(session, event)
    gaps = [
        (datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in event.payload["gaps"]
    ]
    base = {
        **_hotline_context(hotline),
        "days": event.payload["days"],
        # Set by earlier versions, which also raised the hours the default chain takes.
        "has_default_chain": event.payload.get("has_default_chain", False),
        # A gap rings nobody on call, but the fallback number still takes the call.
        "fallback_number": hotline.fallback_number
        and messages.readable_number(hotline.fallback_number, hotline.number),
    }

    def context(language: str) -> dict[str, Any]:
        shown = [
            {
                "start": messages.local_datetime(start, hotline.timezone, language),
                "end": messages.local_datetime(end, hotline.timezone, language),
            }
            for start, end in gaps
        ]
        return {**base, "gaps": shown}

    if not gaps:
        return Plan([], context)
    managers = recipients.managers(session, hotline.id)
    return Plan([(r, SMS_AND_EMAIL) for r in managers], context)


def plan_test(session: Session, event: AlertEvent, _settings: Settings) -> Plan:
    recipient = test_recipient(session, event)
    when = event.created_at

    def context(language: str) -> dict[str, Any]:
        return {
            "when": messages.local_datetime(
                when, event.payload.get("timezone", "Europe/Paris"), language
            )
        }

    return Plan([(recipient, SMS_AND_EMAIL)], context)


def test_recipient(session: Session, event: AlertEvent) -> Recipient:
    """The person (or web user without a person) who asked for a test alert."""
    if event.person_id is not None:
        person = session.get(Person, event.person_id)
        if person is not None:
            return recipients.of_person(person)
    payload = event.payload
    return Recipient(
        key=f"user:{payload['user_id']}",
        name=payload.get("name", "?"),
        language=payload.get("language", "fr"),
        person_id=None,
        mobile=None,
        email=payload.get("email"),
    )


def _unique(
    deliveries: list[tuple[Recipient, tuple[Channel, ...]]],
) -> list[tuple[Recipient, tuple[Channel, ...]]]:
    # A manager who is also the failed leg's person gets each channel once.
    merged: dict[str, tuple[Recipient, tuple[Channel, ...]]] = {}
    for recipient, channels in deliveries:
        known = merged.get(recipient.key, (recipient, ()))[1]
        merged[recipient.key] = (recipient, tuple(dict.fromkeys(known + channels)))
    return list(merged.values())


PLANNERS: dict[AlertKind, Callable[[Session, AlertEvent, Settings], Plan]] = {
    AlertKind.MISSED_CALL: plan_missed_call,
    AlertKind.LATE_VOICEMAIL: plan_late_voicemail,
    AlertKind.CALL_RECEIVED: plan_call_received,
    AlertKind.LEG_FAILED: plan_leg_failed,
    AlertKind.SHIFT_REMINDER: plan_shift_reminder,
    AlertKind.SHIFT_TAKE: plan_shift_take,
    AlertKind.SHIFT_UNCONFIRMED: plan_shift_unconfirmed,
    AlertKind.COVERAGE_GAP: plan_coverage_gap,
    AlertKind.TEST: plan_test,
}
