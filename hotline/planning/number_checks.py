"""Warnings on a person's mobile that is saved anyway: a landline, a number shared.

Neither is refused. A desk phone is a legitimate place to ring for some teams, but
the SMS alerts (missed call, voicemail, shift reminders) never reach it. A number
another active person already has is usually a typing slip, yet a shared on-call
phone handed over at each shift change is a real practice, and refusing it would
push managers to invent numbers. The cost is told instead: both people ring the
same phone, its holder gets each of their SMS alerts, and the call records (who
was rung, who answered) cannot tell which of the two held it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import utcnow
from hotline.models import Person
from hotline.phone import is_fixed_line, national_format

LANDLINE = "landline"
SHARED_NUMBER = "shared_number"


@dataclass(frozen=True)
class NumberWarning:
    """Why the person's mobile may not work as the on-call planning expects."""

    kind: str  # LANDLINE or SHARED_NUMBER
    person_id: int
    mobile: str  # E.164
    shared_with: tuple[Person, ...]  # the other active people with this mobile, named
    message: object  # a lazy string: str() it in the reader's language
    # Others with this mobile whom the reader may not see it of: counted, not named,
    # or the warning would tell whose number any number typed is.
    withheld: int = 0

    def __str__(self) -> str:
        return str(self.message)


def number_warnings(
    session: Session, person: Person, reader: User | None = None
) -> list[NumberWarning]:
    """The warnings on the person's mobile as saved (none for an inactive person).

    Others sharing the mobile are named only when `reader` may see their number (the
    one rule of hotline.planning.contacts); None: the command line, which sees all.
    """
    if not person.active:
        return []  # nobody rings or alerts them: the number harms no one
    warnings = []
    number = national_format(person.mobile)
    if is_fixed_line(person.mobile):
        message = _l(
            "%(number)s is a landline: calls can ring it, but SMS alerts (missed calls, "
            "voicemails, shift reminders) cannot reach it.",
            number=number,
        )
        warnings.append(NumberWarning(LANDLINE, person.id, person.mobile, (), message))
    if others := same_number(session, person):
        if reader is not None:
            # Here, not at the top: contacts reaches the planning file's reader, which
            # imports this module.
            from hotline.planning.contacts import numbers_shown

            shown = numbers_shown(session, reader, [o.id for o in others], now=utcnow())
            named = tuple(other for other in others if other.id in shown)
        else:
            named = others
        withheld = len(others) - len(named)
        message = _l(
            "%(number)s is also the number of %(names)s: both ring the same phone, it gets "
            "the SMS alerts of each, and the call records cannot tell which of them answered.",
            number=number,
            names=_Others(tuple(other.name for other in named), withheld),
        )
        warnings.append(
            NumberWarning(SHARED_NUMBER, person.id, person.mobile, named, message, withheld)
        )
    return warnings


@dataclass(frozen=True)
class _Others:
    """The others' names, then how many are not named, written when the message is."""

    names: tuple[str, ...]
    withheld: int

    def __str__(self) -> str:
        parts = list(self.names)
        if self.withheld:
            parts.append(
                ngettext(
                    "%(num)d person outside your teams",
                    "%(num)d people outside your teams",
                    self.withheld,
                )
            )
        return ", ".join(parts)


def same_number(session: Session, person: Person) -> tuple[Person, ...]:
    """The other active people whose mobile is the person's, by name."""
    query = select(Person).where(
        Person.mobile == person.mobile, Person.id != person.id, Person.active.is_(True)
    )
    return tuple(session.scalars(query.order_by(Person.name, Person.id)))
