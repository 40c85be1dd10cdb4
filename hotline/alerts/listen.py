"""Personal listen links: a voicemail played without signing in, by whom the alert told.

A missed-call alert with a message gives each recipient a link of their own,
/listen/<token>: the token names the call and the recipient as the alert
addressed them (a person, or a manager's web account), is signed with the
app's SECRET_KEY (a salt of its own, so no other signed value of the app passes
for one) and expires after LISTEN_LINK_DAYS. Nothing is stored: the signature
is the proof, and the recipient's active flag (for a manager's account, also
that it still manages the call's hotline) and the call's message are looked up
again each time the link is opened.

The token is short because the SMS carries it whole: "12p3.<time>.<signature>"
(call 12, person 3; "12u3" names user 3), with an HMAC-SHA256 cut to 96 bits.
Links sent before this format (a JSON [call, person] payload, full signature)
are still read until they expire.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts import config_check, recipients
from hotline.alerts.config_check import DEFAULT_LISTEN_LINK_DAYS
from hotline.alerts.recipients import Recipient
from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.voice.models import Call, Voicemail
from hotline.voice.voicemails import is_message

SALT = "hotline.alerts.listen-link/2"
# The links of the first format, read until LISTEN_LINK_DAYS has passed over them all.
LEGACY_SALT = "hotline.alerts.listen-link"
# 96 bits of HMAC: forging one means guessing them online, one request at a time.
SIGNATURE_BYTES = 12
PAYLOAD = re.compile(r"([1-9][0-9]{0,17})([pu])([1-9][0-9]{0,17})")
KINDS = {"p": "person", "u": "user"}  # the letter in the token -> the recipient key's kind
LETTERS = {kind: letter for letter, kind in KINDS.items()}


class LinkRefused(Exception):
    """The link plays nothing: the page says why, in general terms."""


class LinkInvalid(LinkRefused):
    """Not a link the app signed: forged, altered, cut short, or signed with another key."""


class LinkExpired(LinkRefused):
    """A link the app signed, older than LISTEN_LINK_DAYS."""


class ListenerGone(LinkRefused):
    """The person or account the link was given to is deleted or no longer active, or the
    manager's account no longer manages the call's hotline."""


class NoMessage(LinkRefused):
    """The call is gone, or has no message Twilio kept."""


@dataclass(frozen=True)
class Message:
    """What a listen link plays, and for whom."""

    call: Call
    hotline: Hotline
    voicemail: Voicemail
    listener_name: str
    listener_language: str
    expires_at: datetime


class _TruncatedHMAC(HMACAlgorithm):
    """HMAC-SHA256 cut to SIGNATURE_BYTES: 16 characters in the link instead of 43."""

    def __init__(self) -> None:
        super().__init__(hashlib.sha256)

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return super().get_signature(key, value)[:SIGNATURE_BYTES]


def _max_age(config: Mapping[str, Any]) -> timedelta:
    # A bad setting must not break the alerts: config_check reports it.
    return timedelta(days=config_check.listen_link_days(config) or DEFAULT_LISTEN_LINK_DAYS)


def _signer(config: Mapping[str, Any]) -> TimestampSigner:
    return TimestampSigner(
        config["SECRET_KEY"],
        salt=SALT,
        digest_method=hashlib.sha256,
        algorithm=_TruncatedHMAC(),
    )


def _legacy_serializer(config: Mapping[str, Any]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=LEGACY_SALT)


def can_sign(config: Mapping[str, Any]) -> bool:
    """Whether links can be made: they need the app's SECRET_KEY."""
    return bool(config.get("SECRET_KEY"))


def listen_token(config: Mapping[str, Any], call_id: int, recipient_key: str) -> str:
    """The token of the link of `recipient_key` ("person:3", "user:5") to call `call_id`'s
    message, dated now."""
    kind, _, number = recipient_key.partition(":")
    return _signer(config).sign(f"{call_id}{LETTERS[kind]}{int(number)}").decode()


