"""Slot pages: add and edit by hand, the optimistic lock's conflict, removal, history."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline.planning.models import Slot
from hotline.planning.unavailability import add_unavailability
from tests.planning.builders import audit_rows

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def slot(hotline, team, make_slot):
    return make_slot(
        hotline, paris(2026, 5, 4, 8), paris(2026, 5, 5, 8), [team["Alice"], team["Bruno"]]
    )


def slot_form(team, **changes):
    data = {
        "starts_at": "2026-05-04T08:00",
        "ends_at": "2026-05-05T08:00",
        "chain-0": str(team["Alice"].id),
        "chain-1": str(team["Bruno"].id),
        "note": "",
    }
    data.update(changes)
    return data


def loaded_version(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def chain_of(db_session, slot) -> list[str]:
    db_session.expire_all()
    return [r.person.name for r in db_session.get(Slot, slot.id).responders]


def test_edit_form_shows_the_slot_in_local_time_with_its_version(client, login_as, hotline, slot):
    login_as("manager", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/slots/{slot.id}").get_data(as_text=True)

    assert 'value="2026-05-04T08:00"' in page
    assert 'value="2026-05-05T08:00"' in page
    assert f'name="version" type="hidden" value="{slot.version}"' in page


def test_manager_changes_the_chain_and_times(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"

    response = submit(
        path,
        slot_form(
            team,
            version=loaded_version(client, path),
            ends_at="2026-05-05T09:30",
            **{"chain-0": str(team["Chloé"].id), "chain-1": str(team["Alice"].id)},
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calendar?month=2026-05")
    assert chain_of(db_session, slot) == ["Chloé", "Alice"]
    assert db_session.get(Slot, slot.id).ends_at == paris(2026, 5, 5, 9, 30)


def test_second_post_with_the_same_version_gets_a_conflict_and_overwrites_nothing(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    version = loaded_version(client, path)  # both managers loaded the same version

    first = submit(path, slot_form(team, version=version, **{"chain-0": str(team["Chloé"].id)}))
    second = submit(path, slot_form(team, version=version, **{"chain-1": str(team["Chloé"].id)}))

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert 'class="conflict"' in page
    assert "Rien de ce que vous avez saisi n’a été enregistré" in page
    assert f'href="{path}"' in page, "a link to reload the slot"
    assert chain_of(db_session, slot) == ["Chloé", "Bruno"], "the first edit stands"


def test_editing_a_slot_deleted_meanwhile_is_a_conflict(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    version = loaded_version(client, path)
    submit(f"{path}/delete", {"version": version})

    response = submit(path, slot_form(team, version=version))

    assert response.status_code == 409
    assert "Ce créneau a été supprimé entre-temps" in response.get_data(as_text=True)
    assert client.get(path).status_code == 404


def test_removing_a_slot_with_a_stale_version_is_a_conflict(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("admin")
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    version = loaded_version(client, path)
    submit(path, slot_form(team, version=version, note="changed first"))

    response = submit(f"{path}/delete", {"version": version})

    assert response.status_code == 409
    assert db_session.get(Slot, slot.id) is not None


def test_manager_removes_a_slot(client, login_as, submit, db_session, hotline, slot):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"

    slot_id = slot.id

    response = submit(f"{path}/delete", {"version": loaded_version(client, path)})

    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Slot, slot_id) is None


def test_manager_adds_a_slot_by_hand(client, login_as, submit, db_session, hotline, team):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new",
        slot_form(team, starts_at="2026-06-01T20:00", ends_at="2026-06-02T08:00", version="0"),
    )

    assert response.status_code == 302
    added = db_session.scalar(select(Slot).where(Slot.hotline_id == hotline.id))
    assert (added.starts_at, added.ends_at) == (paris(2026, 6, 1, 20), paris(2026, 6, 2, 8))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_at": ""}, "starts_at", "Indiquez une date et une heure."),
        ({"starts_at": "lundi"}, "starts_at", None),
        ({"starts_at": "2026-03-29T02:30"}, "starts_at", "n’existe pas en Europe/Paris"),
        ({"ends_at": "2026-10-25T02:30"}, "ends_at", "survient deux fois"),
        (
            {"starts_at": "0001-01-01T00:00"},
            "starts_at",
            "Choisissez une date comprise entre les années 2000 et 2100.",
        ),
        (
            {"ends_at": "9999-12-31T23:30"},
            "ends_at",
            "Choisissez une date comprise entre les années 2000 et 2100.",
        ),
        ({"ends_at": "2026-05-04T07:00"}, "ends_at", None),  # before the start
        ({"ends_at": "2026-05-04T08:00"}, "ends_at", None),  # lasts nothing
        ({"ends_at": "2026-07-04T08:00"}, "ends_at", None),  # absurdly long
        ({"chain-0": "", "chain-1": ""}, "chain", "Choisissez au moins la personne d’astreinte."),
        ({"chain-0": "999999"}, "chain", "Choisissez des personnes de la liste."),
        ({"chain-1": "ALICE"}, "chain", "Choisissez des personnes de la liste."),
        ({"note": "x" * 201}, "note", None),
    ],
)
def test_bad_slot_input_is_refused_at_its_field_and_nothing_changes(
    client, login_as, submit, db_session, hotline, team, slot, changes, field, message
):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    data = slot_form(team, version=loaded_version(client, path))
    if field == "chain" and "chain-1" in changes:
        data["chain-0"] = str(team["Alice"].id)
    data.update(changes)

    response = submit(path, data)

    assert response.status_code == 400
    errors = field_errors(response, field)
    assert errors, f"no message at {field}"
    if message:
        assert any(message in e for e in errors), errors
    db_session.expire_all()
    kept = db_session.get(Slot, slot.id)
    assert (kept.starts_at, kept.ends_at, kept.version) == (slot.starts_at, slot.ends_at, 1)


def test_a_new_slot_with_no_chain_and_backward_times_gets_both_messages_at_once(
    client, login_as, submit, db_session, hotline, team
):
    login_as("manager", hotlines=(hotline,))
    data = slot_form(team, version="0", **{"ends_at": "2026-05-04T07:00"})
    data.update({"chain-0": "", "chain-1": ""})

    response = submit(f"/planning/hotlines/{hotline.id}/slots/new", data)

    # Both mistakes in one answer, not the second one after the first is fixed.
    assert response.status_code == 400
    assert field_errors(response, "chain") == ["Choisissez au moins la personne d’astreinte."]
    assert field_errors(response, "ends_at") == ["La fin est avant le début"]
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0


def test_a_person_twice_in_the_chain_is_refused(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"

    response = submit(
        path,
        slot_form(team, version=loaded_version(client, path), **{"chain-1": str(team["Alice"].id)}),
    )

    assert response.status_code == 400
    assert field_errors(response, "chain") == ["Une personne figure deux fois dans la chaîne."]


def test_overlapping_regular_slots_are_refused(
    client, login_as, submit, db_session, hotline, team, slot
):
    login_as("manager", hotlines=(hotline,))
    before = db_session.scalar(select(func.count()).select_from(Slot))

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new",
        slot_form(team, starts_at="2026-05-05T07:00", ends_at="2026-05-05T12:00", version="0"),
    )

    assert response.status_code == 400
    assert field_errors(response, "starts_at")
    assert db_session.scalar(select(func.count()).select_from(Slot)) == before


def warnings_on_save(client, submit, hotline, team, slot, **rules: str) -> list[str]:
    """Set the hotline's labour rules, save `slot` as it is: the warnings flashed."""
    no_rules = {"min_rest_hours": "", "max_consecutive_days": ""}
    submit(f"/planning/hotlines/{hotline.id}/rules", {**no_rules, **rules})
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    response = submit(
        path, slot_form(team, version=loaded_version(client, path)), follow_redirects=True
    )
    flashed = re.findall(r'<li class="flash flash-warning"[^>]*>(.*?)</li>', response.text, re.S)
    return [html.unescape(f).strip() for f in flashed]


