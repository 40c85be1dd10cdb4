"""The team seeded for whole calls on real servers (simulator and operations tests).

Three people on call now, primary first, for a day back and two ahead, on a
screened and an unscreened hotline.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import REGULAR, Slot, SlotResponder

SCREENED = "+33184881234"  # the demo number, so the simulator CLI's default --to reaches it
UNSCREENED = "+33184885678"
PEOPLE = [
    ("alice", "Alice Martin", "+33612345601"),
    ("bruno", "Bruno Petit", "+33612345602"),
    ("chloe", "Chloé Durand", "+33612345603"),
]
RING_TIMEOUT = 20


def seed(engine: Engine) -> dict[str, int]:
    """Seed the team and its two hotlines; return the people's ids by ref."""
    now = utcnow()
    with Session(engine) as session, session.begin():
        people = [Person(ref=ref, name=name, mobile=mobile) for ref, name, mobile in PEOPLE]
        session.add_all(people)
        for number, screening in ((SCREENED, True), (UNSCREENED, False)):
            hotline = Hotline(
                number=number,
                name="Astreinte" if screening else "Astreinte sans filtrage",
                timezone="Europe/Paris",
                language="fr",
                ring_timeout=RING_TIMEOUT,
                screening=screening,
            )
            session.add(hotline)
            session.flush()
            session.add(
                Slot(
                    hotline_id=hotline.id,
                    kind=REGULAR,
                    starts_at=now - timedelta(days=1),
                    ends_at=now + timedelta(days=2),
                    responders=[
                        SlotResponder(position=i, person_id=p.id) for i, p in enumerate(people)
                    ],
                )
            )
        session.flush()
        return {person.ref: person.id for person in people}
