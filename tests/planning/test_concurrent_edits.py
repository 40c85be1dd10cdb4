"""Two managers, two requests each, real commits: the second save is refused, not merged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_babel import force_locale
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from hotline import create_app
from hotline.models import Hotline, Person
from hotline.planning.errors import PlanningConflict, PlanningError
from hotline.planning.models import AuditLog
from hotline.planning.slots import create_slot, get_slot, update_slot
from hotline.planning.validation import check_span
from tests.conftest import app_config
from tests.planning.builders import names_at, paris


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit (like two web requests); what they made is removed after."""
    factory = sessionmaker(engine, expire_on_commit=False)
    yield factory
    with factory.begin() as session:
        hotline_ids = [h.id for h in session.query(Hotline).filter(Hotline.name == "Concurrent")]
        session.execute(delete(AuditLog).where(AuditLog.hotline_id.in_(hotline_ids)))
        session.execute(delete(Hotline).where(Hotline.id.in_(hotline_ids)))
        session.execute(delete(Person).where(Person.ref.like("concurrent-%")))


def test_second_manager_saving_the_same_slot_gets_a_conflict(committed):
    with committed.begin() as session:
        hotline = Hotline(number="+33184889999", name="Concurrent")
        people = [
            Person(ref=f"concurrent-{n}", name=n.title(), mobile=f"+3361234570{i}")
            for i, n in enumerate(("alice", "bruno", "chloe"))
        ]
        session.add_all([hotline, *people])
        session.flush()
        alice, bruno, chloe = (p.id for p in people)
        times = {"starts_at": paris(2026, 12, 1, 8), "ends_at": paris(2026, 12, 1, 20)}
        slot_id = create_slot(session, hotline.id, chain=[alice], user_id=None, **times).slot.id
    # Both managers open the edit form: each request reads the slot and its version.
    with committed.begin() as session:
        first_form = get_slot(session, slot_id).version
    with committed.begin() as session:
        second_form = get_slot(session, slot_id).version

    with committed.begin() as session:
        update_slot(session, slot_id, version=first_form, chain=[bruno], user_id=None, **times)
    with pytest.raises(PlanningConflict), committed.begin() as session:
        update_slot(session, slot_id, version=second_form, chain=[chloe], user_id=None, **times)

    with committed.begin() as session:
        assert names_at(session, hotline.id, paris(2026, 12, 1, 9)) == ["Bruno"]
        assert get_slot(session, slot_id).version == first_form + 1


def test_errors_read_in_french_on_a_french_page(database_url):
    app = create_app(app_config(database_url))

    with pytest.raises(PlanningError) as caught:
        check_span(paris(2026, 12, 1, 8), paris(2026, 12, 1, 7))

    with app.test_request_context(), force_locale("fr"):
        assert str(caught.value) == "la fin est avant le début"
    assert str(caught.value) == "end is before start"  # English outside a request
