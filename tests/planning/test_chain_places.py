"""Chains of any length in one go: 'Add a member' / 'Add a backup' give one more place.

Without JavaScript the button sends the form back; the page returns with what was
typed and one more empty place, nothing saved (in a browser, chain-places.js adds it
on the page: tests/browser/test_rotation_places.py). Rotations (members, backups),
slots and a hotline's default chain all have it.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.models import Hotline
from hotline.planning.forms import MAX_CHAIN_PLACES
from hotline.planning.models import Rotation, Slot

from .test_pages_rotations import rotation_form


@pytest.fixture
def hotline(make_hotline):
    return make_hotline(name="Astreinte Nord")


@pytest.fixture
def crew(make_person):
    return [make_person(f"Agent {n}") for n in range(1, 9)]


def selected(page: str, field: str) -> dict[int, str]:
    """The person chosen in each place of `field`, by index ('' for nobody)."""
    chosen = {}
    for index, body in re.findall(
        rf'<select id="{field}-(\d+)" name="[^"]+">(.*?)</select>', page, re.S
    ):
        picked = re.search(r'<option selected value="(\d*)"', body)
        chosen[int(index)] = picked[1] if picked else ""
    return chosen


def rotations(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Rotation))


def test_add_a_member_without_javascript_returns_one_more_place_and_saves_nothing(
    login_as, submit, db_session, hotline, crew
):
    login_as("manager", hotlines=(hotline,), language="fr")
    path = f"/planning/hotlines/{hotline.id}/rotations/new"
    data = rotation_form(crew, **{f"members-{i}": str(crew[i].id) for i in range(5)})

    response = submit(path, {**data, "more_places": "members"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert rotations(db_session) == 0
    members = selected(page, "members")
    # The five chosen stay chosen; the spare place and the one asked for are empty.
    assert [members[i] for i in range(5)] == [str(p.id) for p in crew[:5]]
    assert (len(members), members[5], members[6]) == (7, "", "")
    assert ">Membre 7</label>" in page
    assert "Ajouter un membre" in page
    assert 'class="errors"' not in page  # not validated: nothing to correct yet


def test_eight_members_saved_after_asking_for_places(login_as, submit, db_session, hotline, crew):
    login_as("manager", hotlines=(hotline,), language="en")
    path = f"/planning/hotlines/{hotline.id}/rotations/new"
    data = rotation_form(crew, **{f"members-{i}": str(crew[i].id) for i in range(3)})
    for _ in range(3):  # 5 places shown, 3 filled: three more empty places, one at a time
        page = submit(path, {**data, "more_places": "members"}).get_data(as_text=True)
        assert "Add a member" in page
        # The browser sends back every place of the page, empty ones included.
        data = {**{f"members-{i}": "" for i in selected(page, "members")}, **data}
    assert len(selected(page, "members")) == 8

    response = submit(path, {**data, **{f"members-{i}": str(crew[i].id) for i in range(8)}})

    assert response.status_code == 302
    rotation = db_session.scalar(select(Rotation))
    assert [m.person.name for m in rotation.members] == [p.name for p in crew]


def test_add_a_backup_and_editing_keeps_the_version(login_as, submit, db_session, hotline, crew):
    login_as("manager", hotlines=(hotline,), language="en")
    new = submit(f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(crew))
    rotation = db_session.scalar(select(Rotation))
    path = f"/planning/hotlines/{hotline.id}/rotations/{rotation.id}"
    data = rotation_form(crew, name="Renamed", version="1")

    response = submit(path, {**data, "more_places": "backups"})

    page = response.get_data(as_text=True)
    assert new.status_code == 302
    assert response.status_code == 200
    assert len(selected(page, "backups")) == 6
    assert ">Backup 6</label>" in page
    assert 'value="Renamed"' in page
    db_session.expire_all()
    assert (db_session.get(Rotation, rotation.id).name, rotation.version) == ("Semaine", 1)


def test_places_stop_at_the_most_a_chain_holds(login_as, submit, db_session, hotline, crew):
    login_as("manager", hotlines=(hotline,), language="en")
    path = f"/planning/hotlines/{hotline.id}/rotations/new"
    empty = {f"members-{i}": "" for i in range(3, MAX_CHAIN_PLACES)}

    response = submit(path, {**rotation_form(crew), **empty, "more_places": "members"})

    page = response.get_data(as_text=True)
    assert len(selected(page, "members")) == MAX_CHAIN_PLACES
    assert "Add a member" not in page
    assert "Add a backup" in page


def test_an_unknown_place_list_is_an_ordinary_save(login_as, submit, db_session, hotline, crew):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/new",
        {**rotation_form(crew), "more_places": "name"},
    )

    assert response.status_code == 302
    assert rotations(db_session) == 1


def test_a_slot_s_chain_gets_a_sixth_place_without_saving(
    login_as, submit, db_session, hotline, crew
):
    login_as("manager", hotlines=(hotline,), language="fr")
    data = {
        "starts_at": "2026-05-04T08:00",
        "ends_at": "2026-05-05T08:00",
        "note": "",
        **{f"chain-{i}": str(crew[i].id) for i in range(4)},
        "chain-4": "",
    }

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new", {**data, "more_places": "chain"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0
    assert len(selected(page, "chain")) == 6
    assert ">Renfort 5</label>" in page  # Titulaire, Renfort 1 ... Renfort 5
    assert "Ajouter un renfort" in page


def test_a_hotline_s_default_chain_gets_a_sixth_place_without_saving(
    login_as, submit, db_session, hotline, crew
):
    login_as("admin", language="en")
    data = {
        "number": "+33184881234",
        "name": "Renamed",
        "timezone": "Europe/Paris",
        "language": "fr",
        "ring_timeout": "25",
        "screening": "y",
        "fallback_number": "",
        "greeting": "",
        **{f"default_chain-{i}": "" for i in range(5)},
    }

    response = submit(
        f"/planning/hotlines/{hotline.id}/settings", {**data, "more_places": "default_chain"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(selected(page, "default_chain")) == 6
    assert "Add a backup" in page
    db_session.expire_all()
    assert db_session.get(Hotline, hotline.id).name == "Astreinte Nord"