def test_a_labour_rule_broken_by_an_edit_is_flashed_as_a_warning(
    client, login_as, submit, hotline, team, slot, make_slot
):
    make_slot(hotline, paris(2026, 5, 5, 12), paris(2026, 5, 6, 8), [team["Alice"]])
    login_as("manager", hotlines=(hotline,))

    warnings = warnings_on_save(client, submit, hotline, team, slot, min_rest_hours="11")

    assert "Alice" in warnings[0]


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        (
            "fr",
            "1 jour d’astreinte consécutif au plus : Alice serait d’astreinte 2 jours de suite"
            " à partir du lun. 4 mai 2026",
        ),
        (
            "en",
            "max 1 consecutive on-call day: Alice would be on call 2 days in a row"
            " from Mon 4 May 2026",
        ),
    ],
)
def test_a_limit_of_one_day_in_a_row_is_said_in_the_singular(
    client, login_as, submit, hotline, team, slot, make_slot, language, warning
):
    make_slot(hotline, paris(2026, 5, 5, 8), paris(2026, 5, 6, 8), [team["Alice"]])
    login_as("manager", hotlines=(hotline,), language=language)

    warnings = warnings_on_save(client, submit, hotline, team, slot, max_consecutive_days="1")

    assert warning in warnings[0]


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        (
            "fr",
            "Règle du travail : repos minimal de 11 h entre deux astreintes : Alice se reposerait"
            " 4 h du mar. 5 mai 2026 08:00 au mar. 5 mai 2026 12:00",
        ),
        (
            "en",
            "Labour rule: min rest 11 h between shifts: Alice would rest 4 h"
            " from Tue 5 May 2026 08:00 to Tue 5 May 2026 12:00",
        ),
    ],
)
def test_a_short_rest_is_flashed_with_its_times_as_the_page_writes_dates(
    client, login_as, submit, hotline, team, slot, make_slot, language, warning
):
    # Alice's slot ends on 5 May at 08:00; her next one starts at 12:00.
    make_slot(hotline, paris(2026, 5, 5, 12), paris(2026, 5, 6, 8), [team["Alice"]])
    login_as("manager", hotlines=(hotline,), language=language)

    assert warnings_on_save(client, submit, hotline, team, slot, min_rest_hours="11") == [warning]


