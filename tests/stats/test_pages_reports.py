"""The per-agent CSV, the on-call (astreinte) report page and its CSV, the charting script."""

from __future__ import annotations

import gzip
import re

import pytest
import time_machine

from hotline.stats.agents import agent_table
from hotline.stats.astreinte import astreinte_report
from hotline.stats.exports import agents_csv, astreinte_csv
from hotline.voice.models import LegResult, Outcome

from .conftest import MARCH, paris
from .page_tools import MARCH as MARCH_ARGS
from .page_tools import csv_rows, field_errors, h_mm, row_cells, url


@pytest.fixture
def supervisor(login_as, week):
    return login_as("supervisor", hotlines=(week.hotline,), language="en")


@pytest.mark.parametrize(("language", "delimiter"), [("fr", ";"), ("en", ",")])
def test_agents_csv_is_the_agent_table_in_the_users_locale(
    client, login_as, db_session, week, language, delimiter
):
    login_as("supervisor", hotlines=(week.hotline,), language=language)
    expected = agents_csv(agent_table(db_session, MARCH, week.hotline.id), language)

    response = client.get(url("/stats/agents.csv", hotline=week.hotline.id, **MARCH_ARGS))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="agents-2026-03-23-2026-03-31.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body == expected
    rows = csv_rows(body, delimiter)
    assert [row[0] for row in rows[1:]] == ["Alice Martin", "Bruno Petit", "Chloé Durand"]
    decimal = "," if language == "fr" else "."
    assert rows[2][10] == f"13{decimal}50"  # Bruno's mean time to accept


def test_agents_csv_of_an_agent_holds_only_their_line(client, login_as, week):
    login_as("agent", person=week.bruno, language="en")

    response = client.get(url("/stats/agents.csv", hotline=week.hotline.id, **MARCH_ARGS))

    rows = csv_rows(response.get_data(as_text=True), ",")
    assert [row[0] for row in rows[1:]] == ["Bruno Petit"]


def test_agents_csv_refuses_a_bad_period_with_the_message(client, week, supervisor):
    response = client.get(
        url("/stats/agents.csv", hotline=week.hotline.id, period="custom", start="2026-03-05")
    )

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "end") == [
        "Give the last day of the period."
    ]


def test_astreinte_page_shows_the_report_of_the_month(client, db_session, week, supervisor):
    lines = astreinte_report(db_session, 2026, 3, "Europe/Paris", hotline_id=week.hotline.id)

    response = client.get(url("/stats/astreinte", hotline=week.hotline.id, month="2026-03"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for line in lines:
        cells = row_cells(page, "data-person", line.person_id)
        assert cells["calls"] == str(line.calls_handled)
        assert cells["available-weekday_day"] == h_mm(line.availability_hours("weekday_day"))
        assert cells["breaches"] == str(len(line.rest_breaches))
    alice = row_cells(page, "data-person", week.alice.id)
    assert alice["calls"] == "5"  # calls 1, 7, 8, 11, 12: accepted in March
    # Alice is in every chain from 23 March: 7 weekdays of 12 h days less the 4 h override
    # of the 26th, 7 weekday nights of 12 h, and a weekend of 47 h (the clocks go forward).
    assert (alice["available-weekday_day"], alice["available-weekday_night"]) == ("80:00", "84:00")
    assert alice["available-total"] == "211:00"


def test_astreinte_of_this_month_by_default(client, login_as, week):
    with time_machine.travel(paris("2026-03-31 23:50"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language="en")
        response = client.get(url("/stats/astreinte", hotline=week.hotline.id))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<input [^>]*id="month" [^>]*value="2026-03"', page)
    assert row_cells(page, "data-person", week.alice.id)["calls"] == "5"


def test_astreinte_for_one_person(client, week, supervisor):
    page = client.get(
        url("/stats/astreinte", hotline=week.hotline.id, month="2026-03", person=week.chloe.id)
    ).get_data(as_text=True)

    assert f'data-person="{week.chloe.id}"' in page
    assert f'data-person="{week.alice.id}"' not in page


def test_agent_sees_only_their_own_astreinte(client, login_as, week):
    login_as("agent", person=week.bruno, language="en")

    page = client.get(
        url("/stats/astreinte", hotline=week.hotline.id, month="2026-03", person=week.alice.id)
    ).get_data(as_text=True)

    assert f'data-person="{week.bruno.id}"' in page
    assert f'data-person="{week.alice.id}"' not in page


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"month": "March"}, "month", "Give a month as YYYY-MM, for example 2026-03."),
        ({"month": "1999-12"}, "month", "Choose a month between 2000 and 2100."),
        ({"month": "2026-03", "person": "999999"}, "person", "There is no agent 999999."),
    ],
)
def test_astreinte_bad_input_is_refused(client, week, supervisor, args, field, message):
    response = client.get(url("/stats/astreinte", hotline=week.hotline.id, **args))

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), field) == [message]


