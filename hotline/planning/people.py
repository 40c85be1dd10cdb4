"""People who can be rung: create and edit them, all or nothing, with clear field errors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from hotline.auth.services import AccountError, normalise_email
from hotline.db import utcnow
from hotline.models import LANGUAGES, Hotline, Person
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.planning import audit
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
    return or_(in_teams(list(hotline_ids), now=now), ~_serves(Person.id, None, now))


def in_teams(
    hotline_ids: Collection[int] | Select[tuple[int]], *, now: datetime
) -> ColumnElement[bool]:
    """A condition on Person: in the team of one of these hotlines (ids, or a select of ids)."""
    team = aliased(Hotline)
    return exists().where(team.id.in_(hotline_ids), _serves(Person.id, team.id, now))


def shares_team(person_id: int, *, now: datetime) -> ColumnElement[bool]:
    """A condition on Person: in the team of a hotline whose team `person_id` is in."""
    # The hotline of the person's newest slot not over yet is theirs by definition:
    # when `person_id` serves it too (the usual case, colleagues of one team), that
    # settles it without asking every hotline about both of them.
    usual = _serves(person_id, _newest_slot_ahead(Person.id, now, Slot.hotline_id), now)
    return or_(usual, in_teams(served_by(person_id, now=now), now=now))


def served_by(person_id: int, *, now: datetime) -> Select[tuple[int]]:
    """The ids of the hotlines whose team the person is in, as a select (see _serves)."""
    return select(Hotline.id).where(_serves(person_id, Hotline.id, now))


def person_hotlines(session: Session, person_id: int, *, now: datetime) -> list[Hotline]:
    """The hotlines the person is on call for, by name (see _serves)."""
    query = select(Hotline).where(_serves(person_id, Hotline.id, now)).order_by(Hotline.name)
    return list(session.scalars(query))


def _serves(
    person_id: ColumnElement[int] | int, hotline_id: ColumnElement[int] | None, now: datetime
) -> ColumnElement[bool]:
    """A condition: the person is on call for the hotline (None: for any hotline).

    A person belongs to a hotline's team while they are in its default chain, in one
    of its rotations (member or backup), or in a slot of it not over yet (a shift by
    hand, an override that borrows them). Past slots do not count: someone who left
    a team is not kept in it by the history.

    Each place is looked up by index for this person (and hotline), never as the set
    of every place: the chains from the person's side (indexes on person_id), the
    slots from the hotline's slots not over yet. The cost follows the people asked
    about and how far ahead the planning goes, not its past.
    """

    def of_hotline(column: ColumnElement[int]) -> ColumnElement[bool]:
        return true() if hotline_id is None else column == hotline_id

    # correlate_except: the person and the hotline may come from any enclosing query.
    chains = [
        exists()
        .where(DefaultResponder.person_id == person_id, of_hotline(DefaultResponder.hotline_id))
        .correlate_except(DefaultResponder),
        *(
            exists()
            .where(
                place.person_id == person_id,
                Rotation.id == place.rotation_id,
                of_hotline(Rotation.hotline_id),
            )
            .correlate_except(place, Rotation)
            for place in (RotationMember, RotationBackup)
        ),
    ]
    return or_(*chains, _in_slot_ahead(person_id, hotline_id, now))


def _in_slot_ahead(
    person_id: ColumnElement[int] | int, hotline_id: ColumnElement[int] | None, now: datetime
) -> ColumnElement[bool]:
    """A condition: the person is in a slot of the hotline (None: any) not over yet."""
    if hotline_id is None:
        return _newest_slot_ahead(person_id, now, SlotResponder.slot_id).is_not(None)
    # The hotline's slots not over yet, soonest first (ix_slot_hotline_ends), each
    # looked up with the person (ix_slot_responder_person_slot): a member of the
    # team turns up in the first shifts. A scalar subquery with ORDER BY and LIMIT,
    # not an EXISTS: PostgreSQL drops both from an EXISTS, and the order is what
    # keeps the past, which grows with every shift, from being read.
    responder = (
        exists()
        .where(SlotResponder.person_id == person_id, SlotResponder.slot_id == Slot.id)
        .correlate_except(SlotResponder)
    )
    soonest = (
        select(Slot.id)
        .where(Slot.hotline_id == hotline_id, Slot.ends_at > now, responder)
        .order_by(Slot.ends_at)
        .limit(1)
        .correlate_except(Slot)
    )
    return soonest.scalar_subquery().is_not(None)


def _newest_slot_ahead(
    person_id: ColumnElement[int] | int, now: datetime, column: ColumnElement[int]
) -> ColumnElement[int]:
    """`column` of the person's newest slot not over yet, NULL without one.

    The person's slots, newest first (ix_slot_responder_person_slot): slots are made
    ahead of their shifts, so one not over yet comes first.
    """
    newest = (
        select(column)
        .select_from(SlotResponder)
        .join(Slot, Slot.id == SlotResponder.slot_id)
        .where(SlotResponder.person_id == person_id, Slot.ends_at > now)
        .order_by(SlotResponder.slot_id.desc())
        .limit(1)
        .correlate_except(SlotResponder, Slot)
    )
    return newest.scalar_subquery()


def create_person(
    session: Session,
    *,
    name: str,
    mobile: str,
    email: str | None = None,
    language: str = "fr",
    active: bool = True,
    ref: str | None = None,
    user_id: int | None,
) -> Person:
    """Add a person; the mobile is stored E.164, the ref made from the name when not given.

    The creation is logged in the audit log (see record_person_change).
    """
    person = Person()
    _set_fields(person, name=name, mobile=mobile, email=email, language=language, active=active)
    person.ref = _checked_ref(session, ref) if ref and ref.strip() else _free_ref(session, name)
    session.add(person)
    session.flush()
    record_person_change(session, person, before=None, user_id=user_id)
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
    user_id: int | None,
) -> Person:
    """Change a person's details; raise PersonError (nothing changed) when one is wrong.

    A change is logged in the audit log (see record_person_change).
    """
    before = audit.person_snapshot(person)
    _set_fields(person, name=name, mobile=mobile, email=email, language=language, active=active)
    record_person_change(session, person, before=before, user_id=user_id)
    session.flush()
    return person


def record_person_change(
    session: Session, person: Person, *, before: dict[str, Any] | None, user_id: int | None
) -> None:
    """Log the person's creation (`before` None) or the change of their details, if any.

    `before` is audit.person_snapshot() taken before the change. The line goes to the
    audit log of each hotline the person is on call for now (one with no hotline for a
    person on call for none): the number a hotline rang is its managers' to prove.
    """
    if before == audit.person_snapshot(person):
        return
    hotline_ids = [h.id for h in person_hotlines(session, person.id, now=utcnow())]
    audit.record_person_change(
        session, person, before=before, hotline_ids=hotline_ids, user_id=user_id
    )


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
    email = (email or "").strip() or None
    if email is not None:
        try:
            email = normalise_email(email)  # the accounts' check: one idea of an address
        except AccountError as error:
            raise PersonError(error.args[0], "email") from None
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