@pytest.mark.parametrize(
    ("language", "error"),
    [
        (
            "fr",
            "Chevauche le créneau lun. 4 mai 2026 08:00 - mar. 5 mai 2026 08:00 (Alice, Bruno)",
        ),
        (
            "en",
            "Overlaps the regular slot Mon 4 May 2026 08:00 - Tue 5 May 2026 08:00 (Alice, Bruno)",
        ),
    ],
)
def test_an_overlap_is_refused_naming_the_other_slot_as_the_page_writes_dates(
    client, login_as, submit, hotline, team, slot, language, error
):
    login_as("manager", hotlines=(hotline,), language=language)

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new",
        slot_form(team, starts_at="2026-05-05T07:00", ends_at="2026-05-05T12:00", version="0"),
    )

    assert response.status_code == 400
    assert [html.unescape(e) for e in field_errors(response, "starts_at")] == [error]


def test_edit_page_shows_the_slots_history(
    client, login_as, submit, db_session, hotline, team, slot
):
    user = login_as("manager", hotlines=(hotline,), name="Marie Manager")
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    submit(
        path,
        slot_form(team, version=loaded_version(client, path), **{"chain-0": str(team["Chloé"].id)}),
    )

    page = client.get(path).get_data(as_text=True)

    history = page.split("<h2>Historique</h2>")[1]
    assert user.name in history
    assert "Alice, Bruno" in history  # before
    assert "Chloé, Bruno" in history  # after


def test_slot_of_another_hotline_is_404(client, login_as, make_hotline, hotline, slot):
    other = make_hotline("+33184880002", name="Sud")
    login_as("admin")

    assert client.get(f"/planning/hotlines/{other.id}/slots/{slot.id}").status_code == 404


@pytest.mark.parametrize("fold", [0, 1], ids=["summer-time 02:00", "winter-time 02:00"])
def test_a_slot_starting_in_the_repeated_hour_keeps_its_instant_when_its_note_changes(
    client, login_as, submit, db_session, hotline, team, make_slot, fold
):
    # 31 October 2027: the clocks go back from 03:00 to 02:00, so 02:00 happens twice.
    start = datetime(2027, 10, 31, 2, tzinfo=PARIS, fold=fold).astimezone(UTC)
    slot = make_slot(hotline, start, paris(2027, 11, 1, 2), [team["Alice"]])
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    page = client.get(path).get_data(as_text=True)
    offset = "UTC+02:00" if fold == 0 else "UTC+01:00"
    assert (
        f"02:00 survient deux fois cette nuit-là (les horloges reculent) : c’est celle de {offset}"
        in page
    )

    response = submit(path, slot_form(
        team, version=loaded_version(client, path), starts_at="2027-10-31T02:00",
        ends_at="2027-11-01T02:00", note="Relève au dépôt", **{"chain-1": str(team["Bruno"].id)},
    ))  # fmt: skip

    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Slot, slot.id)
    assert (saved.starts_at, saved.note) == (start, "Relève au dépôt")
    assert chain_of(db_session, slot) == ["Alice", "Bruno"]
    # Only the unchanged time is read that way: a new repeated time is still refused.
    moved = submit(path, slot_form(team, version=str(saved.version), starts_at="2027-10-31T02:30",
                                   ends_at="2027-11-01T02:00"))  # fmt: skip
    assert field_errors(moved, "starts_at")[0].startswith(
        "dim. 31 oct. 2027 02:30 survient deux fois en Europe/Paris"
    )


