"""The hotline page shows who confirmed taking their shift, and who has not yet."""

from __future__ import annotations

from datetime import timedelta

from hotline.alerts.models import ShiftTake
from hotline.db import utcnow


def test_hotline_page_lists_confirmed_and_unconfirmed_shift_takes(
    client, login_as, make_hotline, make_person, make_slot, db_session
):
    hotline = make_hotline()
    alice, bruno = make_person("Alice"), make_person("Bruno")
    now = utcnow().replace(microsecond=0)
    day = make_slot(hotline, now - timedelta(hours=30), now - timedelta(hours=18), [alice, bruno])
    night = make_slot(hotline, now - timedelta(hours=18), now + timedelta(hours=6), [bruno, alice])
    db_session.add_all(
        [
            ShiftTake(
                hotline_id=hotline.id,
                slot_id=day.id,
                person_id=alice.id,
                outgoing_person_id=bruno.id,
                starts_at=day.starts_at,
                confirmed_at=day.starts_at + timedelta(minutes=4),
                confirmed_via="sms",
            ),
            ShiftTake(
                hotline_id=hotline.id,
                slot_id=night.id,
                person_id=bruno.id,
                outgoing_person_id=alice.id,
                starts_at=night.starts_at,
                escalated_at=night.starts_at + timedelta(minutes=15),
            ),
        ]
    )
    db_session.flush()
    login_as("manager", hotlines=[hotline])

    page = client.get(f"/planning/hotlines/{hotline.id}").get_data(as_text=True)

    section = page[page.index('id="shift-takes"') :]
    assert "Prises de poste" in section
    assert section.index("Alice") < section.index("Bruno")  # in order of shift start
    assert "(sms)" in section
    assert "non confirmée" in section
    assert "responsables alertés" in section
