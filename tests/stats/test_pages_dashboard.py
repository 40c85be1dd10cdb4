"""The statistics dashboard against the hand-built week (tests/stats/conftest.py)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import time_machine

from hotline.alerts.models import ShiftTake
from hotline.planning.models import Slot
from hotline.stats.agents import agent_table
from hotline.stats.heatmap import weekly_heatmap
from hotline.stats.kpis import summary
from hotline.stats.periods import Period
from hotline.stats.trend import daily_trend

from .conftest import MARCH, paris
from .page_tools import MARCH as MARCH_ARGS
from .page_tools import charts, field_errors, h_mm, kpi, row_cells, url


@pytest.fixture
def reviewer(login_as, week):
    """A supervisor of the week's hotline, reading English."""
    return login_as("supervisor", hotlines=(week.hotline,), language="en")


def dashboard(client, week, **args):
    return client.get(url("/stats/", **{"hotline": week.hotline.id, **MARCH_ARGS, **args}))


def test_summary_figures_are_those_of_the_statistics(client, db_session, week, reviewer):
    expected = summary(db_session, MARCH, week.hotline.id)

    response = dashboard(client, week)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert kpi(page, "received") == str(expected.received) == "12"
    for name in ("answered", "voicemail", "missed", "abandoned", "failed", "in_progress"):
        assert kpi(page, name) == str(getattr(expected, name))
    assert kpi(page, "answered-rate") == "66.7%"
    assert kpi(page, "voicemail-rate") == "8.3%"
    # Waits of the answered calls: 5, 8, 12, 14, 20, 35, 40, 50 seconds.
    assert kpi(page, "answer-mean") == "23 s"
    assert kpi(page, "answer-median") == "17 s"
    assert kpi(page, "answer-p90") == "43 s"
    assert kpi(page, "service-level").startswith("41.7%")  # 5 of 12 within 30 s
    assert kpi(page, "talk-total") == "22 min 25 s"  # 1345 s
    assert kpi(page, "depth-primary") == "5 (62.5%)"
    assert kpi(page, "depth-backup1") == "2 (25.0%)"
    assert kpi(page, "depth-backup2") == "1 (12.5%)"


def test_french_page_writes_numbers_the_french_way(client, login_as, week):
    login_as("supervisor", hotlines=(week.hotline,), language="fr")

    page = dashboard(client, week).get_data(as_text=True)

    # French puts a (narrow) no-break space before the percent sign.
    assert kpi(page, "answered-rate").replace("\u202f", " ").replace("\xa0", " ") == "66,7 %"
    assert "Appels reçus" in page


def test_service_level_target_is_editable(client, week, reviewer):
    page = dashboard(client, week, target=10).get_data(as_text=True)

    assert kpi(page, "service-level") == "16.7% answered within 10 s"  # 2 of 12


def test_trend_and_heatmaps_carry_the_statistics_to_the_charts(client, db_session, week, reviewer):
    trend = daily_trend(db_session, MARCH, week.hotline.id)
    heatmap = weekly_heatmap(db_session, MARCH, week.hotline.id)

    data = charts(dashboard(client, week).get_data(as_text=True))

    assert len(data["trend"]["days"]) == 9
    assert data["trend"]["days"][0] == "Mon 23 Mar"
    series = {s["outcome"]: s["values"] for s in data["trend"]["series"]}
    assert series["answered"] == [day.answered for day in trend]
    assert series["missed"] == [day.missed for day in trend]
    # The 00:30 voicemail of 25 March counts on its local day, not on the 24th (UTC).
    assert series["voicemail"] == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert [m["z"] for m in data["heatmaps"]] == [heatmap.calls, heatmap.misses]
    assert data["weekdays"][0] == "Mon"