@pytest.fixture
def chloe_away(db_session, team):
    """Chloé is on leave from 2 June 00:00 to 06:00 (Paris)."""
    return add_unavailability(
        db_session,
        team["Chloé"].id,
        starts_at=paris(2026, 6, 2, 0),
        ends_at=paris(2026, 6, 2, 6),
        kind="leave",
        user_id=None,
    )


def night_with_chloe(team, **changes):
    night = {"starts_at": "2026-06-01T20:00", "ends_at": "2026-06-02T08:00", "version": "0"}
    return slot_form(team, **{**night, "chain-1": str(team["Chloé"].id), **changes})


def test_a_slot_ringing_somebody_away_is_refused_naming_who_when_and_where(
    client, login_as, submit, db_session, hotline, team, chloe_away
):
    login_as("manager", hotlines=(hotline,))
    logged = len(audit_rows(db_session, hotline.id))

    response = submit(f"/planning/hotlines/{hotline.id}/slots/new", night_with_chloe(team))

    assert response.status_code == 400
    assert field_errors(response, "chain") == [
        "Indisponibilité enregistrée pour Chloé, qui serait d’astreinte du mar. 2 juin 2026 "
        "00:00 au mar. 2 juin 2026 06:00 comme renfort 1 : choisissez quelqu’un d’autre, ou "
        "confirmez pour passer outre"
    ]
    assert 'name="despite_absence"' in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0
    assert len(audit_rows(db_session, hotline.id)) == logged


def test_a_slot_confirmed_despite_an_absence_is_added_and_the_piece_flashed(
    client, login_as, submit, db_session, hotline, team, chloe_away
):
    login_as("manager", hotlines=(hotline,), language="en")

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new",
        night_with_chloe(team, despite_absence="y"),
        follow_redirects=True,
    )

    assert response.status_code == 200
    added = db_session.scalar(select(Slot).where(Slot.hotline_id == hotline.id))
    assert [r.person.name for r in added.responders] == ["Alice", "Chloé"]
    flashed = re.findall(r'<li class="flash flash-warning"[^>]*>(.*?)</li>', response.text, re.S)
    assert [html.unescape(f) for f in flashed] == [
        "On call while unavailable: Chloé, from Tue 2 Jun 2026 00:00 to Tue 2 Jun 2026 06:00 as "
        "backup 1."
    ]


def test_a_slot_is_not_refused_for_an_absence_outside_it(
    client, login_as, submit, db_session, hotline, team, chloe_away
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/slots/new",
        night_with_chloe(team, starts_at="2026-06-02T06:00", ends_at="2026-06-02T20:00"),
    )

    assert response.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 1


def test_an_edit_putting_somebody_away_in_the_chain_is_refused_unless_confirmed(
    client, login_as, submit, db_session, hotline, team, slot
):
    add_unavailability(db_session, team["Chloé"].id, starts_at=paris(2026, 5, 4, 12),
                       ends_at=paris(2026, 5, 4, 18), kind="sickness", user_id=None)  # fmt: skip
    login_as("manager", hotlines=(hotline,), language="en")
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    chloe_second = {"chain-1": str(team["Chloé"].id)}

    refused = submit(path, slot_form(team, version=loaded_version(client, path), **chloe_second))

    assert refused.status_code == 400
    [error] = field_errors(refused, "chain")
    assert html.unescape(error) == (
        "Chloé is recorded as unavailable then and would be on call from Mon 4 May 2026 12:00 "
        "to Mon 4 May 2026 18:00 as backup 1: choose somebody else, or confirm to put them on "
        "call anyway"
    )
    assert chain_of(db_session, slot) == ["Alice", "Bruno"]

    confirmed = submit(
        path,
        slot_form(team, version=loaded_version(client, path), despite_absence="y", **chloe_second),
    )

    assert confirmed.status_code == 302
    assert chain_of(db_session, slot) == ["Alice", "Chloé"]


def test_an_edit_of_the_note_alone_is_not_refused_for_who_was_already_there(
    client, login_as, submit, db_session, hotline, team, slot
):
    add_unavailability(db_session, team["Alice"].id, starts_at=paris(2026, 5, 4, 12),
                       ends_at=paris(2026, 5, 4, 18), kind="sickness", user_id=None)  # fmt: skip
    login_as("manager", hotlines=(hotline,))
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"

    response = submit(path, slot_form(team, version=loaded_version(client, path), note="urgent"))

    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Slot, slot.id).note == "urgent"
