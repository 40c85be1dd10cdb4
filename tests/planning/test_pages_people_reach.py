"""People pages across teams: a manager reaches the people of the hotlines they manage.

Nord's manager and Sud's manager share the app. A person belongs to a hotline's
team while in its default chain, one of its rotations, or one of its slots not
over yet. Someone on call for Nord and Sud is planned by both managers, but only
an admin or a manager of both changes their details or status. Someone on call
for no hotline yet is anyone's to take in.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from hotline.db import utcnow
from hotline.models import Person
from hotline.planning.models import Rotation, RotationBackup, RotationMember, Unavailability

FORM = {"name": "Renamed", "mobile": "06 99 88 77 66", "language": "fr", "active": "y"}


@pytest.fixture
def teams(db_session, make_hotline, make_person, make_slot, set_default_chain):
    nord = make_hotline(name="Nord")
    sud = make_hotline("+33184880002", name="Sud")
    alice, bruno, chloe, zoe = (make_person(n) for n in ("Alice", "Bruno", "Chloé", "Zoé"))
    now = utcnow()
    make_slot(nord, now + timedelta(days=2), now + timedelta(days=3), [chloe])
    make_slot(nord, now - timedelta(days=3), now - timedelta(days=2), [zoe])  # over: left
    set_default_chain(sud, [bruno])
    rotation = Rotation(
        hotline_id=nord.id, name="Semaine", shift_hours=168, handoff=time(8),
        start_date=date.today(), members=[RotationMember(position=0, person_id=alice.id)],
    )  # fmt: skip
    sud_rotation = Rotation(
        hotline_id=sud.id, name="Nuits", shift_hours=24, handoff=time(20),
        start_date=date.today(), members=[RotationMember(position=0, person_id=bruno.id)],
        backups=[RotationBackup(position=0, person_id=chloe.id)],
    )  # fmt: skip
    leave = Unavailability(person_id=bruno.id, starts_at=now, ends_at=now + timedelta(days=2))
    db_session.add_all([rotation, sud_rotation, leave])
    db_session.flush()
    return {"nord": nord, "sud": sud, "alice": alice, "bruno": bruno, "chloe": chloe,
            "zoe": zoe, "bruno_leave": leave}  # fmt: skip


def listed_names(client) -> set[str]:
    page = client.get("/planning/people").get_data(as_text=True)
    return {name for name in ("Alice", "Bruno", "Chloé", "Zoé") if f">{name}</a>" in page}


def snapshot(db_session, person):
    db_session.expire_all()
    periods = db_session.scalars(
        select(Unavailability.id).where(Unavailability.person_id == person.id)
    ).all()
    return person.name, person.mobile, person.active, sorted(periods)


def test_a_manager_lists_their_teams_and_the_people_of_no_team(client, login_as, teams):
    login_as("manager", hotlines=(teams["nord"],))
    assert listed_names(client) == {"Alice", "Chloé", "Zoé"}

    login_as("manager", hotlines=(teams["sud"],))
    assert listed_names(client) == {"Bruno", "Chloé", "Zoé"}

    login_as("admin")
    assert listed_names(client) == {"Alice", "Bruno", "Chloé", "Zoé"}


def test_a_person_of_another_team_only_is_out_of_reach_and_nothing_changes(
    client, login_as, submit, teams, db_session
):
    bruno = teams["bruno"]
    login_as("manager", hotlines=(teams["nord"],))
    before = snapshot(db_session, bruno)
    leave_form = {"kind": "leave", "first_day": "2027-03-01", "last_day": "2027-03-02"}

    page = client.get(f"/planning/people/{bruno.id}")
    edit = submit(f"/planning/people/{bruno.id}", FORM)
    leave = submit(f"/planning/people/{bruno.id}/unavailability", leave_form)
    remove = submit(f"/planning/people/{bruno.id}/unavailability/{teams['bruno_leave'].id}/delete")

    assert [r.status_code for r in (page, edit, leave, remove)] == [403] * 4
    why = "Bruno n’est d’astreinte que pour des lignes que vous ne gérez pas"
    assert why in page.get_data(as_text=True)
    assert "Rien n’a été modifié." in edit.get_data(as_text=True)
    assert snapshot(db_session, bruno) == before


def test_a_person_shared_with_another_team_is_planned_but_not_changed_by_one_manager(
    client, login_as, submit, teams, db_session
):
    chloe = teams["chloe"]
    login_as("manager", hotlines=(teams["nord"],))
    before = snapshot(db_session, chloe)

    page = client.get(f"/planning/people/{chloe.id}").get_data(as_text=True)
    edit = submit(f"/planning/people/{chloe.id}", {**FORM, "active": ""})  # deactivate

    assert "D’astreinte pour : Nord, Sud" in page
    assert 'name="mobile"' not in page  # her details are shown, not offered for change
    assert edit.status_code == 403
    assert "Chloé est aussi d’astreinte pour Sud, que vous ne gérez pas" in edit.get_data(
        as_text=True
    )
    assert snapshot(db_session, chloe) == before
    leave_form = {"kind": "leave", "first_day": "2027-03-01", "last_day": "2027-03-02"}
    assert submit(f"/planning/people/{chloe.id}/unavailability", leave_form).status_code == 302

    login_as("manager", hotlines=(teams["nord"], teams["sud"]))
    assert submit(f"/planning/people/{chloe.id}", FORM).status_code == 302
    db_session.expire_all()
    assert (chloe.name, chloe.mobile) == ("Renamed", "+33699887766")


def test_a_person_on_call_for_no_hotline_is_any_managers(
    client, login_as, submit, teams, db_session
):
    zoe = teams["zoe"]  # her only slot, Nord's, is over
    login_as("manager", hotlines=(teams["sud"],))

    page = client.get(f"/planning/people/{zoe.id}").get_data(as_text=True)
    edit = submit(f"/planning/people/{zoe.id}", FORM)

    assert "D’astreinte pour aucune ligne pour l’instant" in page
    assert edit.status_code == 302
    db_session.expire_all()
    assert db_session.get(Person, zoe.id).name == "Renamed"
