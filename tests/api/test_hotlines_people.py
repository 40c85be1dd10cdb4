"""Hotlines and people through the API: validation at the field, nothing saved when refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline.models import Hotline, Person
from hotline.planning.models import AuditLog, DefaultResponder


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_admin_creates_a_hotline_with_its_numbers_normalised(admin_api, make_person, db_session):
    carol = make_person("Carol")

    response = admin_api.post(
        "/api/v1/hotlines",
        json={
            "number": "01 84 88 99 00",
            "name": "Astreinte réseau",
            "timezone": "Europe/Paris",
            "fallback_number": "+33 6 12 34 56 78",
            "default_chain": [carol.id],
        },
    )

    assert response.status_code == 201
    document = response.json
    assert document["number"] == "+33184889900"
    assert document["number_national"] == "01 84 88 99 00"
    assert document["fallback_number"] == "+33612345678"
    assert document["default_chain"] == [carol.id]
    stored = db_session.get(Hotline, document["id"])
    assert (stored.name, stored.ring_timeout, stored.screening) == ("Astreinte réseau", 20, True)
    assert admin_api.get(f"/api/v1/hotlines/{stored.id}").json == document
    created = datetime.fromisoformat(document["created_at"])  # in the hotline's zone
    assert created.utcoffset() == created.astimezone(ZoneInfo("Europe/Paris")).utcoffset()
    assert created.utcoffset() != timedelta(0)


@pytest.mark.parametrize(
    ("change", "status", "field", "words"),
    [
        ({"number": "12"}, 422, "number", "not a valid phone number"),
        ({"fallback_number": "+33 1 23"}, 422, "fallback_number", "not a valid phone number"),
        ({"timezone": "Europe/Parys"}, 422, "timezone", "time zone"),
        ({"default_chain": [999_999]}, 422, "default_chain", "unknown person"),
        ({"name": "x" * 121}, 400, "name", "at most 120 characters"),
        ({"ring_timeout": 3600}, 400, "ring_timeout", "less than or equal to 600"),
        ({"ring_timeout": "20"}, 400, "ring_timeout", "valid integer"),
        ({"language": "de"}, 400, "language", "'fr' or 'en'"),
        ({"colour": "red"}, 400, "colour", "Extra inputs"),
        ({"greeting": "x" * 501}, 400, "greeting", "at most 500 characters"),
    ],
)
def test_bad_hotline_fields_are_refused_and_nothing_is_saved(
    admin_api, db_session, change, status, field, words
):
    before = count(db_session, Hotline)

    response = admin_api.post(
        "/api/v1/hotlines", json={"number": "0184889900", "name": "New line", **change}
    )

    assert response.status_code == status, response.json
    assert response.json["field"] == field
    assert words in response.json["message"]
    assert count(db_session, Hotline) == before


def test_a_taken_number_is_refused(admin_api, make_hotline, db_session):
    make_hotline(number="+33184881234")

    response = admin_api.post("/api/v1/hotlines", json={"number": "01 84 88 12 34", "name": "Dup"})

    assert (response.status_code, response.json["field"]) == (422, "number")
    assert count(db_session, Hotline) == 1


def test_patch_changes_only_the_fields_sent(
    admin_api, make_hotline, make_person, db_session, set_default_chain
):
    hotline = make_hotline(name="Before", ring_timeout=25)
    alice = make_person("Alice")
    set_default_chain(hotline, [alice])

    response = admin_api.patch(f"/api/v1/hotlines/{hotline.id}", json={"name": "After"})

    assert response.status_code == 200
    db_session.refresh(hotline)
    assert (hotline.name, hotline.ring_timeout) == ("After", 25)
    assert response.json["default_chain"] == [alice.id]


def test_a_new_default_chain_is_logged_before_and_after_and_a_rename_is_not(
    admin_api, make_hotline, make_person, db_session, set_default_chain
):
    hotline = make_hotline(name="Before")
    alice, bruno = make_person("Alice"), make_person("Bruno")
    set_default_chain(hotline, [alice])

    renamed = admin_api.patch(f"/api/v1/hotlines/{hotline.id}", json={"name": "After"})
    changed = admin_api.patch(f"/api/v1/hotlines/{hotline.id}", json={"default_chain": [bruno.id]})

    assert (renamed.status_code, changed.status_code) == (200, 200)
    lines = db_session.scalars(
        select(AuditLog).where(
            AuditLog.hotline_id == hotline.id, AuditLog.entity == "default_chain"
        )
    ).all()
    assert [(line.action, line.user_id is not None) for line in lines] == [("update", True)]
    names = [[p["name"] for p in line["chain"]] for line in (lines[0].before, lines[0].after)]
    assert names == [["Alice"], ["Bruno"]]


def test_a_refused_patch_leaves_everything_as_it_was(
    admin_api, make_hotline, make_person, db_session, set_default_chain
):
    hotline = make_hotline(name="Before")
    alice = make_person("Alice")
    set_default_chain(hotline, [alice])

    response = admin_api.patch(
        f"/api/v1/hotlines/{hotline.id}",
        json={"name": "After", "default_chain": [alice.id, alice.id]},
    )

    assert (response.status_code, response.json["field"]) == (422, "default_chain")
    db_session.expire_all()
    assert db_session.get(Hotline, hotline.id).name == "Before"
    chain = db_session.scalars(
        select(DefaultResponder.person_id).where(DefaultResponder.hotline_id == hotline.id)
    )
    assert list(chain) == [alice.id]


def test_null_is_refused_for_a_field_that_needs_a_value(admin_api, make_hotline):
    hotline = make_hotline()

    response = admin_api.patch(f"/api/v1/hotlines/{hotline.id}", json={"name": None})

    assert (response.status_code, response.json["field"]) == (400, "name")


def test_a_body_that_is_not_json_is_a_400(admin_api, db_session):
    response = admin_api.client.post(
        "/api/v1/hotlines",
        data="number=1",
        headers=admin_api.headers,
        content_type="application/x-www-form-urlencoded",
    )
    broken = admin_api.client.post(
        "/api/v1/hotlines", data="{", headers=admin_api.headers, content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON" in response.json["message"]
    assert broken.status_code == 400
    assert count(db_session, Hotline) == 0


def test_lists_are_paged(admin_api, make_hotline):
    for i in range(5):
        make_hotline(number=f"+3318488120{i}", name=f"Line {i}")

    first = admin_api.get("/api/v1/hotlines?limit=2").json
    last = admin_api.get("/api/v1/hotlines?limit=2&offset=4").json

    assert [h["name"] for h in first["items"]] == ["Line 0", "Line 1"]
    assert first["next_offset"] == 2
    assert [h["name"] for h in last["items"]] == ["Line 4"]
    assert last["next_offset"] is None


@pytest.mark.parametrize("limit", ["0", "501", "ten"])
def test_a_limit_outside_1_to_500_is_a_400(admin_api, limit):
    response = admin_api.get(f"/api/v1/people?limit={limit}")

    assert (response.status_code, response.json["field"]) == (400, "limit")


def test_people_are_created_with_their_mobile_in_e164_and_national_form(api_as, db_session):
    manager = api_as("manager")

    response = manager.post(
        "/api/v1/people",
        json={"name": "Élodie Martin", "mobile": "06 12 34 56 78", "email": "Elodie@Example.org"},
    )

    assert response.status_code == 201
    assert response.json["mobile"] == "+33612345678"
    assert response.json["mobile_national"] == "06 12 34 56 78"
    assert response.json["ref"] == "elodie-martin"
    assert response.json["email"] == "elodie@example.org"
    assert db_session.get(Person, response.json["id"]).mobile == "+33612345678"


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"mobile": "06 12"}, 422, "mobile"),
        ({"mobile": "not a number"}, 422, "mobile"),
        ({"email": "nobody"}, 422, "email"),
        ({"name": "   "}, 422, "name"),
        ({"ref": "Has Spaces"}, 400, "ref"),
        ({"name": "n" * 500}, 400, "name"),
        ({"active": "yes"}, 400, "active"),
    ],
)
def test_bad_person_fields_are_refused_and_nothing_is_saved(
    admin_api, db_session, fields, status, field
):
    before = count(db_session, Person)

    response = admin_api.post(
        "/api/v1/people", json={"name": "Zoé", "mobile": "0612345678", **fields}
    )

    assert response.status_code == status, response.json
    assert response.json["field"] == field
    assert response.json["error"] == ("invalid" if status == 422 else "bad_request")
    assert count(db_session, Person) == before


def test_a_refused_person_change_keeps_the_old_values(admin_api, make_person, db_session):
    person = make_person("Alice", mobile="+33612345601")

    response = admin_api.patch(
        f"/api/v1/people/{person.id}", json={"name": "Alicia", "mobile": "123"}
    )

    assert (response.status_code, response.json["field"]) == (422, "mobile")
    db_session.expire_all()
    assert (person.name, person.mobile) == ("Alice", "+33612345601")


def test_a_person_change_keeps_what_is_not_sent(admin_api, make_person, db_session):
    person = make_person("Alice", email="alice@example.org")

    response = admin_api.patch(f"/api/v1/people/{person.id}", json={"active": False})

    assert response.status_code == 200
    assert response.json["email"] == "alice@example.org"
    db_session.expire_all()
    assert person.active is False


def test_a_manager_lists_and_changes_only_the_people_in_reach(
    api_as, make_hotline, make_person, set_default_chain, db_session
):
    nord, sud = make_hotline(name="Nord"), make_hotline("+33184880002", name="Sud")
    alice, bruno, chloe, zoe = (make_person(n) for n in ("Alice", "Bruno", "Chloé", "Zoé"))
    set_default_chain(nord, [alice, chloe])
    set_default_chain(sud, [bruno, chloe])
    manager = api_as("manager", hotlines=(nord,))

    listed = manager.get("/api/v1/people").json["items"]
    shared = manager.patch(f"/api/v1/people/{chloe.id}", {"mobile": "0699887766"})

    assert [p["name"] for p in listed] == ["Alice", "Chloé", "Zoé"]  # not Sud's Bruno
    assert shared.status_code == 403
    assert shared.json["message"] == (
        f"person {chloe.id} is also on call for hotlines you do not manage ({sud.id}): "
        "only an admin or a manager of all their hotlines may change them"
    )
    db_session.expire_all()
    assert chloe.mobile != "+33699887766"


def test_a_manager_finds_everybody_to_put_in_a_chain_without_their_contact_details(
    api_as, make_hotline, make_person, set_default_chain
):
    nord, sud = make_hotline(name="Nord"), make_hotline("+33184880002", name="Sud")
    alice = make_person("Alice", email="alice@example.org")
    bruno = make_person("Bruno", email="bruno@example.org")
    yann = make_person("Yann", active=False)
    set_default_chain(nord, [alice])
    set_default_chain(sud, [bruno])
    manager = api_as("manager", hotlines=(nord,))

    choices = manager.get("/api/v1/people/choices")
    borrowed = manager.get(f"/api/v1/people/{bruno.id}")

    assert choices.status_code == 200
    assert choices.json["items"] == [
        {"id": alice.id, "name": "Alice", "active": True},
        {"id": bruno.id, "name": "Bruno", "active": True},  # Sud's, to borrow as a backup
        {"id": yann.id, "name": "Yann", "active": False},  # marked inactive, as the pickers do
    ]
    assert borrowed.status_code == 403
    listed = {p["name"]: p for p in manager.get("/api/v1/people").json["items"]}
    assert sorted(listed) == ["Alice", "Yann"]
    assert listed["Alice"]["email"] == "alice@example.org"  # their team's: details as before


def test_an_admin_finds_the_same_chain_choices_and_reads_everybody_in_full(
    admin_api, make_hotline, make_person, set_default_chain
):
    sud = make_hotline("+33184880002", name="Sud")
    alice, bruno = make_person("Alice"), make_person("Bruno", email="bruno@example.org")
    set_default_chain(sud, [bruno])

    choices = admin_api.get("/api/v1/people/choices?limit=1")
    listed = admin_api.get("/api/v1/people").json["items"]

    assert choices.json["items"] == [{"id": alice.id, "name": "Alice", "active": True}]
    assert choices.json["next_offset"] == 1
    assert [(p["name"], p["email"]) for p in listed] == [
        ("Alice", None),
        ("Bruno", "bruno@example.org"),
    ]


def test_the_description_tells_where_to_find_people_for_a_chain(admin_api):
    paths = admin_api.get("/api/v1/openapi.json").json["paths"]

    listing = paths["/api/v1/people"]["get"]["description"]
    choices = paths["/api/v1/people/choices"]["get"]

    assert listing.startswith("Roles: admin, manager. A manager gets the people of their teams")
    assert "GET /api/v1/people/choices lists everybody to put in a chain" in listing
    assert "id, name and status only" in choices["description"]
    schema = choices["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PersonChoicePage"}
