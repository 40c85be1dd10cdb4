"""Personal listen links: a voicemail played without signing in, by whom the alert told.

A missed-call alert with a message gives each person it tells a link of their
own, /listen/<token>: the token names the call and the person, is signed with
the app's SECRET_KEY (a salt of its own, so no other signed value of the app
passes for one) and expires after LISTEN_LINK_DAYS. Nothing is stored: the
signature is the proof, and the person's active flag and the call's message are
looked up again each time the link is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts import config_check, recipients
from hotline.alerts.config_check import DEFAULT_LISTEN_LINK_DAYS
from hotline.alerts.recipients import Recipient
from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.voice.models import Call, Voicemail
from hotline.voice.voicemails import is_message

SALT = "hotline.alerts.listen-link"


class LinkRefused(Exception):
    """The link plays nothing: the page says why, in general terms."""


class LinkInvalid(LinkRefused):
    """Not a link the app signed: forged, altered, cut short, or signed with another key."""


class LinkExpired(LinkRefused):
    """A link the app signed, older than LISTEN_LINK_DAYS."""


class ListenerGone(LinkRefused):
    """The person the link was given to is deleted or no longer active."""


class NoMessage(LinkRefused):
    """The call is gone, or has no message Twilio kept."""


@dataclass(frozen=True)
class Message:
    """What a listen link plays, and for whom."""

    call: Call
    hotline: Hotline
    voicemail: Voicemail
    person: Person
    expires_at: datetime


def _max_age(config: Mapping[str, Any]) -> timedelta:
    # A bad setting must not break the alerts: config_check reports it.
    return timedelta(days=config_check.listen_link_days(config) or DEFAULT_LISTEN_LINK_DAYS)


def _serializer(config: Mapping[str, Any]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=SALT)


def can_sign(config: Mapping[str, Any]) -> bool:
    """Whether links can be made: they need the app's SECRET_KEY."""
    return bool(config.get("SECRET_KEY"))


def listen_token(config: Mapping[str, Any], call_id: int, person_id: int) -> str:
    """The token of `person_id`'s link to the message of call `call_id`, dated now."""
    # A list, not a mapping: the shortest JSON, and the SMS carries the whole link.
    return _serializer(config).dumps([call_id, person_id])


def read_token(config: Mapping[str, Any], token: str) -> tuple[int, int, datetime]:
    """The call id, person id and expiry a token names; raise LinkRefused if it is not valid."""
    if not can_sign(config):
        raise LinkInvalid("no SECRET_KEY to check listen links with")
    try:
        # The age is checked below, not by itsdangerous, which refuses a link dated
        # ahead of this node's clock: the worker that signed it may run a little ahead.
        payload, signed_at = _serializer(config).loads(token, return_timestamp=True)
    except BadData as exc:
        raise LinkInvalid("listen link not signed by this app") from exc
    expires_at = signed_at.astimezone(UTC) + _max_age(config)
    if utcnow() >= expires_at:
        raise LinkExpired("listen link expired")
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise LinkInvalid("listen link names no call and person")
    return payload[0], payload[1], expires_at


def message_for(session: Session, config: Mapping[str, Any], token: str) -> Message:
    """What `token`'s link plays; raise LinkRefused when it plays nothing."""
    call_id, person_id, expires_at = read_token(config, token)
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise ListenerGone(f"person {person_id} is not active")
    call = session.get(Call, call_id)
    voicemail = (
        session.scalar(select(Voicemail).where(Voicemail.call_id == call_id)) if call else None
    )
    hotline = session.get(Hotline, call.hotline_id) if call and call.hotline_id else None
    if call is None or hotline is None or voicemail is None or not is_message(voicemail):
        raise NoMessage(f"call {call_id} has no message")
    return Message(call, hotline, voicemail, person, expires_at)


Links = Callable[[Recipient], dict[str, str | None]]


def reader_links(
    session: Session,
    call_id: int,
    readers: Iterable[Recipient],
    call_page_url: str | None,
    listen_url: Callable[[int, int], str | None],
) -> Links:
    """Each reader's links to a call's message: their own listen link when they are an
    active person, and the call's page when they sign in to the app (or have no other)."""
    ids = [r.person_id for r in readers if r.person_id is not None]
    listeners = recipients.active_person_ids(session, ids)
    with_account = recipients.web_account_holders(session, ids)

    def links(reader: Recipient) -> dict[str, str | None]:
        person_id = reader.person_id
        own = listen_url(call_id, person_id) if person_id in listeners else None
        # A reader without a person is a web user (a manager): they sign in.
        signs_in = person_id is None or person_id in with_account
        return {"listen_url": own, "call_url": call_page_url if signs_in or not own else None}

    return links
