"""The calendar (month and week, in the hotline's zone) and the coverage-gap list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.chain_history import record_baseline
from tests.planning.builders import statements_run

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def paris(*args: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def day_cell(page: str, iso_day: str) -> str:
    return page.split(f'data-date="{iso_day}"')[1].split("</td>")[0]


def entries(cell: str) -> list[str]:
    """Each entry of a day as 'kind time names', for readable assertions."""
    found = []
    for kind, body in re.findall(r'<li class="entry ([\w ]+)">(.*?)</li>', cell, re.S):
        body = re.sub(r'<a class="edit-slot".*?</a>', "", body, flags=re.S)
        words = re.sub(r"<[^>]+>", " ", body)
        found.append(f"{kind} " + " ".join(words.split()))
    return found


def day_classes(page: str, iso_day: str) -> list[str]:
    """The classes of a day's cell."""
    cell = page.split(f'data-date="{iso_day}"')[0].rsplit("<td", 1)[1]
    return re.search(r'class="([^"]*)"', cell).group(1).split()


def calendar(client, hotline, **params):
    return client.get(f"/planning/hotlines/{hotline.id}/calendar", query_string=params)


def test_month_shows_each_slot_on_its_local_days_with_primary_and_backups(
    frozen, client, login_as, hotline, team, make_slot
):
    # 20:00 on the 10th to 08:00 on the 11th, Paris time: it crosses midnight.
    make_slot(
        hotline,
        paris(2026, 3, 10, 20),
        paris(2026, 3, 11, 8),
        [team["Alice"], team["Bruno"], team["Chloé"]],
    )
    login_as("agent")

    page = calendar(client, hotline, month="2026-03").get_data(as_text=True)

    assert "mars 2026" in page
    assert entries(day_cell(page, "2026-03-10"))[-1] == (
        "regular 20:00–00:00… Alice puis Bruno , Chloé"
    )
    assert (
        entries(day_cell(page, "2026-03-11"))[0] == "regular …00:00–08:00 Alice puis Bruno , Chloé"
    )


def test_overrides_are_marked_and_gaps_are_red(frozen, client, login_as, hotline, team, make_slot):
    make_slot(hotline, paris(2026, 3, 12, 0), paris(2026, 3, 12, 12), [team["Alice"]])
    make_slot(
        hotline, paris(2026, 3, 12, 8), paris(2026, 3, 12, 10), [team["Chloé"]], override=True
    )
    login_as("admin")

    page = calendar(client, hotline, month="2026-03").get_data(as_text=True)
    cell = day_cell(page, "2026-03-12")

    assert entries(cell) == [
        "regular 00:00–08:00 Alice",
        "override 08:00–10:00 remplacement Chloé",
        "overridden 08:00–10:00 remplacé Alice",
        "regular 10:00–12:00 Alice",
        "gap 12:00–00:00… Personne n’est d’astreinte",
    ]
    legend = page.split('class="legend"')[1].split("</p>")[0]
    assert '<span class="tag gap-tag">aucune astreinte</span>' in legend
    assert (
        "has-gap"
        in calendar(client, hotline, month="2026-03")
        .get_data(as_text=True)
        .split('data-date="2026-03-12"')[0]
        .rsplit("<td", 1)[1]
    )


def legend_of(page: str) -> str:
    """The calendar's legend as text without tags."""
    legend = page.split('class="legend"')[1].split("</p>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", legend).split())


