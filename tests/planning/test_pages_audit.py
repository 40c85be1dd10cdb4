"""The audit log page: who changed what and when, before and after, per hotline."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hotline.planning import audit


def test_audit_log_lists_changes_newest_first_with_before_and_after(
    client, login_as, submit, make_hotline, make_person, make_slot, db_session
):
    hotline = make_hotline(name="Nord")
    alice, bruno = make_person("Alice"), make_person("Bruno")
    slot = make_slot(
        hotline,
        datetime(2026, 5, 4, 6, tzinfo=UTC),
        datetime(2026, 5, 5, 6, tzinfo=UTC),
        [alice],
    )
    manager = login_as("manager", hotlines=(hotline,), name="Marie Manager")
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    submit(
        path,
        {
            "starts_at": "2026-05-04T08:00",
            "ends_at": "2026-05-05T10:00",
            "chain-0": str(bruno.id),
            "version": "1",
        },
    )
    submit(f"/planning/hotlines/{hotline.id}/rules", {"max_consecutive_days": "6"})

    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)

    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    newest, older = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in rows)
    assert "règles du travail" in newest
    assert "Jours d’astreinte consécutifs au plus : 6" in newest
    assert manager.name in older
    assert f"Modification : créneau #{slot.id}" in older
    assert "Chaîne : Alice" in older
    assert "Chaîne : Bruno" in older
    assert "Fin : 05/05/2026 08:00" in older  # before, in Paris time
    assert "Fin : 05/05/2026 10:00" in older  # after


def test_audit_log_of_a_hotline_shows_only_its_own_changes(
    client, login_as, make_hotline, db_session
):
    nord, sud = make_hotline(name="Nord"), make_hotline("+33184880002", name="Sud")
    audit.record_change(
        db_session,
        hotline_id=sud.id,
        user_id=None,
        action=audit.UPDATE,
        entity=audit.LABOUR_RULES,
        entity_id=sud.id,
        before={"min_rest_hours": None},
        after={"min_rest_hours": 11},
    )
    db_session.flush()
    login_as("supervisor", hotlines=(nord, sud))

    nord_page = client.get(f"/planning/hotlines/{nord.id}/audit").get_data(as_text=True)
    sud_page = client.get(f"/planning/hotlines/{sud.id}/audit").get_data(as_text=True)

    assert "Aucune modification enregistrée" in nord_page
    assert "ligne de commande ou tâche" in sud_page


def test_audit_log_reads_naturally_for_a_new_slot_and_rotation(
    client, login_as, submit, make_hotline, make_person
):
    hotline = make_hotline(name="Nord")
    alice = make_person("Alice")
    login_as("manager", hotlines=(hotline,))
    submit(f"/planning/hotlines/{hotline.id}/slots/new", {
        "starts_at": "2026-05-04T08:00", "ends_at": "2026-05-05T08:00",
        "chain-0": str(alice.id), "version": "0",
    })  # fmt: skip
    submit(f"/planning/hotlines/{hotline.id}/rotations/new", {
        "name": "Semaine", "members-0": str(alice.id), "shift_length": "1",
        "shift_unit": "weeks", "handoff": "08:00", "start_date": "2026-05-04",
        "pattern": "every_day", "backup_count": "0",
    })  # fmt: skip

    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Type : créneau régulier" in text
    assert "Jours : tous les jours" in text
    # The rotation's first day as the log writes its other dates, not 2026-05-04.
    assert "Date de début : 04/05/2026" in text
