"""The start of a hotline's recorded default-chain history, as the tests set it."""

from __future__ import annotations

from datetime import datetime

import time_machine


def record_baseline(db_session, hotline, person, at: datetime) -> None:
    """What migration 0014 writes for a hotline it finds, at `at`: the chain as it stood,
    `person` alone. Hours before `at` read "not recorded"."""
    from hotline.planning.audit import BASELINE, DEFAULT_CHAIN, record_change

    with time_machine.travel(at, tick=False):
        record_change(
            db_session,
            hotline_id=hotline.id,
            user_id=None,
            action=BASELINE,
            entity=DEFAULT_CHAIN,
            entity_id=None,
            before=None,
            after={"chain": [{"person_id": person.id, "name": person.name, "active": True}]},
        )
        db_session.flush()
