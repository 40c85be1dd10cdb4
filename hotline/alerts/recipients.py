"""Who is told: the people of a call's chain, a shift's agents, a hotline's managers.

Managers are the web users with the manager role scoped to the hotline
(hotline.auth); a manager linked to an active person is told as that person (SMS
on their mobile), one without, or whose person left the team, is told as the web
user (e-mail only). Admins are not managers of every hotline here:
give them the manager role on the hotlines they want alerts for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.voice.models import Call


@dataclass(frozen=True)
class Recipient:
    key: str  # "person:12" or "user:3": one notification per key and channel
    name: str
    language: str
    person_id: int | None
    mobile: str | None
    email: str | None


def of_person(person: Person) -> Recipient:
    return Recipient(
        key=f"person:{person.id}",
        name=person.name,
        language=person.language,
        person_id=person.id,
        mobile=person.mobile,
        email=person.email,
    )


def people(session: Session, person_ids: Iterable[int | None]) -> list[Recipient]:
    """The active people among `person_ids`, in the order given, each once."""
    ids = list(dict.fromkeys(pid for pid in person_ids if pid is not None))
    if not ids:
        return []
    found = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_(ids), Person.active.is_(True)))
    }
    return [of_person(found[pid]) for pid in ids if pid in found]


def call_chain(session: Session, call: Call) -> list[Recipient]:
    """The people of the chain as it was rung for `call` (the fallback number is nobody)."""
    return people(session, (entry.get("person_id") for entry in call.chain))


def managers(session: Session, hotline_id: int | None) -> list[Recipient]:
    """The active managers of the hotline (none without the web platform's users)."""
    if hotline_id is None:
        return []
    try:
        from hotline.auth.models import MANAGER, ManagedHotline, User
    except ModuleNotFoundError:  # pragma: no cover - a build without web users
        return []
    hotline = session.get(Hotline, hotline_id)
    fallback_language = hotline.language if hotline is not None else "fr"
    rows = session.execute(
        select(User, Person)
        .join(ManagedHotline, ManagedHotline.user_id == User.id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(
            ManagedHotline.hotline_id == hotline_id,
            User.role == MANAGER,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    return [_manager(user, person, fallback_language) for user, person in rows]


def _manager(user: object, person: Person | None, fallback_language: str) -> Recipient:
    language = getattr(user, "language", None)
    if person is not None and person.active:
        return Recipient(
            key=f"person:{person.id}",
            name=person.name,
            language=language or person.language,
            person_id=person.id,
            mobile=person.mobile,
            email=person.email or user.email,  # type: ignore[attr-defined]
        )
    # Told as the web user: their listen link lives as long as the account does. The
    # person, if any, stays named, for their alert preferences and the calls they may see.
    return Recipient(
        key=f"user:{user.id}",  # type: ignore[attr-defined]
        name=user.name,  # type: ignore[attr-defined]
        language=language or (person.language if person is not None else fallback_language),
        person_id=person.id if person is not None else None,
        mobile=None,
        email=(person.email if person is not None else None) or user.email,  # type: ignore[attr-defined]
    )


def merge(*groups: Iterable[Recipient]) -> list[Recipient]:
    """Concatenate recipient lists, keeping each key once (a manager on call is told once)."""
    seen: dict[str, Recipient] = {}
    for group in groups:
        for recipient in group:
            seen.setdefault(recipient.key, recipient)
    return list(seen.values())


def active_person_ids(session: Session, person_ids: Iterable[int]) -> set[int]:
    """The active people among `person_ids`."""
    ids = set(person_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Person.id).where(Person.id.in_(ids), Person.active)))


def web_account_holders(session: Session, person_ids: Iterable[int]) -> set[int]:
    """The people among `person_ids` who sign in to the app: an active web user is theirs."""
    ids = set(person_ids)
    try:
        from hotline.auth.models import User
    except ModuleNotFoundError:  # pragma: no cover - a build without web users
        return set()
    if not ids:
        return set()
    return set(
        session.scalars(
            select(User.person_id).where(User.person_id.in_(ids), User.active.is_(True))
        )
    )


def active_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """The recipient keys among `keys` ("person:3", "user:5") whose person or account is active."""
    wanted: dict[str, set[int]] = {"person": set(), "user": set()}
    for key in keys:
        kind, _, number = key.partition(":")
        if kind in wanted and number.isdigit():
            wanted[kind].add(int(number))
    found = {f"person:{pid}" for pid in active_person_ids(session, wanted["person"])}
    if not wanted["user"]:
        return found
    try:
        from hotline.auth.models import User
    except ModuleNotFoundError:  # pragma: no cover - a build without web users
        return found
    users = session.scalars(select(User.id).where(User.id.in_(wanted["user"]), User.active))
    return found | {f"user:{uid}" for uid in users}


def listening_manager(
    session: Session, user_id: int, hotline_id: int | None
) -> tuple[str, str | None] | None:
    """The name and language of web user `user_id`, while the account is active and may
    still manage the hotline (its manager, or an admin); else None.

    A "user:" listen link is only given to a hotline's managers: it dies with the role
    as with the account, whatever the role became or the hotlines it now covers.
    """
    try:
        from hotline.auth.access import can_manage
        from hotline.auth.models import User
    except ModuleNotFoundError:  # pragma: no cover - a build without web users
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    if hotline_id is not None and not can_manage(user, hotline_id):
        return None
    # As the alert chose it: the account's language, else its (former) person's.
    person = session.get(Person, user.person_id) if user.person_id is not None else None
    return user.name, user.language or (person.language if person is not None else None)
