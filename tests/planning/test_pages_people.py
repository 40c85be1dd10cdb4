"""People pages: create and edit, mobile numbers in E.164 inside and national format outside."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.models import Person

GOOD = {
    "name": "Zoé Lefèvre",
    "mobile": "06 12 34 56 78",
    "email": "zoe@example.org",
    "language": "fr",
    "active": "y",
}


def field_errors(response, field: str) -> list[str]:
    page = response.get_data(as_text=True)
    block = page.split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [
        re.sub(r"\s+", " ", e).strip()
        for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0])
    ]


def people_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Person))


def test_manager_adds_a_person_stored_e164_shown_national(client, login_as, submit, db_session):
    login_as("manager")

    response = submit("/planning/people/new", GOOD)

    assert response.status_code == 302
    person = db_session.scalar(select(Person).where(Person.name == "Zoé Lefèvre"))
    assert person.mobile == "+33612345678"
    assert person.ref == "zoe-lefevre"
    assert person.email == "zoe@example.org"
    listing = client.get("/planning/people").get_data(as_text=True)
    assert "06 12 34 56 78" in listing
    assert "+33612345678" not in listing
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="06 12 34 56 78"' in edit


def test_refs_made_from_names_stay_unique(client, login_as, submit, db_session, make_person):
    make_person("Zoé Lefèvre", ref="zoe-lefevre")
    login_as("admin")

    submit("/planning/people/new", GOOD)

    refs = db_session.scalars(select(Person.ref).where(Person.name == "Zoé Lefèvre")).all()
    assert sorted(refs) == ["zoe-lefevre", "zoe-lefevre-2"]


def test_a_number_abroad_stays_international(client, login_as, submit, db_session):
    login_as("admin")

    submit("/planning/people/new", {**GOOD, "mobile": "+44 7911 123456"})

    person = db_session.scalar(select(Person).where(Person.name == "Zoé Lefèvre"))
    assert person.mobile == "+447911123456"
    assert "+44 7911 123456" in client.get("/planning/people").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Ce champ est requis."),
        ("name", "x" * 121, None),
        ("mobile", "", "Indiquez un numéro de mobile."),
        ("mobile", "06 12", "06 12 n’est pas un numéro de téléphone valide."),
        ("mobile", "not a number", "not a number n’est pas un numéro de téléphone valide."),
        ("email", "zoe@", None),
        ("language", "de", None),
        ("ref", "Zoé!", "Utilisez des minuscules, des chiffres, « - » ou « _ »."),
        ("ref", "taken", "Une autre personne a déjà cette référence."),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    client, login_as, submit, db_session, make_person, field, value, message
):
    make_person("Déjà là", ref="taken")
    login_as("manager")
    before = people_count(db_session)

    response = submit("/planning/people/new", {**GOOD, field: value})

    assert response.status_code == 400
    errors = field_errors(response, field)
    assert errors, f"no message at {field}"
    if message:
        assert message in errors
    assert people_count(db_session) == before


def test_a_bad_address_is_said_together_with_a_missing_name(login_as, submit, db_session):
    login_as("manager")

    response = submit("/planning/people/new", {**GOOD, "name": "", "email": "zoe@"})

    assert response.status_code == 400
    assert field_errors(response, "name") == ["Ce champ est requis."]
    assert field_errors(response, "email") == ["Ce n’est pas une adresse e-mail."]
    assert people_count(db_session) == 0


def test_editing_a_person_changes_their_details(client, login_as, submit, db_session, make_person):
    person = make_person("Yann", mobile="+33611111111")
    login_as("manager")

    response = submit(
        f"/planning/people/{person.id}",
        {"name": "Yann Le Goff", "mobile": "07 81 23 45 67", "email": "", "language": "en"},
    )

    assert response.status_code == 302
    db_session.refresh(person)
    assert (person.name, person.mobile, person.email, person.language, person.active) == (
        "Yann Le Goff",
        "+33781234567",
        None,
        "en",
        False,  # the box was not ticked
    )


def test_a_bad_edit_changes_nothing(client, login_as, submit, db_session, make_person):
    person = make_person("Yann", mobile="+33611111111")
    login_as("admin")

    response = submit(
        f"/planning/people/{person.id}",
        {"name": "Yann Le Goff", "mobile": "123", "language": "fr", "active": "y"},
    )

    assert response.status_code == 400
    assert field_errors(response, "mobile") == ["123 n’est pas un numéro de téléphone valide."]
    db_session.refresh(person)
    assert (person.name, person.mobile) == ("Yann", "+33611111111")


def test_unknown_person_is_404(client, login_as):
    login_as("admin")

    assert client.get("/planning/people/999999").status_code == 404


def test_leave_is_recorded_as_whole_local_days_and_listed(
    app, client, login_as, submit, db_session, make_person
):
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from flask_babel import force_locale

    from hotline.i18n import format_local_date
    from hotline.planning.models import Unavailability

    paris = ZoneInfo("Europe/Paris")
    first = date.today() + timedelta(days=40)
    last = first + timedelta(days=4)
    person = make_person("Yann")
    login_as("manager")

    response = submit(
        f"/planning/people/{person.id}/unavailability",
        {
            "kind": "leave",
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "note": "été",
        },
    )

    assert response.status_code == 302
    period = db_session.scalar(select(Unavailability).where(Unavailability.person_id == person.id))
    # From local midnight of the first day to local midnight after the last.
    assert period.starts_at == datetime.combine(first, time(0), tzinfo=paris)
    assert period.ends_at == datetime.combine(last + timedelta(days=1), time(0), tzinfo=paris)
    assert (period.kind, period.note) == ("leave", "été")
    page = client.get(f"/planning/people/{person.id}").get_data(as_text=True)
    listed = page.split('class="list periods"')[1].split("</table>")[0]
    assert "Congé" in listed
    # The days entered, first and last, not "until 00:00" the day after.
    with app.test_request_context(), force_locale("fr"):
        assert format_local_date(first, None, "EEE d MMM y") in listed
        assert format_local_date(last, None, "EEE d MMM y") in listed
    assert "00:00" not in listed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_day": ""}, "first_day"),
        ({"last_day": "someday"}, "last_day"),
        ({"last_day": "2026-07-12"}, "last_day"),
        ({"last_day": "2028-07-17"}, "last_day"),  # longer than a year
        ({"first_day": "0001-01-01", "last_day": "0001-01-02"}, "first_day"),
        ({"first_day": "9999-12-30", "last_day": "9999-12-31"}, "last_day"),
        ({"kind": "holiday"}, "kind"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_unavailability_is_refused_at_its_field(
    client, login_as, submit, db_session, make_person, changes, field
):
    from hotline.planning.models import Unavailability

    person = make_person("Yann")
    login_as("admin")
    data = {"kind": "sickness", "first_day": "2026-07-13", "last_day": "2026-07-17"}

    response = submit(f"/planning/people/{person.id}/unavailability", {**data, **changes})

    assert response.status_code == 400
    assert field_errors(response, field), f"no message at {field}"
    assert db_session.scalar(select(func.count()).select_from(Unavailability)) == 0


def test_a_first_day_out_of_range_gets_one_message_not_a_second_at_the_last(
    client, login_as, submit, make_person
):
    person = make_person("Yann")
    login_as("admin", language="en")

    response = submit(
        f"/planning/people/{person.id}/unavailability",
        {"kind": "sickness", "first_day": "9999-07-13", "last_day": "2026-07-17"},
    )

    assert response.status_code == 400
    assert field_errors(response, "first_day") == ["Choose a date between the years 2000 and 2100."]
    assert field_errors(response, "last_day") == []


def test_a_period_is_removed(client, login_as, submit, db_session, make_person):
    from hotline.planning.models import Unavailability

    person = make_person("Yann")
    login_as("manager")
    submit(
        f"/planning/people/{person.id}/unavailability",
        {"kind": "sickness", "first_day": "2026-07-13", "last_day": "2026-07-13"},
    )
    period = db_session.scalar(select(Unavailability))

    response = submit(f"/planning/people/{person.id}/unavailability/{period.id}/delete")

    assert response.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Unavailability)) == 0
