"""People pages: a landline or a number somebody else has is saved with a clear warning."""

from __future__ import annotations

from sqlalchemy import func, select

from hotline.models import Person

LANDLINE = "01 84 88 12 35"  # a French fixed line
PERSON = {"name": "Zoé Lefèvre", "mobile": "06 12 34 56 78", "language": "fr", "active": "y"}


def warnings_on(page: str) -> list[str]:
    return [
        line.split(">", 1)[1].split("</li>")[0]
        for line in page.split('<li class="flash flash-warning"')[1:]
    ]


def test_a_landline_is_saved_with_a_warning_that_sms_alerts_miss_it(
    client, login_as, submit, db_session
):
    login_as("manager", language="fr")
    refused = submit("/planning/people/new", {**PERSON, "mobile": "01 84"})
    assert refused.status_code == 400  # a number too short is still refused
    assert db_session.scalar(select(func.count()).select_from(Person)) == 0
    assert warnings_on(refused.get_data(as_text=True)) == []

    page = submit(
        "/planning/people/new", {**PERSON, "mobile": LANDLINE}, follow_redirects=True
    ).get_data(as_text=True)

    assert db_session.scalar(select(Person.mobile).where(Person.name == "Zoé Lefèvre")) == (
        "+33184881235"
    )
    assert warnings_on(page) == [
        "01 84 88 12 35 est un numéro fixe : les appels peuvent y sonner, mais les alertes par "
        "SMS (appels manqués, messages vocaux, rappels de prise d’astreinte) ne peuvent pas "
        "l’atteindre."
    ]
    assert "Ce numéro est un fixe : les alertes par SMS ne peuvent pas l’atteindre." in page


def test_a_landline_warns_in_english_too_and_a_mobile_of_their_own_does_not(
    client, login_as, submit, make_person
):
    zoe = make_person("Zoé Lefèvre", mobile="+33612345678")
    login_as("admin", language="en")

    page = submit(
        f"/planning/people/{zoe.id}", {**PERSON, "mobile": LANDLINE}, follow_redirects=True
    ).get_data(as_text=True)

    assert warnings_on(page) == [
        "01 84 88 12 35 is a landline: calls can ring it, but SMS alerts (missed calls, "
        "voicemails, shift reminders) cannot reach it."
    ]
    assert "This number is a landline: SMS alerts cannot reach it." in page

    page = submit(f"/planning/people/{zoe.id}", PERSON, follow_redirects=True)

    assert "Zoé Lefèvre is saved." in page.get_data(as_text=True)
    assert warnings_on(page.get_data(as_text=True)) == []
    assert "landline" not in page.get_data(as_text=True)


def test_a_number_another_active_person_has_is_saved_with_a_warning_naming_them(
    client, login_as, submit, make_person, db_session
):
    make_person("Alice Martin", mobile="+33612345678")
    make_person("Bruno Petit", mobile="+33612345678", active=False)  # left: not rung
    login_as("admin", language="fr")

    page = submit("/planning/people/new", PERSON, follow_redirects=True).get_data(as_text=True)

    assert db_session.scalar(select(func.count()).where(Person.mobile == "+33612345678")) == 3
    assert warnings_on(page) == [
        "06 12 34 56 78 est aussi le numéro enregistré pour Alice Martin : les appels sonnent "
        "sur le même téléphone, qui reçoit les alertes par SMS de chacun, et le journal des "
        "appels ne peut pas dire lequel a répondu."
    ]


def test_a_manager_is_not_told_whose_number_it_is_outside_their_teams(
    client, login_as, submit, make_hotline, make_person, set_default_chain
):
    mine = make_hotline(name="Astreinte Nord")
    elsewhere = make_hotline(name="Astreinte Sud", number="+33184889999")
    set_default_chain(mine, [make_person("Bruno Petit", mobile="+33612345678")])
    set_default_chain(elsewhere, [make_person("Alice Martin", mobile="+33612345678")])
    login_as("manager", hotlines=[mine], language="fr")

    page = submit("/planning/people/new", PERSON, follow_redirects=True).get_data(as_text=True)

    # Bruno is of the manager's team: named; Alice is not: counted, her name withheld.
    assert warnings_on(page) == [
        "06 12 34 56 78 est aussi le numéro enregistré pour Bruno Petit, 1 personne hors de "
        "vos équipes : les appels sonnent sur le même téléphone, qui reçoit les alertes par "
        "SMS de chacun, et le journal des appels ne peut pas dire lequel a répondu."
    ]
    assert "Alice" not in page