def read_token(config: Mapping[str, Any], token: str) -> tuple[int, str, datetime]:
    """The call id, recipient key and expiry a token names; raise LinkRefused if not valid."""
    if not can_sign(config):
        raise LinkInvalid("no SECRET_KEY to check listen links with")
    # The age is checked below, not by itsdangerous, which refuses a link dated
    # ahead of this node's clock: the worker that signed it may run a little ahead.
    try:
        value, signed_at = _signer(config).unsign(token, return_timestamp=True)
        call_id, recipient_key = _compact_payload(value.decode("ascii", "replace"))
    except BadData:
        call_id, recipient_key, signed_at = _read_legacy_token(config, token)
    expires_at = signed_at.astimezone(UTC) + _max_age(config)
    if utcnow() >= expires_at:
        raise LinkExpired("listen link expired")
    return call_id, recipient_key, expires_at


def _compact_payload(value: str) -> tuple[int, str]:
    found = PAYLOAD.fullmatch(value)
    if found is None:
        raise LinkInvalid("listen link names no call and recipient")
    call, letter, number = found.groups()
    return int(call), f"{KINDS[letter]}:{int(number)}"


def _read_legacy_token(config: Mapping[str, Any], token: str) -> tuple[int, str, datetime]:
    """A link of the first format: it named the call and a person."""
    try:
        payload, signed_at = _legacy_serializer(config).loads(token, return_timestamp=True)
    except BadData as exc:
        raise LinkInvalid("listen link not signed by this app") from exc
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise LinkInvalid("listen link names no call and person")
    return payload[0], f"person:{payload[1]}", signed_at


def message_for(session: Session, config: Mapping[str, Any], token: str) -> Message:
    """What `token`'s link plays; raise LinkRefused when it plays nothing."""
    call_id, recipient_key, expires_at = read_token(config, token)
    call = session.get(Call, call_id)
    hotline = session.get(Hotline, call.hotline_id) if call and call.hotline_id else None
    name, language = _listener(session, recipient_key, hotline)
    voicemail = (
        session.scalar(select(Voicemail).where(Voicemail.call_id == call_id)) if call else None
    )
    if call is None or hotline is None or voicemail is None or not is_message(voicemail):
        raise NoMessage(f"call {call_id} has no message")
    return Message(call, hotline, voicemail, name, language, expires_at)


def _listener(session: Session, recipient_key: str, hotline: Hotline | None) -> tuple[str, str]:
    """The name and language of whom the link was given to; ListenerGone if not active."""
    kind, _, number = recipient_key.partition(":")
    if kind == "person":
        person = session.get(Person, int(number))
        if person is None or not person.active:
            raise ListenerGone(f"person {number} is not active")
        return person.name, person.language
    user = recipients.listening_manager(
        session, int(number), hotline.id if hotline is not None else None
    )
    if user is None:
        raise ListenerGone(f"user {number} is not active or no longer manages the hotline")
    name, language = user
    return name, language or (hotline.language if hotline is not None else "fr")


Links = Callable[[Recipient], dict[str, str | None]]


def reader_links(
    session: Session,
    call_id: int,
    readers: Iterable[Recipient],
    call_page_url: str | None,
    listen_url: Callable[[int, str], str | None],
) -> Links:
    """Each reader's links to a call's message: their own listen link while they are active
    (the person, or the manager's account), and the call's page when they sign in to the
    app (or have no other)."""
    readers = list(readers)
    listeners = recipients.active_keys(session, [r.key for r in readers])
    ids = [r.person_id for r in readers if r.person_id is not None]
    with_account = recipients.web_account_holders(session, ids)

    def links(reader: Recipient) -> dict[str, str | None]:
        own = listen_url(call_id, reader.key) if reader.key in listeners else None
        # A reader told as a web user (a manager) signs in.
        signs_in = not reader.key.startswith("person:") or reader.person_id in with_account
        return {"listen_url": own, "call_url": call_page_url if signs_in or not own else None}

    return links