@pytest.mark.parametrize(
    ("language", "period", "expected", "legend"),
    [
        (
            "fr",
            {"month": "2026-03"},
            [
                "regular 08:00–09:00 Alice puis Bruno",
                "override 09:00–11:00 remplacement Chloé",
                "overridden 09:00–12:00 remplacé Alice puis Bruno",
                "override 11:00–12:00 remplacement Chloé",
                "regular 12:00–20:00 Alice puis Bruno",
            ],
            "remplacé : le créneau habituel ne sonne pas, un remplacement prend ces heures",
        ),
        (
            "en",
            {"week": "2026-W11"},
            [
                "regular 08:00–09:00 Alice then Bruno",
                "override 09:00–11:00 override Chloé",
                "overridden 09:00–12:00 overridden Alice then Bruno",
                "override 11:00–12:00 override Chloé",
                "regular 12:00–20:00 Alice then Bruno",
            ],
            "overridden : the regular slot does not ring, an override takes these hours",
        ),
    ],
    ids=["fr", "en"],
)
def test_a_regular_slot_shows_overridden_for_exactly_the_overrides_hours(
    frozen, client, login_as, hotline, team, make_slot, make_person,
    language, period, expected, legend,
):  # fmt: skip
    make_slot(
        hotline, paris(2026, 3, 12, 8), paris(2026, 3, 12, 20), [team["Alice"], team["Bruno"]]
    )
    # Two overrides back to back: the regular slot is overridden once, 09:00 to 12:00.
    make_slot(hotline, paris(2026, 3, 12, 9), paris(2026, 3, 12, 11), [team["Chloé"]], True)
    make_slot(hotline, paris(2026, 3, 12, 11), paris(2026, 3, 12, 12), [team["Chloé"]], True)
    # The next day's override rings nobody active: a call at 10:00 still rings Alice.
    make_slot(hotline, paris(2026, 3, 13, 8), paris(2026, 3, 13, 20), [team["Alice"]])
    gone = make_person("Dmitri", active=False)
    make_slot(hotline, paris(2026, 3, 13, 9), paris(2026, 3, 13, 12), [gone], True)
    login_as("manager", hotlines=[hotline], language=language)

    page = calendar(client, hotline, **period).get_data(as_text=True)

    assert [e for e in entries(day_cell(page, "2026-03-12")) if "gap" not in e] == expected
    assert legend in legend_of(page)
    next_day = [e.split()[0] for e in entries(day_cell(page, "2026-03-13"))]
    assert next_day.count("regular") == 1
    assert "overridden" not in next_day


def test_an_override_gone_by_still_shows_the_regular_hours_it_took(
    frozen, client, login_as, hotline, team, make_slot
):
    make_slot(hotline, paris(2026, 3, 9, 8), paris(2026, 3, 9, 20), [team["Alice"]])
    make_slot(hotline, paris(2026, 3, 9, 14), paris(2026, 3, 9, 16), [team["Bruno"]], True)
    login_as("admin")

    page = calendar(client, hotline, week="2026-W11").get_data(as_text=True)

    assert entries(day_cell(page, "2026-03-09"))[1:5] == [
        "regular past 08:00–14:00 Alice",
        "override past 14:00–16:00 remplacement Bruno",
        "overridden past 14:00–16:00 remplacé Alice",
        "regular past 16:00–20:00 Alice",
    ]


def test_hours_the_default_chain_takes_show_its_names_not_an_alarm(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain
):
    make_slot(hotline, paris(2026, 3, 12, 0), paris(2026, 3, 12, 12), [team["Alice"]])
    set_default_chain(hotline, [team["Bruno"], team["Chloé"]])
    login_as("admin")

    page = calendar(client, hotline, month="2026-03").get_data(as_text=True)

    assert entries(day_cell(page, "2026-03-12")) == [
        "regular 00:00–12:00 Alice",
        "default 12:00–00:00… chaîne par défaut Bruno puis Chloé",
    ]
    assert "has-gap" not in day_classes(page, "2026-03-12")
    assert "Personne n’est d’astreinte" not in page
    legend = page.split('class="legend"')[1].split("</p>")[0]
    assert '<span class="tag default-tag">chaîne par défaut</span>' in legend


def test_past_days_are_muted_and_only_the_time_ahead_is_an_alarm(frozen, client, login_as, hotline):
    login_as("admin")  # nobody at all: no slot, no default chain

    page = calendar(client, hotline, month="2026-03").get_data(as_text=True)

    # Yesterday cannot be fixed any more: shown, but not as an alarm.
    assert entries(day_cell(page, "2026-03-09")) == [
        "gap past …00:00–00:00… Personne n’est d’astreinte"
    ]
    assert "past" in day_classes(page, "2026-03-09")
    assert "has-gap" not in day_classes(page, "2026-03-09")
    # Today (10:00 in Paris): the morning is past, the rest is still a gap to fill.
    assert entries(day_cell(page, "2026-03-10")) == [
        "gap past …00:00–10:00 Personne n’est d’astreinte",
        "gap 10:00–00:00… Personne n’est d’astreinte",
    ]
    assert "has-gap" in day_classes(page, "2026-03-10")
    assert "past" not in day_classes(page, "2026-03-10")
    assert "has-gap" in day_classes(page, "2026-03-11")


def test_days_follow_the_hotlines_zone_across_the_dst_change(
    frozen, client, login_as, hotline, team, make_slot
):
    # Sunday 29 March 2026 has 23 hours in Paris: a slot from midnight to midnight
    # lasts 23 hours and must fill that day exactly, no more, no less.
    make_slot(hotline, paris(2026, 3, 29, 0), paris(2026, 3, 30, 0), [team["Bruno"]])
    login_as("admin")

    page = calendar(client, hotline, week="2026-W13").get_data(as_text=True)

    assert entries(day_cell(page, "2026-03-29")) == ["regular 00:00–00:00 Bruno"]
    assert entries(day_cell(page, "2026-03-28")) == ["gap …00:00–00:00 Personne n’est d’astreinte"]