def test_per_agent_table_is_the_agent_table(client, db_session, week, reviewer):
    rows = {row.person_id: row for row in agent_table(db_session, MARCH, week.hotline.id)}

    page = dashboard(client, week).get_data(as_text=True)

    alice = row_cells(page, "data-agent", week.alice.id)
    expected = rows[week.alice.id]
    assert alice["offered"] == str(expected.offered)
    assert alice["accepted"] == str(expected.accepted)
    assert alice["missed"] == str(expected.missed)
    assert alice["declined"] == str(expected.declined)
    assert alice["canceled"] == str(expected.canceled) == "1"
    assert (alice["busy"], alice["failed"]) == (str(expected.busy), str(expected.failed))
    assert (alice["busy"], alice["failed"]) == ("1", "0")  # call 3: her line was busy
    assert alice["oncall-any"] == "211:00" == h_mm(expected.oncall_hours_any)
    bruno = row_cells(page, "data-agent", week.bruno.id)
    assert bruno["declined"] == "1"
    assert (bruno["busy"], bruno["failed"]) == ("0", "1")  # call 5: his number failed
    assert bruno["talk"] == "6 min 30 s"  # 300 + 90 s
    assert bruno["accept-mean"] == "13.5 s"


def test_every_agent_column_that_needs_it_is_explained_in_words_on_the_page(client, login_as, week):
    # Tooltips reach neither a phone nor a keyboard: the hint under the table says it.
    login_as("supervisor", hotlines=(week.hotline,), language="fr")

    page = dashboard(client, week).get_data(as_text=True).replace("\u2019", "'")

    hint = page.split('class="hint">')[-1].split("</p>")[0]
    assert "Occupés : le téléphone de l'agent était occupé" in hint
    assert "Échoués : l'appel n'a jamais atteint le téléphone" in hint
    assert "Raccrochés par l'appelant : pendant que le téléphone de l'agent sonnait." in hint
    assert "Décrochés sans accepter : une messagerie personnelle a répondu" in hint
    assert "Refusés : l'agent a appuyé sur une autre touche que 1." in hint


