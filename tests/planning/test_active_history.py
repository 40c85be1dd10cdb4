"""Activating or deactivating a person: audited, and past moments keep the flags of then."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from hotline.planning.models import AuditLog
from tests.planning.builders import paris, statements_run
from tests.planning.test_pages_calendar import calendar, day_cell, entries
from tests.planning.test_pages_oncall import chain_on, dry_run

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Paris
YESTERDAY = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
LAST_WEEK_DAY = (datetime(2026, 3, 4, 7, 0, tzinfo=UTC), datetime(2026, 3, 4, 19, 0, tzinfo=UTC))


def set_active(submit, person, active: bool, **changes):
    """Save the person's page as a manager would, the box ticked or not."""
    fields = {"name": person.name, "mobile": person.mobile, "language": "fr", **changes}
    if active:
        fields["active"] = "y"
    return submit(f"/planning/people/{person.id}", fields)


def person_lines(db_session) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.entity == "person").order_by(AuditLog.id)
    return list(db_session.scalars(query))


def audit_rows(client, hotline) -> list[str]:
    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def last_week_day(page: str) -> list[str]:
    return entries(day_cell(page, "2026-03-04"))


@pytest.fixture
def last_week(hotline, team, make_slot, set_default_chain):
    """Alice then Bruno on call last Wednesday 08:00-20:00; Chloé the default chain."""
    make_slot(hotline, *LAST_WEEK_DAY, [team["Alice"], team["Bruno"]])
    set_default_chain(hotline, [team["Chloé"]])


def test_people_deactivated_yesterday_still_rang_last_week(
    client, login_as, submit, hotline, team, last_week
):
    with time_machine.travel(YESTERDAY, tick=False) as clock:
        login_as("admin")
        assert set_active(submit, team["Alice"], False).status_code == 302
        assert set_active(submit, team["Chloé"], False).status_code == 302
        clock.move_to(NOW)
        login_as("supervisor", hotlines=(hotline,))
        page = calendar(client, hotline, week="2026-W10").get_data(as_text=True)
        in_slot = dry_run(client, hotline, "2026-03-04T12:00")
        by_default = dry_run(client, hotline, "2026-03-04T22:00")
        today = dry_run(client, hotline, "2026-03-10T22:00")

    cell = day_cell(page, "2026-03-04")
    assert '<span class="primary-name">Alice</span>' in cell, "not struck out: active then"
    assert last_week_day(page)[-1] == "default past 20:00–00:00… chaîne par défaut Chloé"
    assert chain_on(in_slot) == ["Alice", "Bruno"]
    assert chain_on(by_default) == ["Chloé"]
    # Today the phone rings neither of them.
    assert '<ol class="chain">' not in today


def test_a_person_reactivated_today_did_not_ring_while_inactive(
    client, login_as, submit, hotline, make_person, make_slot, set_default_chain
):
    dora, emile = make_person("Dora", active=False), make_person("Émile")
    make_slot(hotline, *LAST_WEEK_DAY, [dora, emile])
    set_default_chain(hotline, [dora])
    with time_machine.travel(YESTERDAY, tick=False) as clock:
        login_as("admin")
        assert set_active(submit, dora, True).status_code == 302
        clock.move_to(NOW)
        login_as("supervisor", hotlines=(hotline,))
        page = calendar(client, hotline, week="2026-W10").get_data(as_text=True)
        in_slot = dry_run(client, hotline, "2026-03-04T12:00")
        by_default = dry_run(client, hotline, "2026-03-04T22:00")
        after = dry_run(client, hotline, "2026-03-09T22:00")

    assert '<span class="primary-name inactive">Dora</span>' in day_cell(page, "2026-03-04")
    assert last_week_day(page)[-1] == "gap past 20:00–00:00… Personne n’est d’astreinte"
    assert chain_on(in_slot) == ["Émile"]
    assert "Personne n’est d’astreinte" in by_default
    assert chain_on(after) == ["Dora"]