def test_week_view_has_seven_days_and_links_to_the_weeks_around(frozen, client, login_as, hotline):
    login_as("admin")

    page = calendar(client, hotline, week="2026-W01").get_data(as_text=True)

    assert page.count("data-date=") == 7
    assert 'data-date="2025-12-29"' in page  # ISO week 1 of 2026 starts in 2025
    assert "week=2025-W52" in page.split('rel="prev"')[1].split(">")[0]
    assert "week=2026-W02" in page.split('rel="next"')[1].split(">")[0]
    assert "month=2026-01" in page


def test_month_links_to_the_months_around_and_shows_whole_weeks(frozen, client, login_as, hotline):
    login_as("admin")

    page = calendar(client, hotline, month="2026-01").get_data(as_text=True)

    assert "month=2025-12" in page.split('rel="prev"')[1].split(">")[0]
    assert "month=2026-02" in page.split('rel="next"')[1].split(">")[0]
    # January 2026 runs Thursday 1st to Saturday 31st: shown from Monday 29 December
    # to Sunday 1 February.
    assert 'data-date="2025-12-29"' in page
    assert 'data-date="2026-02-01"' in page
    assert page.count("data-date=") == 35


def test_default_is_the_current_month_in_the_hotlines_zone(frozen, client, login_as, hotline):
    login_as("admin")

    page = calendar(client, hotline).get_data(as_text=True)

    assert "today" in page.split('data-date="2026-03-10"')[0].rsplit("<td", 1)[1]


@pytest.mark.parametrize(
    "params",
    [{"month": "2026-13"}, {"month": "march"}, {"week": "2026-W54"}],
)
def test_a_bad_period_is_a_400_with_a_message(frozen, client, login_as, hotline, params):
    login_as("admin")

    response = calendar(client, hotline, **params)

    assert response.status_code == 400
    assert "n’est ni un mois comme 2026-03 ni une semaine comme 2026-W14" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("params", "language", "message"),
    [
        (
            {"month": "1999-01"},
            "fr",
            "1999-01 est hors limites : choisissez un mois ou une semaine"
            " entre les années 2000 et 2100.",
        ),
        (
            {"week": "2101-W01"},
            "en",
            "2101-W01 is out of range: choose a month or a week between the years 2000 and 2100.",
        ),
    ],
)
def test_a_period_outside_the_planning_years_says_so(
    frozen, client, login_as, hotline, params, language, message
):
    login_as("admin", language=language)

    response = calendar(client, hotline, **params)

    assert response.status_code == 400
    # A month it is, only too far: not "neither a month nor a week".
    assert message in response.get_data(as_text=True)


def test_month_of_a_year_of_slots_loads_them_in_one_query(
    frozen, client, login_as, hotline, team, make_slot, connection
):
    start = paris(2026, 1, 1, 8)
    people = list(team.values())
    for day in range(365):
        chain = people[day % 3 :] + people[: day % 3]
        make_slot(
            hotline, start + timedelta(days=day), start + timedelta(days=day, hours=24), chain
        )
    login_as("admin")

    with statements_run(connection) as statements:
        page = calendar(client, hotline, month="2026-06").get_data(as_text=True)

    # Monday 1 June to Sunday 5 July 2026, each day with the two slots touching it.
    assert page.count('<li class="entry regular">') == 35 * 2
    planning_reads = [s for s in statements if re.search(r"\bFROM (slot|slot_responder)\b", s)]
    # The slots, their chains with names (one selectin load), the gaps, the responders
    # unavailable then: whatever the size.
    assert len(planning_reads) == 4, planning_reads
    assert not [s for s in statements if re.match(r"\s*SELECT person\.", s)], "no N+1"


def test_gap_list_covers_the_weeks_asked(frozen, client, login_as, hotline, team, make_slot):
    make_slot(hotline, NOW, NOW + timedelta(days=7), [team["Alice"]])
    make_slot(hotline, NOW + timedelta(days=8), NOW + timedelta(days=30), [team["Bruno"]])
    login_as("supervisor", hotlines=(hotline,))

    one_week = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": 1})
    two_weeks = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": 2})

    assert "Aucun trou" in one_week.get_data(as_text=True)
    rows = two_weeks.get_data(as_text=True).split('<tr class="gap-row">')[1:]
    assert len(rows) == 1
    assert "mar. 17 mars 2026 10:00" in rows[0]
    assert "mer. 18 mars 2026 10:00" in rows[0]
    assert "24 h 00" in rows[0]


