"""A database restart kills pooled connections; the next call must still be routed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text

from hotline import create_app
from hotline.db import database, utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import Slot, SlotResponder
from hotline.voice.models import Call, CallAttempt
from tests.conftest import EMERGENCY_NUMBER, TwilioClient, app_config


@pytest.fixture
def committed_hotline(database_url, engine):
    """A hotline on call now, committed for real (a separate app reads it)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("terminating server connections is a PostgreSQL test")
    app = create_app(app_config(database_url))
    with database(app).session_scope() as session:
        hotline = Hotline(number="+33184889999", name="Reconnect")
        person = Person(ref="reconnect", name="Rita", mobile="+33612349999")
        session.add_all([hotline, person])
        session.flush()
        now = utcnow()
        hotline_id = hotline.id
        session.add(
            Slot(
                hotline_id=hotline.id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=1),
                responders=[SlotResponder(position=0, person_id=person.id)],
            )
        )
    yield app
    with database(app).session_scope() as session:
        calls = select(Call.id).where(Call.hotline_id == hotline_id)
        session.execute(delete(CallAttempt).where(CallAttempt.call_id.in_(calls)))
        session.execute(delete(Call).where(Call.hotline_id == hotline_id))
        session.execute(delete(Slot).where(Slot.hotline_id == hotline_id))
        session.execute(delete(Hotline).where(Hotline.id == hotline_id))
        session.execute(delete(Person).where(Person.ref == "reconnect"))
    database(app).engine.dispose()
    engine.dispose()  # its pooled connections were terminated too


def test_call_after_the_database_dropped_every_connection_is_routed(committed_hotline, engine):
    twilio = TwilioClient(committed_hotline.test_client())
    params = {"CallSid": "CAreconnect1", "From": "+33699887766", "To": "+33184889999"}
    assert "+33612349999" in twilio.post("/voice/incoming", params).get_data(as_text=True)

    with engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        admin.commit()

    response = twilio.post("/voice/incoming", {**params, "CallSid": "CAreconnect2"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "+33612349999" in body, "routed to the person on call, not the emergency number"
    assert EMERGENCY_NUMBER not in body
