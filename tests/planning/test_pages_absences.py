"""A colleague falls ill: the slots still ringing them are shown, marked and fixed in one step.

Recording an unavailability changes no slot by itself; the person's page lists the
slots that still ring them (hotline, time, place in the chain), offers to regenerate
the rotation over the absence or to replace them, and the calendar marks them.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from hotline.db import utcnow
from hotline.planning.oncall import resolve_chain
from hotline.planning.rotations import RotationSpec, create_rotation, generate_rotation

PARIS = ZoneInfo("Europe/Paris")
# A week ahead, so that "now" never falls in the slots looked at.
DAY = (utcnow().astimezone(PARIS) + timedelta(days=7)).replace(
    hour=8, minute=0, second=0, microsecond=0
)


@pytest.fixture
def team(make_person):
    return {n: make_person(n) for n in ("Alice", "Bruno", "Chloé", "David")}


@pytest.fixture
def rotation(db_session, hotline, team):
    """24 h shifts from DAY 08:00: Alice, Bruno, Chloé in turn, the next one backing up."""
    members = [team[n].id for n in ("Alice", "Bruno", "Chloé")]
    spec = RotationSpec("Jours", members, 24, time(8), DAY.date(), backup_count=1)
    rotation = create_rotation(db_session, hotline.id, spec, user_id=None)
    generate_rotation(db_session, rotation.id, start=DAY, weeks=1, user_id=None)
    return rotation


def names_at(db_session, hotline, at) -> list[str]:
    db_session.expire_all()
    return [r.name for r in resolve_chain(db_session, hotline.id, at).responders]


def sick(submit, person, first_offset: int = 1, last_offset: int = 2):
    """Bruno is sick from DAY + 1 to DAY + 2 (whole days)."""
    return submit(
        f"/planning/people/{person.id}/unavailability",
        {
            "kind": "sickness",
            "first_day": (DAY + timedelta(days=first_offset)).date().isoformat(),
            "last_day": (DAY + timedelta(days=last_offset)).date().isoformat(),
        },
        follow_redirects=True,
    )


def absent_section(page: str) -> str:
    parts = page.split('<section id="absent-slots">')
    return parts[1].split("</section>")[0] if len(parts) > 1 else ""


def absent_rows(page: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", absent_section(page).split("<tbody>")[-1], re.S)


def calendar_cell(client, hotline, day) -> str:
    page = client.get(
        f"/planning/hotlines/{hotline.id}/calendar", query_string={"month": day.strftime("%Y-%m")}
    ).get_data(as_text=True)
    return page.split(f'data-date="{day.date().isoformat()}"')[1].split("</td>")[0]


def test_recording_a_sickness_lists_the_slots_still_ringing_the_person(
    client, login_as, submit, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))

    response = sick(submit, team["Bruno"])

    page = response.get_data(as_text=True)
    assert "Bruno est encore d’astreinte dans 2 créneaux pendant cette période" in page
    rows = absent_rows(page)
    # The day DAY (Bruno backs Alice up until DAY + 1 08:00), then DAY + 1 (Bruno first).
    assert len(rows) == 2
    assert "renfort 1" in rows[0]
    assert "titulaire" in rows[1]
    assert all("roulement Jours" in row for row in rows)
    assert "Astreinte Nord" in absent_section(page)


def test_regenerating_over_the_absence_takes_the_person_off_those_slots(
    client, login_as, submit, db_session, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    page = sick(submit, team["Bruno"]).get_data(as_text=True)
    action, period_id = re.search(
        r'action="([^"]*/cover-absence)".*?name="unavailability_id" value="(\d+)"',
        absent_section(page),
        re.S,
    ).groups()

    response = submit(action, {"unavailability_id": period_id})

    assert response.status_code == 200
    assert names_at(db_session, hotline, DAY + timedelta(hours=2)) == ["Alice", "Chloé"]
    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=2)) == ["Chloé", "Alice"]
    # Outside the absence, the rotation is as it was.
    assert names_at(db_session, hotline, DAY + timedelta(days=3, hours=2)) == ["Alice", "Bruno"]
    after = client.get(f"/planning/people/{team['Bruno'].id}").get_data(as_text=True)
    assert absent_section(after) == ""
    assert "absent-tag" not in calendar_cell(client, hotline, DAY + timedelta(days=1))


def test_the_calendar_marks_a_slot_whose_responder_is_sick(
    client, login_as, submit, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    assert "absent-tag" not in calendar_cell(client, hotline, DAY + timedelta(days=1))

    sick(submit, team["Bruno"])

    cell = calendar_cell(client, hotline, DAY + timedelta(days=1))
    marked = re.findall(r'<span class="primary-name">Bruno</span> <span class="tag absent-tag">'
                        r"(.*?)</span>", cell)  # fmt: skip
    assert marked == ["absence : maladie"]
    # Later, Bruno backs Alice up again while not sick: no mark.
    assert "absent-tag" not in calendar_cell(client, hotline, DAY + timedelta(days=4))


def test_the_replace_link_is_filled_and_the_replacement_clears_the_mark(
    client, login_as, submit, db_session, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    page = sick(submit, team["Bruno"]).get_data(as_text=True)
    link = re.search(r'<a href="([^"]*/overrides\?[^"]*)">', absent_section(page))[1]
    link = link.replace("&amp;", "&")
    asked = parse_qs(urlsplit(link).query)
    assert asked["replace-person"] == [str(team["Bruno"].id)]
    # From the first slot's part the absence covers (midnight) to the last one's end.
    start = (DAY + timedelta(days=1)).replace(hour=0)
    assert asked["replace-starts_at"] == [start.strftime("%Y-%m-%dT%H:%M")]
    assert asked["replace-ends_at"] == [(DAY + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")]
    form = client.get(link).get_data(as_text=True).split('id="replace"')[1].split("</form>")[0]
    assert re.search(rf'<option selected value="{team["Bruno"].id}"', form) or re.search(
        rf'value="{team["Bruno"].id}" selected', form
    )
    assert f'value="{asked["replace-starts_at"][0]}"' in form

    submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        {
            **{k: v[0] for k, v in asked.items()},
            "replace-replacement": str(team["David"].id),
        },
    )

    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=2)) == ["David", "Chloé"]
    assert "absent-tag" not in calendar_cell(client, hotline, DAY + timedelta(days=1))
    after = client.get(f"/planning/people/{team['Bruno'].id}").get_data(as_text=True)
    assert absent_section(after) == ""


def test_a_manager_sees_and_fixes_only_the_slots_of_their_hotlines(
    client, login_as, submit, db_session, make_hotline, hotline, team, rotation, make_slot
):
    other = make_hotline("+33184880000", name="Astreinte Sud")
    make_slot(other, DAY + timedelta(days=1), DAY + timedelta(days=2), [team["Bruno"]])
    other_spec = RotationSpec("Sud", [team["Bruno"].id], 24, time(8), DAY.date())
    other_rotation = create_rotation(db_session, other.id, other_spec, user_id=None)
    login_as("manager", hotlines=(hotline,))

    page = sick(submit, team["Bruno"]).get_data(as_text=True)

    assert "Astreinte Sud" not in absent_section(page)
    assert len(absent_rows(page)) == 2
    assert "1 créneau de plus sur des lignes que vous ne gérez pas" in page
    period_id = re.search(r'name="unavailability_id" value="(\d+)"', page)[1]
    response = submit(
        f"/planning/hotlines/{other.id}/rotations/{other_rotation.id}/cover-absence",
        {"unavailability_id": period_id},
    )
    assert response.status_code in (403, 404)
    assert names_at(db_session, other, DAY + timedelta(days=1, hours=2)) == ["Bruno"]


@pytest.mark.parametrize("sent", ["", "abc", "999999"])
def test_regenerating_a_missing_period_changes_nothing(
    client, login_as, submit, db_session, hotline, team, rotation, sent
):
    login_as("manager", hotlines=(hotline,))

    response = submit(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation.id}/cover-absence",
        {"unavailability_id": sent},
        follow_redirects=True,
    )

    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "Rien n’a été régénéré" in page or "Dites quelle période" in page
    assert names_at(db_session, hotline, DAY + timedelta(days=1, hours=2)) == ["Bruno", "Chloé"]


def test_the_gaps_page_lists_the_slots_ringing_somebody_sick(
    client, login_as, submit, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    sick(submit, team["Bruno"])

    page = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": 4})

    listed = page.get_data(as_text=True).split('id="absent-slots"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", listed.split("<tbody>")[1], re.S)
    assert len(rows) == 2
    assert all("Bruno" in row and "absence : maladie" in row for row in rows)
    assert f'href="/planning/people/{team["Bruno"].id}#absent-slots"' in rows[0]


def test_an_agent_reads_absent_without_the_reason(
    client, login_as, submit, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    sick(submit, team["Bruno"])
    login_as("agent")

    cell = calendar_cell(client, hotline, DAY + timedelta(days=1))

    assert re.findall(r'<span class="tag absent-tag">(.*?)</span>', cell) == ["absence", "absence"]


def test_the_hotline_page_marks_the_sick_person_on_call_then(
    client, login_as, submit, hotline, team, rotation
):
    login_as("manager", hotlines=(hotline,))
    sick(submit, team["Bruno"])
    at = (DAY + timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M")

    page = client.get(f"/planning/hotlines/{hotline.id}", query_string={"at": at})

    answer = page.get_data(as_text=True).split('class="dry-run-answer"')[1].split("</ol>")[0]
    assert re.search(r"Bruno</strong>\s*<span class=\"tag absent-tag\">absence : maladie</span>",
                     answer)  # fmt: skip
    assert answer.count("absent-tag") == 1


def periods_listed(page: str) -> list[str]:
    """The rows of the person page's unavailability table, as words."""
    table = page.split('<table class="list periods">')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_person_page_lists_an_absence_three_years_ahead_and_the_slot_it_leaves(
    client, login_as, submit, hotline, team, make_slot
):
    far = DAY + timedelta(days=3 * 365)
    make_slot(hotline, far, far + timedelta(days=1), [team["Bruno"], team["Alice"]])
    login_as("manager", hotlines=(hotline,))

    page = sick(submit, team["Bruno"], 3 * 365, 3 * 365 + 2).get_data(as_text=True)

    (listed,) = periods_listed(page)
    assert listed.startswith("Maladie")
    assert f" {far.year} " in listed
    rows = absent_rows(page)
    assert len(rows) == 1
    assert "titulaire" in rows[0]


def test_the_person_page_names_an_absence_by_its_first_and_last_day_as_entered(
    client, login_as, submit, hotline, team, make_slot
):
    make_slot(hotline, DAY + timedelta(days=1), DAY + timedelta(days=2), [team["Bruno"]])
    login_as("manager", hotlines=(hotline,), language="fr")

    page = sick(submit, team["Bruno"], 1, 2).get_data(as_text=True)

    first, last = (f" {(DAY + timedelta(days=n)).day} " for n in (1, 2))
    (listed,) = periods_listed(page)
    (heading,) = re.findall(r"<h3>(.*?)</h3>", absent_section(page), re.S)
    for words in (listed, f" {heading} "):
        assert first in words
        assert last in words, "the last day entered, not the midnight after it"
        assert "00:00" not in words