@pytest.mark.parametrize(
    ("language", "period"),
    [
        ("en", "From Tue 10 Mar 2026 10:00 to Tue 24 Mar 2026 10:00 (Europe/Paris)."),
        ("fr", "Du mar. 10 mars 2026 10:00 au mar. 24 mars 2026 10:00 (Europe/Paris)."),
    ],
)
def test_gap_list_gives_its_period_as_its_rows_give_times(
    frozen, client, login_as, hotline, language, period
):
    login_as("supervisor", hotlines=(hotline,), language=language)

    page = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": 2})

    # Not "3/10/26, 10:00 AM" in English, a month-first date and a 12-hour clock.
    assert period in page.get_data(as_text=True)


def test_gap_list_puts_the_default_chains_hours_apart_from_true_gaps(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain
):
    make_slot(hotline, NOW, NOW + timedelta(days=7), [team["Alice"]])
    make_slot(hotline, NOW + timedelta(days=8), NOW + timedelta(days=30), [team["Bruno"]])
    set_default_chain(hotline, [team["Chloé"]])
    login_as("supervisor", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": 2}).get_data(
        as_text=True
    )

    assert '<tr class="gap-row">' not in page
    assert "Aucun trou : un appel sonne toujours chez quelqu’un." in page
    default_only = page.split('id="default-only"')[1]
    assert "Couvert seulement par la chaîne par défaut" in default_only
    assert "Chloé" in default_only
    rows = default_only.split('<tr class="default-row">')[1:]
    assert len(rows) == 1
    assert "mar. 17 mars 2026 10:00" in rows[0]
    assert "24 h 00" in rows[0]


def test_true_gaps_say_what_answers_the_call(frozen, client, login_as, make_hotline, team):
    rescue = make_hotline("+33184880007", name="Secours", fallback_number="+33612345699")
    bare = make_hotline("+33184880008", name="Nue")
    login_as("admin")

    with_fallback = client.get(f"/planning/hotlines/{rescue.id}/gaps").get_data(as_text=True)
    voicemail = client.get(f"/planning/hotlines/{bare.id}/gaps").get_data(as_text=True)

    assert (
        "Personne n’est appelé : seul le numéro de secours 06 12 34 56 99 répond." in with_fallback
    )
    assert "Personne n’est appelé : seule la messagerie répond." in voicemail
    assert 'id="default-only"' not in voicemail


@pytest.mark.parametrize(
    ("role", "shown"), [("manager", True), ("supervisor", False), ("agent", False)]
)
def test_only_admins_and_the_hotlines_managers_read_the_fallback_number(
    frozen, client, login_as, make_hotline, role, shown
):
    rescue = make_hotline("+33184880007", name="Secours", fallback_number="+33612345699")
    login_as(role, hotlines=(rescue,) if role != "agent" else ())

    page = client.get(f"/planning/hotlines/{rescue.id}/gaps").get_data(as_text=True)

    assert ("06 12 34 56 99" in page) is shown
    if not shown:  # they still learn a fallback number, not voicemail, takes the call
        assert "Personne n’est appelé : seul le numéro de secours répond." in page


@pytest.mark.parametrize("weeks", ["0", "53", "many", ""])
def test_gap_weeks_out_of_bounds_is_a_400_at_the_field(frozen, client, login_as, hotline, weeks):
    login_as("admin")

    response = client.get(f"/planning/hotlines/{hotline.id}/gaps", query_string={"weeks": weeks})

    assert response.status_code == 400
    assert 'id="weeks-errors"' in response.get_data(as_text=True)


def test_the_period_heading_capitalises_its_first_letter_only(client):
    with client.get("/planning/static/planning.css") as response:
        css = response.get_data(as_text=True)

    heading_rules = re.findall(r"\.calendar-bar h2[^{]*\{[^}]*\}", css)
    assert not any("capitalize" in rule for rule in heading_rules), "not every word"
    assert any("::first-letter" in rule and "uppercase" in rule for rule in heading_rules), (
        "the first letter only"
    )


# -- past hours: the default chain in force then, from the audit log -----------------------

CHANGED = paris(2026, 3, 10, 6)  # this morning, 06:00 in Paris (now is 10:00)


