"""Whose phone number a user may see: the one rule every page, API answer and log applies.

Admins see every number. Everybody sees their own, and the numbers of the teams
they serve: the people of the hotlines their own person is on call for (in the
default chain, a rotation or a slot not over yet: hotline.planning.people), so an
agent can reach the colleague they hand over to or back up. A manager also sees
the numbers of the people their people pages reach (their hotlines' teams, and the
people of no team yet, whom they may put in a chain). A supervisor gets no number
from supervising: the statistics they review count calls and hours, not mobiles.
Everyone else's number is withheld; their name is still shown.

A person's e-mail address follows the same rule (the notification log shows the
address an alert went to). An address that belongs to no person (an account linked
to none is told at its login address; a person since deleted) is shown to admins,
and to the account itself.

A hotline's fallback number (rung when nobody on call takes the call) is shown
to those who set it or check it works: admins and the hotline's managers. Others
are told that a fallback number answers, not which.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from hotline.auth.access import can_manage
from hotline.auth.models import ADMIN, MANAGER, User
from hotline.models import Person
from hotline.planning.people import shares_team, within_hotlines


def numbers_shown(
    session: Session, user: User, person_ids: Iterable[int | None], *, now: datetime
) -> frozenset[int]:
    """The people among `person_ids` whose phone number `user` may see."""
    wanted = {pid for pid in person_ids if pid is not None}
    if not wanted or not user.is_authenticated or not user.active:
        return frozenset()
    if user.role == ADMIN:
        return frozenset(wanted)
    query = select(Person.id).where(Person.id.in_(wanted), _reach(user, now))
    return frozenset(session.scalars(query))


def unlinked_address_shown(user: User, account_id: int | None) -> bool:
    """Whether `user` may see an address of no person: an account's (`account_id`), or
    a deleted person's (None)."""
    if not user.is_authenticated or not user.active:
        return False
    return user.role == ADMIN or (account_id is not None and user.id == account_id)


def fallback_number_shown(user: User, hotline_id: int | None) -> bool:
    """Whether `user` may see the hotline's fallback number: admins and its managers
    (None: a call of no hotline, taken by the emergency fallback; admins only)."""
    if hotline_id is None:
        return user.is_authenticated and user.active and user.role == ADMIN
    return can_manage(user, hotline_id)


def _reach(user: User, now: datetime) -> ColumnElement[bool]:
    """A condition on Person: the people whose number a user other than an admin sees."""
    reach: list[ColumnElement[bool]] = []
    if user.person_id is not None:
        reach += [Person.id == user.person_id, shares_team(user.person_id, now=now)]
    if user.role == MANAGER:
        # The same reach as the manager's people pages, where these numbers are edited.
        reach.append(within_hotlines(user.hotline_ids, now=now))
    return or_(*reach) if reach else false()