@pytest.mark.parametrize(("language", "delimiter"), [("fr", ";"), ("en", ",")])
def test_astreinte_csv_in_the_users_locale(client, login_as, db_session, week, language, delimiter):
    login_as("supervisor", hotlines=(week.hotline,), language=language)
    lines = astreinte_report(db_session, 2026, 3, "Europe/Paris", hotline_id=week.hotline.id)

    response = client.get(url("/stats/astreinte.csv", hotline=week.hotline.id, month="2026-03"))

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="astreinte-2026-03-01-2026-03-31.csv"'
        in (response.headers["Content-Disposition"])
    )
    body = response.get_data(as_text=True)
    assert body == astreinte_csv(lines, "2026-03", language)
    assert csv_rows(body, delimiter)[1][:2] == ["2026-03", "Alice Martin"]


def test_a_41_second_call_counts_on_the_report_page_and_in_its_csv(
    client, login_as, make_hotline, make_person, make_slot, make_call
):
    hotline = make_hotline(timezone="Europe/Paris")
    dana = make_person("Dana Roux")
    make_slot(hotline, paris("2026-03-02 08:00"), paris("2026-03-02 20:00"), [dana])
    make_call(
        hotline,
        "2026-03-02 10:00",
        Outcome.ANSWERED,
        [(dana, LegResult.ACCEPTED)],
        accepted_after=5,
        talk=41,
    )
    login_as("supervisor", hotlines=(hotline,), language="fr")
    args = {"hotline": hotline.id, "month": "2026-03"}

    page = client.get(url("/stats/astreinte", **args)).get_data(as_text=True)
    body = client.get(url("/stats/astreinte.csv", **args)).get_data(as_text=True)

    cells = row_cells(page, "data-person", dana.id)
    assert cells["calls"] == "1"
    assert cells["intervention-weekday_day"] == "0:01"
    assert cells["intervention-total"] == "0:01"
    assert cells["available-weekday_day"] == "12:00"
    # The page's hours read h:mm, and say so; the CSV's are decimal hours.
    assert "Intervention (h:mm)" in page
    header, row = csv_rows(body, ";")
    assert row[header.index("Intervention semaine jour (h)")] == "0,0114"  # 41 / 3600


def test_a_call_of_a_few_seconds_is_not_shown_as_no_intervention(
    client, login_as, make_hotline, make_person, make_slot, make_call
):
    hotline = make_hotline(timezone="Europe/Paris")
    dana = make_person("Dana Roux")
    make_slot(hotline, paris("2026-03-02 08:00"), paris("2026-03-02 20:00"), [dana])
    answered = [(dana, LegResult.ACCEPTED)]
    make_call(hotline, "2026-03-02 10:00", Outcome.ANSWERED, answered, accepted_after=5, talk=20)
    login_as("supervisor", hotlines=(hotline,), language="en")

    page = client.get(url("/stats/astreinte", hotline=hotline.id, month="2026-03"))

    cells = row_cells(page.get_data(as_text=True), "data-person", dana.id)
    assert cells["intervention-weekday_day"] == "< 0:01"
    assert cells["intervention-weekday_night"] == "0:00"