def change_default_chain(submit, hotline, people):
    """An admin saves the settings page with `people` as the default chain."""
    places = {f"default_chain-{i}": "" for i in range(5)}
    places.update({f"default_chain-{i}": str(p.id) for i, p in enumerate(people)})
    response = submit(
        f"/planning/hotlines/{hotline.id}/settings",
        {
            "number": "01 84 88 12 34",
            "name": hotline.name,
            "timezone": "Europe/Paris",
            "language": "fr",
            "ring_timeout": "25",
            **places,
        },
    )
    assert response.status_code == 302


def test_past_hours_show_the_default_chain_in_force_then(
    client, login_as, submit, hotline, team, set_default_chain
):
    set_default_chain(hotline, [team["Alice"]])
    with time_machine.travel(CHANGED, tick=False) as clock:
        login_as("admin")
        change_default_chain(submit, hotline, [team["Bruno"], team["Chloé"]])
        clock.move_to(NOW)
        last_week = calendar(client, hotline, week="2026-W10").get_data(as_text=True)
        this_week = calendar(client, hotline, week="2026-W11").get_data(as_text=True)

    # Last week Alice alone was the default chain, whatever it is today.
    assert entries(day_cell(last_week, "2026-03-04")) == [
        "default past …00:00–00:00… chaîne par défaut Alice"
    ]
    assert "Bruno" not in last_week
    assert entries(day_cell(this_week, "2026-03-09")) == [
        "default past 00:00–00:00… chaîne par défaut Alice"
    ]
    # Today: Alice until the change at 06:00, Bruno then Chloé from then on.
    assert entries(day_cell(this_week, "2026-03-10")) == [
        "default past …00:00–06:00 chaîne par défaut Alice",
        "default past 06:00–10:00 chaîne par défaut Bruno puis Chloé",
        "default 10:00–00:00… chaîne par défaut Bruno puis Chloé",
    ]


def test_the_change_of_the_default_chain_is_in_the_audit_log(
    client, login_as, submit, hotline, team, set_default_chain
):
    set_default_chain(hotline, [team["Alice"]])
    login_as("admin")
    change_default_chain(submit, hotline, [team["Bruno"], team["Chloé"]])

    page = client.get(f"/planning/hotlines/{hotline.id}/audit").get_data(as_text=True)

    row = page.split("<tbody>")[1].split("</tr>")[0]
    words = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "Modification : chaîne par défaut" in words
    assert words.endswith("Chaîne : Alice Chaîne : Bruno, Chloé")


def test_past_hours_before_the_chain_was_first_recorded_say_so(
    client, login_as, db_session, hotline, team, set_default_chain
):
    # What migration 0014 writes for a hotline it finds: the chain as it stood then.
    set_default_chain(hotline, [team["Alice"]])
    record_baseline(db_session, hotline, team["Alice"], CHANGED)

    with time_machine.travel(NOW, tick=False):
        login_as("admin")
        page = calendar(client, hotline, week="2026-W11").get_data(as_text=True)

    assert entries(day_cell(page, "2026-03-09")) == [
        "unrecorded past 00:00–00:00… chaîne par défaut composition d’alors non enregistrée"
    ]
    assert entries(day_cell(page, "2026-03-10")) == [
        "unrecorded past …00:00–06:00 chaîne par défaut composition d’alors non enregistrée",
        "default past 06:00–10:00 chaîne par défaut Alice",
        "default 10:00–00:00… chaîne par défaut Alice",
    ]


def test_a_past_month_reads_the_default_chains_history_in_one_query(
    client, login_as, db_session, hotline, team, set_default_chain, connection
):
    from hotline.planning.audit import UPDATE, record_default_chain_change

    # The chain changes at noon every day of February: Alice, then Bruno, then Alice...
    people = [team["Alice"].id, team["Bruno"].id]
    set_default_chain(hotline, [team["Alice"]])
    for day in range(1, 29):
        with time_machine.travel(paris(2026, 2, day, 12), tick=False):
            before, after = people[(day - 1) % 2], people[day % 2]
            record_default_chain_change(
                db_session, hotline.id, action=UPDATE, before=[before], after=[after], user_id=None
            )
            db_session.flush()

    with time_machine.travel(NOW, tick=False), statements_run(connection) as statements:
        login_as("admin")
        page = calendar(client, hotline, month="2026-02").get_data(as_text=True)

    assert entries(day_cell(page, "2026-02-10")) == [
        "default past …00:00–12:00 chaîne par défaut Bruno",
        "default past 12:00–00:00… chaîne par défaut Alice",
    ]
    assert entries(day_cell(page, "2026-02-11")) == [
        "default past …00:00–12:00 chaîne par défaut Alice",
        "default past 12:00–00:00… chaîne par défaut Bruno",
    ]
    assert len([s for s in statements if re.search(r"\bFROM audit_log\b", s)]) == 1
