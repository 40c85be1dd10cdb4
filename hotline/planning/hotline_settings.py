"""A hotline's settings and default chain: checked as a whole, written all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.models import LANGUAGES, Hotline, Person
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.planning import audit
from hotline.planning.errors import PlanningError
from hotline.planning.models import DefaultResponder
from hotline.planning.transfer import RING_TIMEOUT
from hotline.planning.validation import known_zone


class HotlineSettingsError(PlanningError):
    """Settings that cannot be saved; the message says why, `field` where."""


@dataclass(frozen=True)
class HotlineSettings:
    """What an admin sets on a hotline, as typed (numbers in any usual form)."""

    number: str
    name: str
    timezone: str
    language: str
    ring_timeout: int
    screening: bool
    fallback_number: str | None
    greeting: str | None
    default_chain: Sequence[int]


def list_hotlines(session: Session, ids: set[int] | None = None) -> list[Hotline]:
    """The hotlines (all, or those whose id is in `ids`), by name."""
    query = select(Hotline).order_by(Hotline.name, Hotline.id)
    if ids is not None:
        query = query.where(Hotline.id.in_(ids))
    return list(session.scalars(query))


def default_chain_ids(session: Session, hotline_id: int) -> list[int]:
    """The people of the hotline's default chain, primary first."""
    return list(
        session.scalars(
            select(DefaultResponder.person_id)
            .where(DefaultResponder.hotline_id == hotline_id)
            .order_by(DefaultResponder.position)
        )
    )


def create_hotline(session: Session, settings: HotlineSettings, *, user_id: int | None) -> Hotline:
    """Add a hotline; raise HotlineSettingsError (nothing written) when a setting is wrong."""
    hotline = Hotline()
    _apply(session, hotline, settings, audit.CREATE, user_id)
    return hotline


def update_hotline(
    session: Session, hotline: Hotline, settings: HotlineSettings, *, user_id: int | None
) -> Hotline:
    """Change a hotline's settings and default chain, all or nothing; a new default chain
    goes into the audit log, before and after."""
    _apply(session, hotline, settings, audit.UPDATE, user_id)
    return hotline


def _apply(
    session: Session, hotline: Hotline, settings: HotlineSettings, action: str, user_id: int | None
) -> None:
    values = _checked(session, hotline, settings)
    chain = _checked_chain(session, settings.default_chain)
    before = default_chain_ids(session, hotline.id) if hotline.id is not None else []
    for name, value in values.items():
        setattr(hotline, name, value)
    session.add(hotline)
    session.flush()
    session.execute(delete(DefaultResponder).where(DefaultResponder.hotline_id == hotline.id))
    session.add_all(
        DefaultResponder(hotline_id=hotline.id, position=i, person_id=pid)
        for i, pid in enumerate(chain)
    )
    audit.record_default_chain_change(
        session, hotline.id, action=action, before=before, after=chain, user_id=user_id
    )
    session.flush()


def _checked(session: Session, hotline: Hotline, s: HotlineSettings) -> dict[str, object]:
    number = _phone(s.number, "number")
    taken = session.scalar(select(Hotline.id).where(Hotline.number == number))
    if taken is not None and taken != hotline.id:
        raise HotlineSettingsError(_l("Another hotline already has this number."), "number")
    name = s.name.strip()
    if not name or len(name) > 120:
        raise HotlineSettingsError(_l("Give a name of at most 120 characters."), "name")
    try:
        known_zone(s.timezone)
    except PlanningError as error:
        raise HotlineSettingsError(error.args[0], "timezone") from None
    if s.language not in LANGUAGES:
        raise HotlineSettingsError(_l("Choose French or English."), "language")
    low, high = RING_TIMEOUT
    if not low <= s.ring_timeout <= high:
        raise HotlineSettingsError(
            _l("Choose between %(min)s and %(max)s seconds.", min=low, max=high), "ring_timeout"
        )
    greeting = (s.greeting or "").strip() or None
    if greeting is not None and len(greeting) > 500:
        raise HotlineSettingsError(_l("The greeting is too long."), "greeting")
    fallback = _phone(s.fallback_number, "fallback_number") if s.fallback_number else None
    if fallback == number:
        raise HotlineSettingsError(
            _l("The fallback cannot be the hotline's own number: the call would ring it again."),
            "fallback_number",
        )
    return {
        "number": number,
        "name": name,
        "timezone": s.timezone,
        "language": s.language,
        "ring_timeout": s.ring_timeout,
        "screening": s.screening,
        "fallback_number": fallback,
        "greeting": greeting,
    }


def _phone(raw: str, field: str) -> str:
    try:
        return to_e164(raw)
    except InvalidPhoneNumber:
        raise HotlineSettingsError(_l("This is not a valid phone number."), field) from None


def _checked_chain(session: Session, person_ids: Sequence[int]) -> list[int]:
    chain = list(person_ids)
    if len(set(chain)) != len(chain):
        raise HotlineSettingsError(_l("A person appears twice in the chain."), "default_chain")
    known = set(session.scalars(select(Person.id).where(Person.id.in_(chain)))) if chain else set()
    if set(chain) - known:
        raise HotlineSettingsError(_l("The chain names an unknown person."), "default_chain")
    return chain
