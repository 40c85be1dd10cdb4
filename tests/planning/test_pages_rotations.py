"""Rotation pages: create and edit (every field checked), generate N weeks and what it did."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask_babel import force_locale
from sqlalchemy import func, select

from hotline.i18n import format_local_date
from hotline.planning.models import Rotation, Slot, Unavailability

PARIS = ZoneInfo("Europe/Paris")
# A Monday far enough ahead that "now" never falls inside the generated weeks.
MONDAY = date.today() + timedelta(days=28 - date.today().weekday())


@pytest.fixture
def hotline(make_hotline):
    return make_hotline(name="Astreinte Nord")


@pytest.fixture
def team(make_person):
    return [make_person(n) for n in ("Alice", "Bruno", "Chloé")]


def rotation_form(team, **changes):
    data = {
        "name": "Semaine",
        "members-0": str(team[0].id),
        "members-1": str(team[1].id),
        "members-2": str(team[2].id),
        "shift_length": "1",
        "shift_unit": "weeks",
        "handoff": "08:00",
        "start_date": MONDAY.isoformat(),
        "timezone": "",
        "pattern": "every_day",
        "window_start": "",
        "window_end": "",
        "backup_count": "1",
    }
    data.update(changes)
    return data


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_manager_creates_a_weekly_rotation_then_is_sent_to_generate(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))

    response = submit(f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(team))

    assert response.status_code == 302
    rotation = db_session.scalar(select(Rotation).where(Rotation.hotline_id == hotline.id))
    assert response.headers["Location"].endswith(f"/rotations/{rotation.id}/generate")
    assert [m.person.name for m in rotation.members] == ["Alice", "Bruno", "Chloé"]
    assert (rotation.shift_hours, rotation.handoff, rotation.start_date) == (168, time(8), MONDAY)
    assert rotation.weekday_set == frozenset(range(1, 8))
    assert (rotation.backup_count, rotation.timezone) == (1, None)


def test_weekday_only_daytime_rotation_with_explicit_backups(
    client, login_as, submit, db_session, hotline, team, make_person
):
    chief = make_person("Chef")
    login_as("admin")

    submit(
        f"/planning/hotlines/{hotline.id}/rotations/new",
        rotation_form(
            team,
            name="Jours ouvrés",
            shift_length="1",
            shift_unit="days",
            pattern="weekdays",
            window_start="08:00",
            window_end="20:00",
            backup_count="0",
            **{"backups-0": str(chief.id)},
        ),
    )

    rotation = db_session.scalar(select(Rotation).where(Rotation.name == "Jours ouvrés"))
    assert rotation.weekday_set == frozenset(range(1, 6))
    assert (rotation.window_start, rotation.window_end) == (time(8), time(20))
    assert [b.person.name for b in rotation.backups] == ["Chef"]
    listing = client.get(f"/planning/hotlines/{hotline.id}/rotations").get_data(as_text=True)
    assert "Monday to Friday" in listing or "lundi au vendredi" in listing


def test_custom_days(client, login_as, submit, db_session, hotline, team):
    login_as("admin")

    submit(
        f"/planning/hotlines/{hotline.id}/rotations/new",
        rotation_form(team, pattern="custom", weekdays=["6", "7"], shift_unit="days"),
    )

    assert db_session.scalar(select(Rotation)).weekday_set == frozenset({6, 7})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Existante"}, "name"),
        ({"members-0": "", "members-1": "", "members-2": ""}, "members"),
        ({"members-2": "__ALICE__"}, "members"),  # replaced by Alice's id: twice
        ({"members-2": "999999"}, "members"),
        ({"shift_length": "0"}, "shift_length"),
        ({"shift_length": "32", "shift_unit": "days"}, "shift_length"),  # 768 h
        ({"shift_length": "many"}, "shift_length"),
        ({"shift_unit": "fortnights"}, "shift_unit"),
        ({"handoff": "25:00"}, "handoff"),
        ({"handoff": ""}, "handoff"),
        ({"start_date": ""}, "start_date"),
        ({"start_date": "1850-01-07"}, "start_date"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"pattern": "custom"}, "weekdays"),
        ({"pattern": "custom", "weekdays": ["8"]}, "weekdays"),
        ({"window_start": "08:00"}, "window_end"),
        ({"window_start": "08:00", "window_end": "08:00"}, "window_end"),
        ({"backup_count": "3"}, "backup_count"),
        ({"backup_count": "-1"}, "backup_count"),
        ({"backups-0": "999999"}, "backups"),
    ],
)
def test_bad_rotation_input_is_refused_at_its_field_and_nothing_is_saved(
    client, login_as, submit, db_session, hotline, team, changes, field
):
    login_as("manager", hotlines=(hotline,))
    submit(f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(team, name="Existante"))
    before = count(db_session, Rotation)
    changes = {k: (str(team[0].id) if v == "__ALICE__" else v) for k, v in changes.items()}

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/new",
        rotation_form(team, **{"name": "Nouvelle", **changes}),
    )

    assert response.status_code == 400
    assert field_errors(response, field), f"no message at {field}"
    assert count(db_session, Rotation) == before


def labels_in(page: str, fieldset: str) -> list[str]:
    """The labels of the places of a chain fieldset, by the fieldset's legend."""
    block = page.split(f"<legend>{fieldset}</legend>")[1].split("</fieldset>")[0]
    return re.findall(r"<label[^>]*>([^<]+)</label>", block)


