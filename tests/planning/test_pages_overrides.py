"""Override pages: replace a sick colleague for a span, swap two shifts, remove an override."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from hotline.db import utcnow
from hotline.i18n import format_local
from hotline.planning.models import OVERRIDE, Slot
from hotline.planning.oncall import resolve_chain
from hotline.planning.rules import set_labour_rules
from hotline.planning.unavailability import add_unavailability
from tests.planning.builders import audit_rows

PARIS = ZoneInfo("Europe/Paris")
# Whole days ahead, so "now" never falls inside the slots.
DAY = (utcnow().astimezone(PARIS) + timedelta(days=7)).replace(
    hour=8, minute=0, second=0, microsecond=0
)


def local(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def page_time(app, moment: datetime, language: str = "fr") -> str:
    """A time as the pages write their dates: "sam. 5 déc. 2026 12:00", never ISO."""
    with app.app_context(), force_locale(language):
        return format_local(moment, PARIS, "EEE d MMM y HH:mm")


# An ISO date (2026-12-05) said inside a sentence on a page.
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


@pytest.fixture
def week(hotline, team, make_slot):
    """Alice then Bruno, a day each, Bruno backing Alice up and Chloé backing Bruno up."""
    first = make_slot(hotline, DAY, DAY + timedelta(days=1), [team["Alice"], team["Bruno"]])
    second = make_slot(
        hotline, DAY + timedelta(days=1), DAY + timedelta(days=2), [team["Bruno"], team["Chloé"]]
    )
    return first, second


def replace_form(**fields) -> dict:
    return {f"replace-{k}": v for k, v in fields.items()}


def swap_form(**fields) -> dict:
    return {f"swap-{k}": v for k, v in fields.items()}


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def overrides(db_session) -> list[Slot]:
    db_session.expire_all()
    return list(
        db_session.scalars(select(Slot).where(Slot.kind == OVERRIDE).order_by(Slot.starts_at))
    )


def names_at(db_session, hotline, at: datetime) -> list[str]:
    return [r.name for r in resolve_chain(db_session, hotline.id, at).responders]


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<li class="flash flash-{category}"[^>]*>(.*?)</li>', page, re.S)


@pytest.fixture
def chloe_sick(db_session, team):
    """Chloé is off sick from DAY 12:00 to DAY 18:00, while Bruno backs Alice up."""
    return add_unavailability(
        db_session,
        team["Chloé"].id,
        starts_at=DAY + timedelta(hours=4),
        ends_at=DAY + timedelta(hours=10),
        kind="sickness",
        user_id=None,
    )


def test_a_replacement_off_sick_is_refused_naming_the_slots_and_nothing_is_written(
    app, client, login_as, submit, db_session, hotline, team, week, chloe_sick
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Bruno"].id),
            replacement=str(team["Chloé"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(days=2)),
        ),
    )

    assert response.status_code == 400
    [error] = field_errors(response, "replace-replacement")
    # In French, with the piece she would ring while sick and her place in the chain.
    assert error.startswith("Indisponibilité enregistrée pour Chloé, qui serait d’astreinte")
    # Times as the page writes its dates, not the API's ISO ones.
    start, end = (page_time(app, DAY + timedelta(hours=n)) for n in (4, 10))
    assert f"du {start} au {end} comme renfort 1" in error
    assert not ISO_DATE.search(error)
    assert overrides(db_session) == []
    assert names_at(db_session, hotline, DAY + timedelta(hours=5)) == ["Alice", "Bruno"]


def test_a_replacement_off_sick_goes_on_call_when_the_manager_confirms(
    app, client, login_as, submit, db_session, hotline, team, week, chloe_sick
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Bruno"].id),
            replacement=str(team["Chloé"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(days=1)),
            despite_absence="y",
        ),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert names_at(db_session, hotline, DAY + timedelta(hours=5)) == ["Alice", "Chloé"]
    [warning] = flashes(response.get_data(as_text=True), "warning")
    assert warning.startswith("D’astreinte pendant une indisponibilité")
    start, end = (page_time(app, DAY + timedelta(hours=n)) for n in (4, 10))
    assert f"du {start} au {end} comme renfort 1" in warning


def test_labour_warnings_cover_whoever_takes_the_freed_place(
    client, login_as, submit, db_session, hotline, team, week, set_default_chain
):
    # Chloé backs Bruno up on the second day; Bruno replacing her leaves the primary
    # place free, and Alice (default chain) takes it after her own day: two in a row.
    set_default_chain(hotline, [team["Alice"]])
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=1, min_rest_hours=None, user_id=None
    )
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Chloé"].id),
            replacement=str(team["Bruno"].id),
            starts_at=local(DAY + timedelta(days=1)),
            ends_at=local(DAY + timedelta(days=2)),
        ),
        follow_redirects=True,
    )

    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=1)) == ["Alice", "Bruno"]
    rules = [w for w in flashes(response.get_data(as_text=True), "warning") if "Règle" in w]
    assert len(rules) == 1
    assert "Alice" in rules[0]


def test_replacing_a_sick_colleague_takes_effect_for_exactly_the_span(
    client, login_as, submit, db_session, hotline, team, week
):
    login_as("manager", hotlines=(hotline,))
    start, end = DAY + timedelta(hours=4), DAY + timedelta(hours=30)

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Bruno"].id),
            replacement=str(team["Chloé"].id),
            starts_at=local(start),
            ends_at=local(end),
            note="Bruno malade",
        ),
    )

    assert response.status_code == 302
    assert names_at(db_session, hotline, start - timedelta(minutes=1)) == ["Alice", "Bruno"]
    assert names_at(db_session, hotline, start) == ["Alice", "Chloé"]
    assert names_at(db_session, hotline, DAY + timedelta(hours=25)) == ["Chloé"]
    assert names_at(db_session, hotline, end) == ["Bruno", "Chloé"]
    page = client.get(f"/planning/hotlines/{hotline.id}/overrides").get_data(as_text=True)
    rows = page.split('<table class="list overrides">')[1].split("</table>")[0].split("<tr>")[2:]
    assert len(rows) == 2
    assert "Alice, Chloé" in rows[0]
    assert "Alice, Bruno" in rows[0].split('class="previous"')[1], "the previous assignment"
    assert "Bruno malade" in rows[0]


def test_a_replacement_leaving_one_responder_says_so_on_the_result_page(
    app, client, login_as, submit, db_session, hotline, team, week
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Alice"].id),
            replacement=str(team["Bruno"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(days=1)),
        ),
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert names_at(db_session, hotline, DAY + timedelta(hours=1)) == ["Bruno"]
    # The manager reads French: the warning, the span and who is left.
    assert "cette astreinte n’a plus que 1 personne (Bruno)" in page
    [short] = [f for f in flashes(page, "warning") if "plus que 1 personne" in f]
    start, end = (page_time(app, DAY + timedelta(days=n)) for n in (0, 1))
    assert short.startswith(f"Moins de personnes d’astreinte : du {start} au {end}, cette")
    assert not ISO_DATE.search(short)


def test_a_replacement_keeps_the_chain_long_with_the_default_chain(
    client, login_as, submit, db_session, hotline, team, week, set_default_chain
):
    set_default_chain(hotline, [team["Alice"], team["Chloé"]])
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Alice"].id),
            replacement=str(team["Bruno"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(days=1)),
        ),
        follow_redirects=True,
    )

    assert names_at(db_session, hotline, DAY + timedelta(hours=1)) == ["Bruno", "Chloé"]
    assert "n’a plus que" not in response.get_data(as_text=True)


def test_the_override_shows_in_the_calendar(
    client, login_as, submit, db_session, hotline, team, week
):
    login_as("manager", hotlines=(hotline,))
    submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Alice"].id),
            replacement=str(team["Chloé"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(hours=6)),
        ),
    )

    page = client.get(
        f"/planning/hotlines/{hotline.id}/calendar", query_string={"month": DAY.strftime("%Y-%m")}
    ).get_data(as_text=True)

    cell = page.split(f'data-date="{DAY.date().isoformat()}"')[1].split("</td>")[0]
    override = re.search(r'<li class="entry override">(.*?)</li>', cell, re.S).group(1)
    assert "Chloé" in override
    assert "08:00–14:00" in override


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"person": ""}, "person"),
        ({"person": "999999"}, "person"),
        ({"replacement": ""}, "replacement"),
        ({"replacement": "__BRUNO__"}, "replacement"),  # the same person
        ({"starts_at": ""}, "starts_at"),
        ({"ends_at": "demain"}, "ends_at"),
        ({"ends_at": "__BEFORE__"}, "ends_at"),
        ({"starts_at": "2026-03-29T02:30"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ({"person": "__ALICE__", "starts_at": "__LATER__", "ends_at": "__MUCH_LATER__"}, "person"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_replacement_is_refused_at_its_field_and_nothing_is_written(
    client, login_as, submit, db_session, hotline, team, week, changes, field
):
    login_as("manager", hotlines=(hotline,))
    values = {
        "__BRUNO__": str(team["Bruno"].id),
        "__ALICE__": str(team["Alice"].id),
        "__BEFORE__": local(DAY),
        "__LATER__": local(DAY + timedelta(days=10)),  # Alice is not on call then
        "__MUCH_LATER__": local(DAY + timedelta(days=11)),
    }
    data = {
        "person": str(team["Bruno"].id),
        "replacement": str(team["Chloé"].id),
        "starts_at": local(DAY + timedelta(hours=4)),
        "ends_at": local(DAY + timedelta(hours=30)),
    }
    data.update({k: values.get(v, v) for k, v in changes.items()})

    response = submit(f"/planning/hotlines/{hotline.id}/overrides/replace", replace_form(**data))

    assert response.status_code == 400
    assert field_errors(response, f"replace-{field}"), f"no message at {field}"
    assert overrides(db_session) == []


def test_a_replacement_with_nobody_chosen_and_backward_times_gets_both_messages_at_once(
    client, login_as, submit, db_session, hotline, team, week
):
    login_as("manager", hotlines=(hotline,), language="fr")
    data = replace_form(
        person="",
        replacement=str(team["Chloé"].id),
        starts_at=local(DAY + timedelta(hours=4)),
        ends_at=local(DAY),
    )

    response = submit(f"/planning/hotlines/{hotline.id}/overrides/replace", data)

    assert response.status_code == 400
    assert field_errors(response, "replace-person") == ["Choisissez une personne de la liste."]
    assert field_errors(response, "replace-ends_at") == ["La fin est avant le début"]
    assert overrides(db_session) == []


def test_swapping_two_shifts(client, login_as, submit, db_session, hotline, team, week):
    first, second = week
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/swap",
        swap_form(first=str(first.id), second=str(second.id)),
    )

    assert response.status_code == 302
    assert names_at(db_session, hotline, DAY)[0] == "Bruno"
    assert names_at(db_session, hotline, DAY + timedelta(days=1))[0] == "Alice"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first": ""}, "first"),
        ({"second": "999999"}, "second"),
        ({"second": "__FIRST__"}, "second"),
    ],
)
def test_bad_swap_is_refused(
    client, login_as, submit, db_session, hotline, team, week, changes, field
):
    first, second = week
    login_as("manager", hotlines=(hotline,))
    data = {"first": str(first.id), "second": str(second.id)}
    data.update({k: (str(first.id) if v == "__FIRST__" else v) for k, v in changes.items()})

    response = submit(f"/planning/hotlines/{hotline.id}/overrides/swap", swap_form(**data))

    assert response.status_code == 400
    assert field_errors(response, f"swap-{field}")
    assert overrides(db_session) == []


def test_removing_an_override_brings_the_planning_back(
    client, login_as, submit, db_session, hotline, team, week, make_slot
):
    override = make_slot(hotline, DAY, DAY + timedelta(hours=2), [team["Chloé"]], override=True)
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/{override.id}/delete", {"version": "1"}
    )

    assert response.status_code == 302
    assert overrides(db_session) == []
    assert names_at(db_session, hotline, DAY) == ["Alice", "Bruno"]


def test_removing_a_changed_override_is_a_conflict(
    client, login_as, submit, db_session, hotline, team, week, make_slot
):
    override = make_slot(hotline, DAY, DAY + timedelta(hours=2), [team["Chloé"]], override=True)
    override.version = 2  # somebody edited it since the page was loaded
    db_session.flush()
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/{override.id}/delete", {"version": "1"}
    )

    assert response.status_code == 409
    assert len(overrides(db_session)) == 1


def test_a_regular_slot_cannot_be_removed_as_an_override(
    client, login_as, submit, db_session, hotline, week
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/{week[0].id}/delete", {"version": "1"}
    )

    assert response.status_code == 404
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 2


def test_readers_see_overrides_without_the_forms(client, login_as, hotline, team, week, make_slot):
    make_slot(hotline, DAY, DAY + timedelta(hours=2), [team["Chloé"]], override=True)
    login_as("agent")

    page = client.get(f"/planning/hotlines/{hotline.id}/overrides").get_data(as_text=True)

    assert "Chloé" in page
    assert 'id="replace"' not in page
    assert "/delete" not in page


@pytest.fixture
def alice_away_day_two(db_session, team):
    """Alice is on leave from DAY+1 10:00 to 14:00: the shift a swap would give her."""
    return add_unavailability(
        db_session,
        team["Alice"].id,
        starts_at=DAY + timedelta(days=1, hours=2),
        ends_at=DAY + timedelta(days=1, hours=6),
        kind="leave",
        user_id=None,
    )


def test_a_swap_giving_a_shift_to_somebody_away_is_refused_naming_who_and_when(
    app, client, login_as, submit, db_session, hotline, team, week, alice_away_day_two
):
    first, second = week
    login_as("manager", hotlines=(hotline,))
    logged = len(audit_rows(db_session, hotline.id))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/swap",
        swap_form(first=str(first.id), second=str(second.id)),
    )

    assert response.status_code == 400
    [error] = field_errors(response, "swap-second")
    assert error.startswith("Indisponibilité enregistrée pour Alice, qui serait d’astreinte")
    start, end = (page_time(app, DAY + timedelta(days=1, hours=n)) for n in (2, 6))
    assert f"du {start} au {end} comme titulaire" in error
    # The box to confirm is on the form, unticked.
    assert 'name="swap-despite_absence"' in response.get_data(as_text=True)
    assert overrides(db_session) == []
    assert len(audit_rows(db_session, hotline.id)) == logged
    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=3)) == ["Bruno", "Chloé"]


def test_a_swap_confirmed_despite_an_absence_is_saved_and_the_pieces_are_flashed(
    app, client, login_as, submit, db_session, hotline, team, week, alice_away_day_two
):
    first, second = week
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/swap",
        swap_form(first=str(first.id), second=str(second.id), despite_absence="y"),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=3)) == ["Alice", "Chloé"]
    [warning] = flashes(response.get_data(as_text=True), "warning")
    start, end = (page_time(app, DAY + timedelta(days=1, hours=n)) for n in (2, 6))
    assert warning == (
        f"D’astreinte pendant une indisponibilité : Alice, du {start} au {end} comme titulaire."
    )


def test_a_swap_is_not_refused_for_an_absence_outside_the_shift_taken(
    client, login_as, submit, db_session, hotline, team, week
):
    first, second = week
    # Alice is away on a later day, and Bruno during his own shift, which he gives away.
    for name, day in (("Alice", 3), ("Bruno", 1)):
        add_unavailability(
            db_session,
            team[name].id,
            starts_at=DAY + timedelta(days=day),
            ends_at=DAY + timedelta(days=day, hours=4),
            kind="leave",
            user_id=None,
        )
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/swap",
        swap_form(first=str(first.id), second=str(second.id)),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=1)) == ["Alice", "Chloé"]
    assert flashes(response.get_data(as_text=True), "warning") == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_replacing_somebody_not_on_call_names_the_span_as_the_page_writes_dates(
    app, client, login_as, submit, db_session, hotline, team, week, language
):
    # Chloé is nobody's primary or backup on the first day.
    login_as("manager", hotlines=(hotline,), language=language)

    response = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        replace_form(
            person=str(team["Chloé"].id),
            replacement=str(team["Alice"].id),
            starts_at=local(DAY),
            ends_at=local(DAY + timedelta(hours=4)),
        ),
    )

    assert response.status_code == 400
    [error] = field_errors(response, "replace-person")
    start, end = (page_time(app, DAY + timedelta(hours=n), language) for n in (0, 4))
    said = {
        "fr": f"Chloé n’est pas d’astreinte entre {start} et {end}",
        "en": f"Chloé is not on call between {start} and {end}",
    }
    assert error == said[language]
    assert overrides(db_session) == []