AGENT_HEADINGS = {
    # Each column counts legs: French writes them all in the plural, English all alike.
    "fr": [
        "Présentés",
        "Acceptés",
        "Décrochés sans accepter",
        "Refusés",
        "Sans réponse",
        "Occupés",
        "Échoués",
        "Raccrochés par l\u2019appelant",
    ],
    "en": [
        "Offered",
        "Accepted",
        "Picked up, not accepted",
        "Refused",
        "Unanswered",
        "Busy",
        "Failed",
        "Hung up by the caller",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_per_agent_counts_are_headed_alike(client, login_as, week, language):
    login_as("supervisor", hotlines=(week.hotline,), language=language)

    page = dashboard(client, week).get_data(as_text=True)

    table = page.split('<table class="list agent-table')[1].split("</thead>")[0]
    headings = [html.unescape(h) for h in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)]
    assert headings[1:9] == AGENT_HEADINGS[language]


def test_shift_take_confirmations_show_per_agent(client, db_session, week, reviewer):
    slot = db_session.query(Slot).filter_by(hotline_id=week.hotline.id).first()
    start = paris("2026-03-24 08:00")
    db_session.add_all(
        [
            ShiftTake(
                hotline_id=week.hotline.id,
                slot_id=slot.id,
                person_id=week.bruno.id,
                starts_at=start,
                confirmed_at=start + timedelta(minutes=5),
            ),
            ShiftTake(
                hotline_id=week.hotline.id,
                slot_id=slot.id,
                person_id=week.alice.id,
                starts_at=start + timedelta(days=1),
                escalated_at=start + timedelta(days=1, minutes=30),
            ),
        ]
    )
    db_session.flush()

    page = dashboard(client, week).get_data(as_text=True)

    assert row_cells(page, "data-agent", week.bruno.id)["takes"] == "1 / 1"
    assert row_cells(page, "data-agent", week.bruno.id)["take-delay"] == "5 min 00 s"
    assert row_cells(page, "data-agent", week.alice.id)["takes"] == "0 / 1"
    assert row_cells(page, "data-agent", week.chloe.id)["takes"] == "–"


def test_empty_period_shows_zero_and_no_rates(client, week, reviewer):
    page = dashboard(client, week, start="2026-02-01", end="2026-02-07").get_data(as_text=True)

    assert kpi(page, "received") == "0"
    assert kpi(page, "answered-rate") == "–"
    assert kpi(page, "answer-median") == "–"


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("today", date(2026, 3, 31), date(2026, 3, 31)),
        ("7d", date(2026, 3, 25), date(2026, 3, 31)),
        ("30d", date(2026, 3, 2), date(2026, 3, 31)),
        ("month", date(2026, 3, 1), date(2026, 3, 31)),
    ],
)
def test_presets_count_local_days_up_to_today(
    client, db_session, login_as, week, preset, first, last
):
    # 23:50 in Paris on 31 March is 21:50 UTC: "today" is the local day, the 31st.
    with time_machine.travel(paris("2026-03-31 23:50"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language="en")
        page = client.get(url("/stats/", hotline=week.hotline.id, period=preset))

    expected = summary(db_session, Period(first, last, "Europe/Paris"), week.hotline.id)
    assert page.status_code == 200
    assert kpi(page.get_data(as_text=True), "received") == str(expected.received)


def test_a_chosen_month_covers_its_days(client, db_session, week, reviewer):
    page = client.get(url("/stats/", hotline=week.hotline.id, period="month", month="2026-03"))

    assert kpi(page.get_data(as_text=True), "received") == "12"


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end", "The period ends before it starts."),
        (
            {"start": "2024-01-01", "end": "2026-03-01"},
            "end",
            "The period spans 791 days; choose at most 366.",
        ),
        ({"start": "", "end": "2026-03-01"}, "start", "Give the first day of the period."),
        ({"end": "31/03/2026"}, "end", "Not a valid date value."),
        ({"start": "9999-01-01", "end": "9999-12-31"}, "start", "Choose a date between"),
        ({"period": "month", "month": "2026-13"}, "month", "Give a month as YYYY-MM"),
        ({"period": "forever"}, "period", "Choose a period from the list."),
        ({"target": "0"}, "target", "Give the target in whole seconds, from 1 to 3600."),
        ({"hotline": "999999"}, "hotline", "Choose a hotline from the list."),
        ({"hotline": "north"}, "hotline", "Choose a hotline from the list."),
    ],
)
def test_bad_input_is_refused_at_its_field(client, login_as, week, args, field, message):
    login_as("admin", language="en")

    response = dashboard(client, week, **args)

    assert response.status_code == 400
    errors = field_errors(response.get_data(as_text=True), field)
    assert any(error.startswith(message) for error in errors), errors
    assert 'data-kpi="received"' not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/stats/", "/stats/calls", "/stats/calls.csv"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2101-01-01", "2026-03-31"),  # after the end too
        ("1900-01-01", "2026-03-31"),  # more than 366 days before it too
    ],
)
def test_a_first_day_out_of_range_gets_one_message_not_a_second_at_the_end(
    client, login_as, week, path, start, end
):
    login_as("admin", language="en")

    response = client.get(url(path, hotline=week.hotline.id, **{**MARCH_ARGS, "start": start}))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "start") == ["Choose a date between the years 2000 and 2100."]
    assert field_errors(page, "end") == []


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-03-31", "2026-03-01", "end", "La période se termine avant de commencer."),
        # In whole years, as the planning says it: no ISO date in a French sentence.
        (
            "9999-03-01",
            "2026-03-31",
            "start",
            "Choisissez une date comprise entre les années 2000 et 2100.",
        ),
    ],
)
def test_french_error_message_at_the_field(client, login_as, week, start, end, field, message):
    login_as("admin", language="fr")

    response = dashboard(client, week, start=start, end=end)

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), field) == [message]


def test_supervisor_reaches_only_their_hotlines(client, login_as, make_hotline, week):
    other = make_hotline("+33184889999", name="Other")
    login_as("supervisor", hotlines=(other,), language="en")

    assert dashboard(client, week).status_code == 403
    page = client.get("/stats/").get_data(as_text=True)
    # Their one hotline is chosen for them; no "all hotlines" choice is offered.
    assert f'<option selected value="{other.id}">Other</option>' in page
    assert "All hotlines" not in page


@pytest.mark.parametrize("path", ["/stats/", "/stats/calls", "/stats/astreinte"])
def test_a_hotline_not_in_the_list_is_not_taken_for_having_no_hotline(client, login_as, week, path):
    login_as("admin", language="en")

    response = client.get(url(path, hotline="999999"))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "hotline") == ["Choose a hotline from the list."]
    assert "No hotline is listed for you" not in page