def test_rotation_form_names_members_and_extra_backups_for_what_they_are(
    client, login_as, hotline, team
):
    login_as("manager", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/rotations/new").get_data(as_text=True)

    assert labels_in(page, "Membres, dans l’ordre des tours")[:3] == [
        "Membre 1", "Membre 2", "Membre 3",
    ]  # fmt: skip
    assert labels_in(page, "Puis ces renforts")[:2] == ["Renfort 1", "Renfort 2"]


def test_a_rotation_without_members_asks_for_a_member(client, login_as, submit, hotline, team):
    login_as("manager", hotlines=(hotline,))
    no_members = {f"members-{i}": "" for i in range(3)}

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(team, **no_members)
    )

    assert response.status_code == 400
    assert field_errors(response, "members") == ["Choisissez au moins un membre."]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"members-1": "", "members-2": "", "backup_count": "1"},
            "backup_count",
            "Un roulement d’un seul membre n’a pas de renfort parmi ses membres : choisissez 0 "
            "(les renforts désignés à part renforcent quand même la personne d’astreinte)",
        ),
        ({"shift_length": "40", "shift_unit": "days"}, "shift_length",
         "Une astreinte dure au plus 31 jours."),
        ({"shift_length": "5", "shift_unit": "weeks"}, "shift_length",
         "Une astreinte dure au plus 4 semaines."),
    ],
)  # fmt: skip
def test_limits_are_explained_in_the_forms_own_terms(
    client, login_as, submit, hotline, team, changes, field, message
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(team, **changes)
    )

    assert response.status_code == 400
    assert field_errors(response, field) == [message]


def create(submit, hotline, team, **changes) -> int:
    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/new", rotation_form(team, **changes)
    )
    return int(re.search(r"/rotations/(\d+)/generate", response.headers["Location"]).group(1))


def test_generate_writes_the_weeks_and_shows_a_member_on_leave_skipped(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)
    # Bruno, whose turn is the second week, is on leave that Wednesday.
    leave_day = MONDAY + timedelta(days=9)
    db_session.add(
        Unavailability(
            person_id=team[1].id,
            starts_at=datetime.combine(leave_day, time(0), tzinfo=PARIS).astimezone(UTC),
            ends_at=datetime.combine(leave_day, time(23), tzinfo=PARIS).astimezone(UTC),
            kind="leave",
        )
    )
    db_session.flush()

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        {"weeks": "3", "from_day": MONDAY.isoformat()},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<dd class="created">3</dd>', page)
    skips = page.split('class="list skips"')[1].split("</table>")[0]
    assert "Bruno" in skips
    assert "Congé" in skips
    assert "Chloé" in skips  # took the turn
    assert count(db_session, Slot) == 3


