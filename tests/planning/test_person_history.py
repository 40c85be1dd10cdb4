"""A person's creation and every change of their details: audited, on the hotlines' audit
pages and the person's page, mobile numbers shown only to who may see them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import delete, select

from hotline.models import Person
from hotline.planning.models import AuditLog, DefaultResponder
from tests.planning.test_transfer import planning

NOW = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)  # 22:30 in Paris
OLD, NEW = "+33612345601", "+33798765432"
OLD_SHOWN, NEW_SHOWN = "06 12 34 56 01", "07 98 76 54 32"


@pytest.fixture
def hotline(make_hotline):
    return make_hotline(name="Astreinte Nord", timezone="Europe/Paris")


@pytest.fixture
def alice(make_person, hotline, set_default_chain):
    """Alice, the hotline's default responder."""
    person = make_person("Alice", mobile=OLD, email="alice@example.org")
    set_default_chain(hotline, [person])
    return person


def save(submit, person, **changes):
    """Save the person's page as a manager would; the fields not given stay as they are."""
    fields = {"name": person.name, "mobile": person.mobile, "language": person.language}
    fields |= {"email": person.email or "", "active": "y" if person.active else None}
    fields |= changes
    return submit(f"/planning/people/{person.id}", {k: v for k, v in fields.items() if v})


def person_lines(db_session, person_id: int | None = None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.entity == "person").order_by(AuditLog.id)
    if person_id is not None:
        query = query.where(AuditLog.entity_id == person_id)
    return list(db_session.scalars(query))


def rows(page: str, section: str = "") -> list[str]:
    """The audit table's rows as text (the one after `section`, when given)."""
    page = page.split(section, 1)[1] if section else page
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def audit_rows(client, hotline) -> list[str]:
    return rows(client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True))


def history_rows(client, person) -> list[str]:
    page = client.get(f"/planning/people/{person.id}").get_data(as_text=True)
    return rows(page, 'id="history"')


def test_a_person_added_on_the_web_is_in_their_history(client, login_as, submit, db_session):
    form = {"name": "Zoé", "mobile": "06 12 34 56 78", "language": "fr", "active": "y"}

    with time_machine.travel(NOW, tick=False):
        manager = login_as("manager")
        response = submit("/planning/people/new", form)
        zoe = db_session.scalar(select(Person).where(Person.name == "Zoé"))
        history = history_rows(client, zoe)

    assert response.status_code == 302
    [line] = person_lines(db_session)
    assert (line.action, line.entity_id, line.user_id, line.hotline_id) == (
        "create",
        zoe.id,
        manager.id,
        None,  # on call for no hotline yet
    )
    assert line.before is None
    assert line.after["mobile"] == "+33612345678"
    assert history == [
        f"10/03/2026 22:30 {manager.name} Création : personne #{zoe.id} "
        "Nom : Zoé Mobile : 06 12 34 56 78 Langue : Français État : actif"
    ]


def test_a_mobile_change_reads_old_to_new_on_the_audit_page_and_the_person_page(
    client, login_as, submit, db_session, hotline, alice
):
    with time_machine.travel(NOW, tick=False):
        manager = login_as("manager", hotlines=(hotline,))
        assert save(submit, alice, mobile=NEW_SHOWN).status_code == 302
        audit_page, history = audit_rows(client, hotline), history_rows(client, alice)

    [line] = person_lines(db_session)
    assert (line.action, line.hotline_id, line.user_id) == ("update", hotline.id, manager.id)
    assert (line.before["mobile"], line.after["mobile"]) == (OLD, NEW)
    expected = (
        f"10/03/2026 22:30 {manager.name} Modification : personne #{alice.id} "
        f"Nom : Alice Mobile : {OLD_SHOWN} Nom : Alice Mobile : {NEW_SHOWN}"
    )
    assert audit_page[0] == expected
    assert history[0] == expected