def test_a_deactivation_is_in_the_hotlines_audit_log_in_french_and_english(
    client, login_as, submit, hotline, team, last_week
):
    manager = login_as("admin")
    set_active(submit, team["Chloé"], False)

    french = audit_rows(client, hotline)
    login_as("admin", language="en")
    english = audit_rows(client, hotline)

    number = team["Chloé"].id
    assert french[0].endswith(
        f"{manager.name} Modification : personne #{number} "
        "Nom : Chloé État : actif Nom : Chloé État : inactif"
    )
    assert english[0].endswith(
        f"person #{number} changed Name: Chloé Status: active Name: Chloé Status: inactive"
    )


def test_a_refused_change_writes_no_audit_line(
    client, login_as, submit, db_session, hotline, team, last_week
):
    login_as("admin")
    assert set_active(submit, team["Alice"], False).status_code == 302
    assert set_active(submit, team["Alice"], True, mobile="123").status_code == 400
    assert set_active(submit, team["Alice"], False, name="Alice D.").status_code == 302

    db_session.refresh(team["Alice"])
    assert team["Alice"].active is False
    # The refused save leaves no line; the rename is a change of details, flag untouched.
    deactivated, renamed = person_lines(db_session)
    assert (deactivated.before["active"], deactivated.after["active"]) == (True, False)
    assert (renamed.before["name"], renamed.after["name"]) == ("Alice", "Alice D.")
    assert (renamed.before["active"], renamed.after["active"]) == (False, False)


def test_the_planning_import_audits_the_flags_it_changes(
    runner, db_session, tmp_path, hotline, team, last_week
):
    chloe = team["Chloé"]
    document = {
        "format": "hotline-planning/1",
        "people": [{"ref": chloe.ref, "name": chloe.name, "mobile": chloe.mobile, "active": False}],
        "hotlines": [],
    }
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with time_machine.travel(YESTERDAY, tick=False):
        result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 0, result.output
    [line] = person_lines(db_session)
    assert (line.hotline_id, line.user_id, line.entity_id) == (hotline.id, None, chloe.id)
    details = {"name": "Chloé", "mobile": chloe.mobile, "email": None, "language": "fr"}
    assert (line.before, line.after) == (
        {**details, "active": True},
        {**details, "active": False},
    )


def test_a_past_month_reads_the_flags_history_in_constant_statements(
    client, login_as, db_session, hotline, team, make_slot, set_default_chain, connection
):
    from hotline.planning.audit import person_snapshot
    from hotline.planning.people import record_person_change

    alice = team["Alice"]
    set_default_chain(hotline, [alice])
    make_slot(hotline, paris(2026, 2, 10, 8), paris(2026, 2, 10, 20), [alice, team["Bruno"]])

    def february_page() -> tuple[str, list[str]]:
        with time_machine.travel(NOW, tick=False):
            login_as("admin")
            with statements_run(connection) as statements:
                page = calendar(client, hotline, month="2026-02").get_data(as_text=True)
        return page, statements

    _page, unchanged = february_page()
    # Alice goes inactive at noon on the 1st, active again at noon on the 2nd, and so on.
    for day in range(1, 29):
        with time_machine.travel(paris(2026, 2, day, 12), tick=False):
            before = person_snapshot(alice)
            alice.active = not alice.active
            record_person_change(db_session, alice, before=before, user_id=None)
            db_session.flush()
    page, statements = february_page()

    assert len(statements) == len(unchanged)
    assert len([s for s in statements if re.search(r"\bFROM audit_log\b", s)]) == 1
    assert entries(day_cell(page, "2026-02-10")) == [
        "gap past …00:00–08:00 Personne n’est d’astreinte",
        "regular past 08:00–12:00 Alice (personne inactive) puis Bruno",
        "regular past 12:00–20:00 Alice puis Bruno",
        "default past 20:00–00:00… chaîne par défaut Alice",
    ]
    assert entries(day_cell(page, "2026-02-11"))[:2] == [
        "default past …00:00–12:00 chaîne par défaut Alice",
        "gap past 12:00–00:00… Personne n’est d’astreinte",
    ]