def test_preview_shows_the_result_and_writes_nothing(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)

    response = client.get(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        query_string={"weeks": "4", "from_day": MONDAY.isoformat()},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<dt>Créneaux à créer</dt><dd class="created">4</dd>', page)
    assert "Créneaux écrits" not in page, "a preview writes nothing"
    assert count(db_session, Slot) == 0


def test_an_english_preview_gives_its_period_with_a_24_hour_clock(
    client, login_as, submit, hotline, team
):
    login_as("manager", hotlines=(hotline,), language="en")
    rotation_id = create(submit, hotline, team)

    page = client.get(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        query_string={"weeks": "1", "from_day": MONDAY.isoformat()},
    ).get_data(as_text=True)

    start = format_date(MONDAY, "EEE d MMM y", locale="en")
    assert f"From {start} 00:00 to " in page, "not a month-first date and a 12-hour clock"


def test_generating_twice_changes_nothing_the_second_time(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)
    path = f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate"
    data = {"weeks": "2", "from_day": MONDAY.isoformat()}

    submit(path, data)
    again = submit(path, data).get_data(as_text=True)

    assert re.search(r'<dd class="created">0</dd>', again)
    assert re.search(r'<dd class="kept">2</dd>', again)
    assert count(db_session, Slot) == 2


def test_rule_warnings_are_shown_after_generation(
    app, client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    submit(f"/planning/hotlines/{hotline.id}/rules", {"max_consecutive_days": "5"})
    rotation_id = create(submit, hotline, team)

    page = submit(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        {"weeks": "1", "from_day": MONDAY.isoformat()},
    ).get_data(as_text=True)

    warnings = page.split('class="warnings rule-warnings"')[1].split("</ul>")[0]
    assert "Alice" in warnings
    # The day the run starts, as the page writes dates (not 2026-12-07).
    with app.app_context(), force_locale("fr"):
        monday = format_local_date(MONDAY, None, "EEE d MMM y")
    assert f"Alice serait d’astreinte 7 jours de suite à partir du {monday}" in warnings
    assert MONDAY.isoformat() not in warnings


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weeks": "0"}, "weeks"),
        ({"weeks": "105"}, "weeks"),
        ({"weeks": "x"}, "weeks"),
        ({"weeks": "2", "from_day": "demain"}, "from_day"),
        ({"weeks": "1", "from_day": "0001-01-01"}, "from_day"),
        ({"weeks": "1", "from_day": "9999-12-31"}, "from_day"),
    ],
)
def test_bad_generation_input_is_refused(
    client, login_as, submit, db_session, hotline, team, data, field
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)

    response = submit(f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate", data)

    assert response.status_code == 400
    assert field_errors(response, field)
    assert count(db_session, Slot) == 0


def test_editing_with_a_stale_version_is_a_conflict(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)
    path = f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}"

    first = submit(path, rotation_form(team, name="Première", version="1"))
    second = submit(path, rotation_form(team, name="Seconde", version="1"))

    assert first.status_code == 302
    assert second.status_code == 409
    assert 'class="conflict"' in second.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Rotation, rotation_id).name == "Première"


def test_edit_form_shows_the_stored_rotation(client, login_as, submit, hotline, team):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(
        submit, hotline, team, shift_length="2", shift_unit="days", pattern="weekdays"
    )

    page = client.get(f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}").get_data(
        as_text=True
    )

    assert 'id="shift_length" min="1" name="shift_length" required type="number" value="2"' in page
    assert re.search(r'<option selected value="days">|<option value="days" selected>', page)
    assert re.search(r'<option selected value="weekdays">|<option value="weekdays" selected>', page)


def test_deleting_a_rotation_removes_its_coming_slots(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)
    submit(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        {"weeks": "2", "from_day": MONDAY.isoformat()},
    )

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/delete", {"version": "1"}
    )

    assert response.status_code == 302
    assert count(db_session, Rotation) == 0
    assert count(db_session, Slot) == 0


def test_preview_is_asked_without_the_csrf_token_and_generating_follows_it(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    rotation_id = create(submit, hotline, team)
    path = f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate"
    first = client.get(path).get_data(as_text=True)
    preview_form = re.search(r'<form[^>]* method="get"[^>]*>(.*?)</form>', first, re.S)[1]
    assert "csrf_token" not in preview_form

    preview = client.get(path, query_string={"weeks": "3", "from_day": MONDAY.isoformat()})

    page = preview.get_data(as_text=True)
    assert re.search(r'<dd class="created">3</dd>', page)
    generate = re.search(
        r'<form[^>]* method="post" class="generate"[^>]*>(.*?)</form>', page, re.S
    )[1]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', generate))
    assert fields.keys() == {"csrf_token", "weeks", "from_day"}
    assert count(db_session, Slot) == 0
    done = client.post(path, data=fields).get_data(as_text=True)
    assert "Créneaux écrits" in done
    assert 'class="generate"' not in done
    assert count(db_session, Slot) == 3