def test_the_person_page_tells_each_change_once_newest_first_in_english(
    client, login_as, submit, db_session, make_hotline, set_default_chain, hotline, alice
):
    second = make_hotline("+33184885678", name="Astreinte Sud")
    set_default_chain(second, [alice])  # a change of Alice is written in both logs
    with time_machine.travel(NOW, tick=False) as clock:
        admin = login_as("admin", language="en")
        save(submit, alice, email="a.martin@example.org")
        db_session.refresh(alice)
        clock.move_to(datetime(2026, 3, 11, 8, 0, tzinfo=UTC))
        save(submit, alice, language="en", active=None)
        history, audit_page = history_rows(client, alice), audit_rows(client, second)

    assert history == [
        f"11/03/2026, 09:00 {admin.name} person #{alice.id} changed "
        "Name: Alice Language: French Status: active "
        "Name: Alice Language: English Status: inactive",
        f"10/03/2026, 22:30 {admin.name} person #{alice.id} changed "
        "Name: Alice E-mail: alice@example.org Name: Alice E-mail: a.martin@example.org",
    ]
    assert len(audit_page) == 2


def test_a_supervisor_reads_the_change_with_the_numbers_withheld(
    client, login_as, submit, hotline, alice
):
    login_as("admin")
    save(submit, alice, mobile=NEW_SHOWN, email="a.martin@example.org")
    login_as("supervisor", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)

    assert rows(page)[0].endswith(
        "Nom : Alice Mobile : numéro non communiqué E-mail : adresse non communiquée "
        "Nom : Alice Mobile : numéro non communiqué E-mail : adresse non communiquée"
    )
    for secret in (OLD_SHOWN, NEW_SHOWN, "34 56", "alice@", "a.martin@"):
        assert secret not in page


def test_a_manager_no_longer_reaching_a_person_no_longer_reads_their_numbers(
    client, login_as, submit, db_session, make_hotline, set_default_chain, hotline, alice
):
    login_as("admin")
    save(submit, alice, mobile=NEW_SHOWN)
    elsewhere = make_hotline("+33184885678", name="Astreinte Sud")
    db_session.execute(delete(DefaultResponder).where(DefaultResponder.hotline_id == hotline.id))
    set_default_chain(elsewhere, [alice])  # Alice moved to another team
    login_as("manager", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)

    assert client.get(f"/planning/people/{alice.id}").status_code == 403
    assert "Mobile : numéro non communiqué" in rows(page)[0]
    assert OLD_SHOWN not in page
    assert NEW_SHOWN not in page


def test_a_save_that_changes_nothing_or_is_refused_writes_nothing(
    client, login_as, submit, db_session, make_hotline, set_default_chain, hotline, alice
):
    login_as("manager", hotlines=(hotline,))
    assert save(submit, alice).status_code == 302  # nothing changed
    assert save(submit, alice, mobile="06 12").status_code == 400
    assert save(submit, alice, name=" ").status_code == 400
    assert save(submit, alice, mobile=" 06 12 34 56 01 ").status_code == 302  # the same number
    assert person_lines(db_session) == []

    # Alice joins a team this manager does not manage: they may no longer change her.
    set_default_chain(make_hotline("+33184885678", name="Astreinte Sud"), [alice])
    assert save(submit, alice, mobile=NEW_SHOWN).status_code == 403
    assert person_lines(db_session) == []

    login_as("admin")
    assert save(submit, alice, mobile=NEW_SHOWN).status_code == 302
    assert [(line.before["mobile"], line.after["mobile"]) for line in person_lines(db_session)] == [
        (OLD, NEW),
        (OLD, NEW),  # one line per hotline
    ]


def test_the_planning_import_audits_the_people_it_adds_and_changes(
    runner, db_session, tmp_path, make_person
):
    make_person("Alice Martin", ref="alice", mobile=NEW)
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(planning()), encoding="utf-8")

    first = runner.invoke(args=["planning", "import", str(path)])
    again = runner.invoke(args=["planning", "import", str(path)])

    assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
    people = {p.ref: p for p in db_session.scalars(select(Person))}
    lines = person_lines(db_session)
    assert [(line.entity_id, line.action) for line in lines] == [
        (people["alice"].id, "update"),
        (people["bruno"].id, "create"),
        (people["chloe"].id, "create"),
    ], "the second import changes nothing: no line"
    changed, added, _chloe = lines
    assert (changed.before["mobile"], changed.after["mobile"]) == (NEW, "+33612345601")
    assert changed.hotline_id is None  # on call for no hotline before the file
    assert added.user_id is None
    assert added.hotline_id is not None, "in the hotline's log: the file put them in its chain"
    assert added.after == {
        "name": "Bruno Petit",
        "mobile": "+33612345602",
        "email": None,
        "language": "fr",
        "active": True,
    }
