"""A statistics request is judged on the inputs it uses: stray ones never fail it.

stats.js hides the date fields a preset period does not read, but the browser
still sends what was typed in them; a link may carry them too.
"""

from __future__ import annotations

import re

import pytest
import time_machine

from .conftest import paris
from .page_tools import csv_rows, field_errors, kpi, url

PAGES = ["/stats/", "/stats/calls", "/stats/calls.csv", "/stats/agents.csv"]
MONTH = {"period": "month", "month": "2026-03"}
STRAY_DATES = [
    {"start": "31/03/2026"},
    {"end": "not a date"},
    {"start": "1900-01-01", "end": "2026-02-30"},
]


@pytest.fixture
def supervisor(login_as, week):
    return login_as("supervisor", hotlines=(week.hotline,), language="en")


def figures(path: str, response) -> object:
    """What the page shows of the period: the calls received, listed, or the CSV's rows."""
    body = response.get_data(as_text=True)
    if path == "/stats/":
        return kpi(body, "received")
    if path == "/stats/calls":
        return re.search(r'data-total="(\d+)"', body)[1]
    return csv_rows(body, ",")


def get(client, week, path, **args):
    return client.get(url(path, hotline=week.hotline.id, **args))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("stray", STRAY_DATES)
def test_a_month_ignores_dates_it_does_not_use(client, week, supervisor, path, stray):
    expected = figures(path, get(client, week, path, **MONTH))

    response = get(client, week, path, **MONTH, **stray)

    assert response.status_code == 200
    assert figures(path, response) == expected


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("preset", ["today", "7d", "30d"])
def test_a_preset_ignores_dates_and_a_month_it_does_not_use(client, login_as, week, path, preset):
    stray = {"start": "2026-13-01", "end": "yesterday", "month": "March"}
    with time_machine.travel(paris("2026-03-31 18:00"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language="en")
        expected = figures(path, get(client, week, path, period=preset))

        response = get(client, week, path, period=preset, **stray)

    assert response.status_code == 200
    assert figures(path, response) == expected


@pytest.mark.parametrize("path", PAGES)
def test_dates_ignore_a_month_they_do_not_use(client, week, supervisor, path):
    dates = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    expected = figures(path, get(client, week, path, **dates))

    response = get(client, week, path, **dates, month="2026-13")

    assert response.status_code == 200
    assert figures(path, response) == expected


@pytest.mark.parametrize(
    ("path", "stray"),
    [("/stats/calls.csv", {"page_size": "0"}), ("/stats/agents.csv", {"target": "-5"})],
)
def test_a_csv_ignores_what_only_its_page_uses(client, week, supervisor, path, stray):
    expected = figures(path, get(client, week, path, **MONTH))

    response = get(client, week, path, **MONTH, **stray)

    assert response.status_code == 200
    assert figures(path, response) == expected


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"start": "31/03/2026", "end": "2026-03-31"}, "start", "Not a valid date value."),
        ({"start": "2026-03-01", "end": "soon"}, "end", "Not a valid date value."),
    ],
)
def test_a_malformed_date_the_period_uses_is_refused_at_its_field(
    client, week, supervisor, path, args, field, message
):
    response = get(client, week, path, period="custom", **args)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert field_errors(response.get_data(as_text=True), field) == [message]


@pytest.mark.parametrize("path", PAGES)
def test_a_malformed_month_the_period_uses_is_refused_at_its_field(client, week, supervisor, path):
    response = get(client, week, path, period="month", month="2026-13", start="2026-03-01")

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "month") == [
        "Give a month as YYYY-MM, for example 2026-03."
    ]
    assert field_errors(response.get_data(as_text=True), "start") == []


@pytest.mark.parametrize("path", ["/stats/", "/stats/calls"])
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "No month chosen: showing the current month, March 2026."),
        ("fr", "Aucun mois choisi : voici le mois en cours, mars 2026."),
    ],
)
def test_a_month_period_without_a_month_says_which_month_it_shows(
    client, login_as, week, path, language, said
):
    with time_machine.travel(paris("2026-03-31 18:00"), tick=False):
        login_as("supervisor", hotlines=(week.hotline,), language=language)
        page = get(client, week, path, period="month").get_data(as_text=True)
        chosen = get(client, week, path, **MONTH).get_data(as_text=True)

    assert f'<p class="hint" id="month-hint">{said}</p>' in page
    assert 'aria-describedby="month-hint"' in page, "read out with the month field"
    assert "No month chosen" not in chosen
    assert "Aucun mois choisi" not in chosen
