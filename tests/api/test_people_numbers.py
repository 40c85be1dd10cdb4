"""People through the API: a landline or a shared number is saved, and the answer warns."""

from __future__ import annotations

from sqlalchemy import func, select

from hotline.models import Person


def test_a_landline_is_saved_and_the_answer_warns_that_sms_alerts_miss_it(admin_api, db_session):
    refused = admin_api.post("/api/v1/people", json={"name": "Zoé", "mobile": "01 84"})
    assert (refused.status_code, refused.json["field"]) == (422, "mobile")  # still refused
    assert "warnings" not in refused.json
    assert db_session.scalar(select(func.count()).select_from(Person)) == 0

    response = admin_api.post("/api/v1/people", json={"name": "Zoé", "mobile": "01 84 88 12 35"})

    assert response.status_code == 201, response.json
    assert db_session.get(Person, response.json["id"]).mobile == "+33184881235"
    assert response.json["warnings"] == [
        {
            "warning": "landline",
            "mobile": "+33184881235",
            "shared_with": [],
            "others_withheld": 0,
            "message": "01 84 88 12 35 is a landline: calls can ring it, but SMS alerts "
            "(missed calls, voicemails, shift reminders) cannot reach it.",
        }
    ]


def test_a_mobile_of_their_own_gets_an_empty_warnings_list(admin_api):
    response = admin_api.post("/api/v1/people", json={"name": "Zoé", "mobile": "06 12 34 56 78"})

    assert (response.status_code, response.json["warnings"]) == (201, [])


def test_a_change_to_a_number_another_active_person_has_warns_and_names_them(
    admin_api, make_person, db_session
):
    alice = make_person("Alice", mobile="+33612345601")
    make_person("Bruno", mobile="+33612345601", active=False)  # left the team: not rung
    chloe = make_person("Chloé", mobile="+33612345603")

    response = admin_api.patch(f"/api/v1/people/{chloe.id}", json={"mobile": "06 12 34 56 01"})

    assert response.status_code == 200, response.json
    [warning] = response.json["warnings"]
    assert warning["warning"] == "shared_number"
    assert warning["shared_with"] == [{"id": alice.id, "name": "Alice", "active": True}]
    assert warning["message"].startswith("06 12 34 56 01 is also the number of Alice: ")
    db_session.expire_all()
    assert chloe.mobile == "+33612345601"


def test_a_manager_is_not_told_whose_number_it_is_outside_their_teams(
    manager, hotline, make_hotline, make_person, set_default_chain, db_session
):
    # Alice rings for another team's hotline only: her number is not the manager's to see.
    elsewhere = make_hotline(name="Astreinte Sud", number="+33184889999")
    set_default_chain(elsewhere, [make_person("Alice", mobile="+33612345601")])

    response = manager.post("/api/v1/people", json={"name": "Zoé", "mobile": "06 12 34 56 01"})

    assert response.status_code == 201, response.json
    [warning] = response.json["warnings"]
    assert (warning["shared_with"], warning["others_withheld"]) == ([], 1)
    assert warning["message"].startswith(
        "06 12 34 56 01 is also the number of 1 person outside your teams: "
    )
    assert "Alice" not in str(response.json)
