"""People who can be rung: create and edit them, all or nothing, with clear field errors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, CompoundSelect, Select, func, or_, select, true, union
from sqlalchemy.orm import Session

from hotline.models import LANGUAGES, Hotline, Person
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.planning.errors import PlanningError
from hotline.planning.models import (
    DefaultResponder,
    Rotation,
    RotationBackup,
    RotationMember,
    Slot,
    SlotResponder,
)
from hotline.planning.transfer import REF_PATTERN

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 120
MAX_REF = 40


class PersonError(PlanningError):
    """A person change that cannot be made; the message says why, `field` where."""


def list_people(session: Session) -> list[Person]:
    """Every person, active ones first, by name."""
    return list(session.scalars(select(Person).order_by(Person.active.desc(), Person.name)))


def people_within(
    session: Session, hotline_ids: Collection[int] | None, *, now: datetime
) -> list[Person]:
    """The people on call for one of these hotlines or for none yet (None: everyone)."""
    query = select(Person).where(within_hotlines(hotline_ids, now=now))
    return list(session.scalars(query.order_by(Person.active.desc(), Person.name)))


def within_hotlines(hotline_ids: Collection[int] | None, *, now: datetime) -> ColumnElement[bool]:
    """A condition on Person: on call for one of these hotlines, or for none yet (None: true)."""
    if hotline_ids is None:
        return true()
    places = _places(now).subquery()
    return or_(in_teams(list(hotline_ids), now=now), Person.id.not_in(select(places.c.person_id)))


def in_teams(
    hotline_ids: Collection[int] | Select[tuple[int]], *, now: datetime
) -> ColumnElement[bool]:
    """A condition on Person: in the team of one of these hotlines (ids, or a select of ids)."""
    places = _places(now).subquery()
    return Person.id.in_(select(places.c.person_id).where(places.c.hotline_id.in_(hotline_ids)))


def served_by(person_id: int, *, now: datetime) -> Select[tuple[int]]:
    """The ids of the hotlines whose team the person is in, as a select (see _places)."""
    places = _places(now).subquery()
    return select(places.c.hotline_id).where(places.c.person_id == person_id)


def person_hotlines(session: Session, person_id: int, *, now: datetime) -> list[Hotline]:
    """The hotlines the person is on call for, by name (see _places)."""
    ids = served_by(person_id, now=now)
    return list(session.scalars(select(Hotline).where(Hotline.id.in_(ids)).order_by(Hotline.name)))


def _places(now: datetime) -> CompoundSelect:
    """(person_id, hotline_id) for each hotline a person is on call for.

    A person belongs to a hotline's team while they are in its default chain, in one
    of its rotations (member or backup), or in a slot of it not over yet (a shift by
    hand, an override that borrows them). Past slots do not count: someone who left
    a team is not kept in it by the history.
    """
    return union(
        select(DefaultResponder.person_id, DefaultResponder.hotline_id),
        select(RotationMember.person_id, Rotation.hotline_id).join(
            Rotation, Rotation.id == RotationMember.rotation_id
        ),
        select(RotationBackup.person_id, Rotation.hotline_id).join(
            Rotation, Rotation.id == RotationBackup.rotation_id
        ),
        select(SlotResponder.person_id, Slot.hotline_id)
        .join(Slot, Slot.id == SlotResponder.slot_id)
        .where(Slot.ends_at > now),
    )


def create_person(
    session: Session,
    *,
    name: str,
    mobile: str,
    email: str | None = None,
    language: str = "fr",
    active: bool = True,
    ref: str | None = None,
) -> Person:
    """Add a person; the mobile is stored E.164, the ref made from the name when not given."""
    person = Person()
    _set_fields(person, name=name, mobile=mobile, email=email, language=language, active=active)
    person.ref = _checked_ref(session, ref) if ref and ref.strip() else _free_ref(session, name)
    session.add(person)
    session.flush()
    return person


def update_person(
    session: Session,
    person: Person,
    *,
    name: str,
    mobile: str,
    email: str | None,
    language: str,
    active: bool,
) -> Person:
    """Change a person's details; raise PersonError (nothing changed) when one is wrong."""
    _set_fields(person, name=name, mobile=mobile, email=email, language=language, active=active)
    session.flush()
    return person


def _set_fields(
    person: Person, *, name: str, mobile: str, email: str | None, language: str, active: bool
) -> None:
    # Everything is checked before anything is assigned: a refused change leaves no trace.
    name = name.strip()
    if not name:
        raise PersonError(_l("Give a name."), "name")
    if len(name) > MAX_NAME:
        raise PersonError(_l("The name is too long."), "name")
    try:
        e164 = to_e164(mobile)
    except InvalidPhoneNumber:
        raise PersonError(_l("This is not a valid phone number."), "mobile") from None
    email = (email or "").strip().lower() or None
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise PersonError(_l("This is not an e-mail address."), "email")
    if language not in LANGUAGES:
        raise PersonError(_l("Choose French or English."), "language")
    person.name, person.mobile, person.email = name, e164, email
    person.language, person.active = language, active


def _checked_ref(session: Session, ref: str) -> str:
    ref = ref.strip()
    if len(ref) > MAX_REF or not REF_PATTERN.fullmatch(ref):
        raise PersonError(_l("Use lowercase letters, digits, '-' or '_'."), "ref")
    if _ref_taken(session, ref):
        raise PersonError(_l("Another person already has this reference."), "ref")
    return ref


def _free_ref(session: Session, name: str) -> str:
    """A ref made from the name (ascii, lowercase), numbered when already taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[: MAX_REF - 4] or "person"
    ref, n = base, 1
    while _ref_taken(session, ref):
        n += 1
        ref = f"{base}-{n}"
    return ref


def _ref_taken(session: Session, ref: str) -> bool:
    return bool(session.scalar(select(func.count()).where(Person.ref == ref)))