def test_supervisor_without_hotline_is_told_so(client, login_as, week):
    login_as("supervisor", language="en")

    response = client.get("/stats/")

    assert response.status_code == 200
    assert "No hotline is listed for you" in response.get_data(as_text=True)


def test_admin_sees_all_hotlines_with_the_fallback_calls(client, login_as, db_session, week):
    login_as("admin", language="en")

    page = client.get(url("/stats/", hotline="", **MARCH_ARGS)).get_data(as_text=True)

    assert kpi(page, "received") == str(summary(db_session, MARCH).received) == "13"
    assert kpi(page, "failed") == "1"


def test_agent_sees_only_their_own_line(client, login_as, week):
    login_as("agent", person=week.bruno, language="en")

    response = dashboard(client, week)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-kpi="received"' not in page  # no hotline-wide figures
    assert "stats-charts" not in page
    assert row_cells(page, "data-agent", week.bruno.id)["accepted"] == "2"
    assert f'data-agent="{week.alice.id}"' not in page
    assert "My figures" in page


@pytest.mark.parametrize("target", ["0", "-5", "soon", "99999"])
def test_agent_dashboard_ignores_a_service_level_target(client, login_as, week, target):
    login_as("agent", person=week.bruno, language="en")
    own_line = dashboard(client, week).get_data(as_text=True)
    expected = row_cells(own_line, "data-agent", week.bruno.id)

    response = dashboard(client, week, target=target)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert row_cells(page, "data-agent", week.bruno.id) == expected
    assert field_errors(page, "target") == []
    assert 'name="target"' not in page  # no service level to set


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_a_malformed_target_is_still_refused_for_who_sees_the_service_level(
    client, login_as, week, role
):
    login_as(role, hotlines=(week.hotline,), language="en")

    response = dashboard(client, week, target="soon")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "target") == ["Give the target in whole seconds, from 1 to 3600."]
    assert 'data-kpi="received"' not in page


TARGET_MESSAGES = {
    "en": "Give the target in whole seconds, from 1 to 3600.",
    "fr": "Indiquez l’objectif en secondes entières, de 1 à 3600.",
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("typed", ["abc", "1.5", "20s", "0", "3601"])
def test_a_bad_target_gets_one_message_that_says_what_to_type(
    client, login_as, week, language, typed
):
    login_as("supervisor", hotlines=(week.hotline,), language=language)

    response = dashboard(client, week, target=typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "target") == [TARGET_MESSAGES[language]]
    # As for any bad field: marked, kept as typed to be corrected, no figures shown.
    target = re.search(r'<input [^>]*id="target"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in target
    assert 'aria-describedby="target-errors"' in target
    assert f'value="{typed}"' in target
    assert 'data-kpi="received"' not in page
    assert "stats-charts" not in page


def test_agent_without_person_is_told_so(client, login_as, week):
    login_as("agent", language="en")

    response = dashboard(client, week)

    assert response.status_code == 200
    assert "not linked to a person" in response.get_data(as_text=True)


def test_dashboard_loads_its_chart_scripts_from_the_app(client, week, reviewer):
    response = dashboard(client, week)

    page = response.get_data(as_text=True)
    assert '<script src="/stats/assets/plotly.min.js?v=' in page
    assert '<script src="/stats/static/stats.js">' in page
    assert "<script>" not in page  # no inline script
    policy = response.headers["Content-Security-Policy"]
    assert "script-src" not in policy  # scripts stay under default-src 'self'
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


@pytest.mark.parametrize("language", ["en", "fr"])
def test_durations_stay_on_one_line_at_phone_width(client, login_as, week, language):
    login_as("supervisor", hotlines=(week.hotline,), language=language)

    page = dashboard(client, week).get_data(as_text=True)

    # Non-breaking spaces inside the value: a narrow column never leaves "s" alone.
    assert 'data-kpi="talk-total">22\xa0min\xa025\xa0s<' in page
    assert 'data-kpi="answer-mean">23\xa0s<' in page