def test_the_report_page_shows_to_the_minute_the_hours_its_csv_gives(client, login_as, week):
    login_as("supervisor", hotlines=(week.hotline,), language="en")
    args = {"hotline": week.hotline.id, "month": "2026-03"}

    page = client.get(url("/stats/astreinte", **args)).get_data(as_text=True)
    header, *rows = csv_rows(
        client.get(url("/stats/astreinte.csv", **args)).get_data(as_text=True), ","
    )

    for person, row in zip((week.alice, week.bruno, week.chloe), rows, strict=True):
        assert row[1] == person.name
        cells = row_cells(page, "data-person", person.id)
        for column, figure in zip(header[2:10], row[2:10], strict=True):
            kind = "available" if column.startswith("On call") else "intervention"
            shown = [v for k, v in cells.items() if k.startswith(kind) and "total" not in k]
            assert h_mm(float(figure)) in shown
        assert len(row[2].split(".")[1]) == 4  # hours to four decimals


def test_the_dashboard_shows_to_the_minute_the_on_call_hours_agents_csv_gives(
    client, login_as, make_hotline, make_person, make_slot
):
    hotline = make_hotline(timezone="Europe/Paris")
    eve = make_person("Ève Blanc")
    # 120 h 33 min 36 s: 120.56 hours.
    make_slot(hotline, paris("2026-03-02 08:00"), paris("2026-03-07 08:33:36"), [eve])
    login_as("supervisor", hotlines=(hotline,), language="fr")
    args = {"hotline": hotline.id, "period": "custom", "start": "2026-03-01", "end": "2026-03-31"}

    page = client.get(url("/stats/", **args)).get_data(as_text=True)
    body = client.get(url("/stats/agents.csv", **args)).get_data(as_text=True)

    header, row = csv_rows(body, ";")
    assert row[header.index("Astreinte en titulaire (h)")] == "120,5600"
    assert row_cells(page, "data-agent", eve.id)["oncall-primary"] == "120:34"


def test_astreinte_csv_with_a_bad_month_is_the_page_with_the_message(client, week, supervisor):
    response = client.get(url("/stats/astreinte.csv", hotline=week.hotline.id, month="13/2026"))

    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_plotly_comes_from_the_installed_package_cached_and_compressed(client, login_as):
    login_as("supervisor", language="en")

    plain = client.get("/stats/assets/plotly.min.js")
    zipped = client.get("/stats/assets/plotly.min.js", headers={"Accept-Encoding": "gzip, br"})

    assert plain.status_code == 200
    assert plain.mimetype == "text/javascript"
    assert b"plotly.js v" in plain.data[:200]
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    assert "max-age=31536000" in plain.headers["Cache-Control"]
    assert "Accept-Encoding" in plain.headers["Vary"]
    again = client.get(
        "/stats/assets/plotly.min.js", headers={"If-None-Match": plain.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No month chosen: showing the current month, March 2026."),
        ("fr", "Aucun mois choisi : voici le mois en cours, mars 2026."),
    ],
)
def test_astreinte_without_a_month_says_which_month_it_shows(
    client, login_as, week, language, said
):
    with time_machine.travel(paris("2026-03-31 18:00"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language=language)
        page = client.get(url("/stats/astreinte", hotline=week.hotline.id)).get_data(as_text=True)
        chosen = client.get(url("/stats/astreinte", hotline=week.hotline.id, month="2026-03"))

    assert f'<p class="hint" id="month-hint">{said}</p>' in page
    assert 'aria-describedby="month-hint"' in page, "read out with the month field"
    assert 'id="month-hint"' not in chosen.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Nobody was on call or intervened in February 2026."),
        ("fr", "Personne n’était d’astreinte ni n’est intervenu en février 2026."),
    ],
)
def test_an_empty_astreinte_names_the_month_shown(client, login_as, week, language, said):
    with time_machine.travel(paris("2026-03-31 18:00"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language=language)
        response = client.get(url("/stats/astreinte", hotline=week.hotline.id, month="2026-02"))

    page = response.get_data(as_text=True)
    assert said in page
    assert "this month" not in page
    assert "ce mois-ci" not in page
