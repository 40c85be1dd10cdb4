"""The fairness page: labour-rule settings per hotline (and the hours per person)."""

from __future__ import annotations

import re

import pytest

from hotline.planning.rules import labour_rules


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def test_manager_sets_and_clears_the_labour_rules(
    client, login_as, submit, make_hotline, db_session
):
    hotline = make_hotline()
    login_as("manager", hotlines=(hotline,))

    saved = submit(
        f"/planning/hotlines/{hotline.id}/rules",
        {"max_consecutive_days": "6", "min_rest_hours": "11"},
    )
    rules = labour_rules(db_session, hotline.id)
    assert saved.status_code == 302
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (6, 11)
    page = client.get(f"/planning/hotlines/{hotline.id}/fairness").get_data(as_text=True)
    assert 'id="max_consecutive_days"' in page
    assert 'value="6"' in page

    submit(
        f"/planning/hotlines/{hotline.id}/rules", {"max_consecutive_days": "", "min_rest_hours": ""}
    )
    db_session.expire_all()
    rules = labour_rules(db_session, hotline.id)
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_consecutive_days", "0"),
        ("max_consecutive_days", "367"),
        ("max_consecutive_days", "a week"),
        ("min_rest_hours", "0"),
        ("min_rest_hours", "169"),
        ("min_rest_hours", "11.5"),
    ],
)
def test_bad_rules_are_refused_at_their_field(
    client, login_as, submit, make_hotline, db_session, field, value
):
    hotline = make_hotline()
    login_as("manager", hotlines=(hotline,))

    response = submit(f"/planning/hotlines/{hotline.id}/rules", {field: value})

    assert response.status_code == 400
    assert field_errors(response, field)
    rules = labour_rules(db_session, hotline.id)
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (None, None)


def test_supervisor_reads_the_rules_without_a_form(client, login_as, make_hotline):
    hotline = make_hotline()
    login_as("supervisor", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/fairness").get_data(as_text=True)

    assert "pas de limite" in page
    assert "/rules" not in page


def cells(page: str, name: str) -> list[str]:
    table = page.split('<table class="list fairness">')[1].split("</table>")[0]
    row = next(r for r in re.split(r"<tr\b", table) if f"<td>{name}</td>" in r)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c.split(">", 1)[1])).strip()
        for c in row.split("<td")[2:]
    ]


@pytest.mark.parametrize(
    ("language", "alice", "bruno"),
    [
        (
            "en",
            ["12 (+6)", "0 (0)", "0 (\u221212)", "0 (0)", "12", "\u22126 h (\u221233%)"],
            ["0 (\u22126)", "0 (0)", "24 (+12)", "0 (0)", "24", "+6 h (+33%)"],
        ),
        (
            "fr",
            ["12 (+6)", "0 (0)", "0 (\u221212)", "0 (0)", "12", "\u22126 h (\u221233 %)"],
            ["0 (\u22126)", "0 (0)", "24 (+12)", "0 (0)", "24", "+6 h (+33 %)"],
        ),
    ],
)
def test_hours_per_person_by_kind_with_the_gap_to_an_even_share(
    client, login_as, make_hotline, make_person, make_slot, language, alice, bruno
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    hotline = make_hotline()
    first, second = make_person("Alice"), make_person("Bruno")
    # Monday 8 June 2026, 08:00-20:00: 12 weekday-day hours for Alice;
    # Saturday 13 June, all day: 24 weekend hours for Bruno.
    make_slot(
        hotline,
        datetime(2026, 6, 8, 8, tzinfo=paris),
        datetime(2026, 6, 8, 20, tzinfo=paris),
        [first],
    )
    make_slot(
        hotline,
        datetime(2026, 6, 13, 0, tzinfo=paris),
        datetime(2026, 6, 14, 0, tzinfo=paris),
        [second, first],
    )
    login_as("supervisor", hotlines=(hotline,), language=language)

    page = client.get(
        f"/planning/hotlines/{hotline.id}/fairness",
        query_string={"first_day": "2026-06-01", "last_day": "2026-06-30"},
    ).get_data(as_text=True)

    # Even share: 6 weekday-day hours, 12 weekend hours, 18 in all; backups do not count.
    # Below the share: a true minus sign (U+2212), not a hyphen.
    assert cells(page, "Alice") == alice
    assert cells(page, "Bruno") == bruno


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-06-30", "2026-06-01", "last_day"),
        ("2026-01-01", "2027-06-01", "last_day"),
        ("", "2026-06-01", "first_day"),
        ("2026-06-01", "juin", "last_day"),
        ("9999-12-30", "9999-12-31", "first_day"),
        ("0001-01-01", "0001-01-02", "last_day"),
    ],
)
def test_a_bad_period_is_refused_at_its_field(client, login_as, make_hotline, first, last, field):
    hotline = make_hotline()
    login_as("admin")

    response = client.get(
        f"/planning/hotlines/{hotline.id}/fairness",
        query_string={"first_day": first, "last_day": last},
    )

    assert response.status_code == 400
    assert field_errors(response, field)


def test_a_first_day_out_of_range_gets_one_message_not_a_second_at_the_last(
    client, login_as, make_hotline
):
    hotline = make_hotline()
    login_as("admin", language="en")

    response = client.get(
        f"/planning/hotlines/{hotline.id}/fairness",
        query_string={"first_day": "9999-06-01", "last_day": "2026-06-30"},
    )

    assert response.status_code == 400
    assert field_errors(response, "first_day") == ["Choose a date between the years 2000 and 2100."]
    assert field_errors(response, "last_day") == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The period spans 517 days; choose at most 400."),
        ("fr", "La période couvre 517 jours ; choisissez-en 400 au plus."),
    ],
)
def test_a_too_long_period_is_refused_in_a_sentence_naming_its_length(
    client, login_as, make_hotline, language, message
):
    hotline = make_hotline()
    login_as("admin", language=language)

    response = client.get(
        f"/planning/hotlines/{hotline.id}/fairness",
        query_string={"first_day": "2026-01-01", "last_day": "2027-06-01"},
    )

    assert response.status_code == 400
    assert field_errors(response, "last_day") == [message]


def test_the_longest_period_is_shown_across_a_change_of_clocks(client, login_as, make_hotline):
    # 400 local days from summer time to winter time last 400 days and one hour.
    hotline = make_hotline(timezone="Europe/Paris")
    login_as("admin", language="en")

    response = client.get(
        f"/planning/hotlines/{hotline.id}/fairness",
        query_string={"first_day": "2026-10-01", "last_day": "2027-11-04"},
    )

    assert response.status_code == 200
    assert field_errors(response, "last_day") == []
    assert "Nobody was on call in this period." in response.get_data(as_text=True)
