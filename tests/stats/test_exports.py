"""CSV exports read back the way a spreadsheet in each locale reads them."""

from __future__ import annotations

import csv
import io
from contextlib import nullcontext

import pytest

from hotline.stats.agents import agent_table
from hotline.stats.astreinte import astreinte_report
from hotline.stats.calls import CallFilters, iter_calls
from hotline.stats.errors import StatsInputError
from hotline.stats.exports import agents_csv, astreinte_csv, calls_csv, csv_format

from .conftest import MARCH


def read(text: str, delimiter: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def call_rows(db_session, week, locale):
    rows = iter_calls(db_session, CallFilters(MARCH, week.hotline.id, outcome="answered"))
    return read("".join(calls_csv(rows, locale, "Europe/Paris")), csv_format(locale).delimiter)


def test_call_list_in_french_uses_semicolons_comma_decimals_and_local_dates(db_session, week):
    table = call_rows(db_session, week, "fr")

    assert table[0][:4] == ["Début", "Ligne", "Appelant", "Issue"]
    assert table[0][-1] == "Identifiant Twilio de l’appel"  # no English header
    assert len(table) == 1 + 8
    row = dict(zip(table[0], next(r for r in table if r[0] == "24/03/2026 23:30:00"), strict=True))
    assert row["Appelant"] == "'+33610000003"  # kept as text, not a formula or a number
    assert row["Répondu par"] == "Chloé Durand"
    assert row["Rang dans la chaîne"] == "3"
    assert row["Délai de réponse (en s)"] == "50,00"
    assert row["Conversation (en s)"] == "60"


def test_call_list_in_english_uses_commas_and_iso_dates(db_session, week):
    table = call_rows(db_session, week, "en")

    assert table[0][0] == "Started"
    started = [r[0] for r in table[1:]]
    assert "2026-03-24 23:30:00" in started
    assert "2026-03-23 00:10:00" in started  # 22 March in UTC, shown local
    row = next(r for r in table if r[0] == "2026-03-24 23:30:00")
    assert row[7] == "50.00"


def around(app, what: str, locale: str):
    """Where an export runs: a CLI command or a job (no app, or an app and no request),
    or a page whose reader uses the other language."""
    if what == "nothing":
        return nullcontext()
    if what == "an app":
        return app.app_context()
    other = "en" if locale == "fr" else "fr"
    return app.test_request_context(headers={"Accept-Language": other})


@pytest.mark.parametrize("surroundings", ["nothing", "an app", "a request in the other language"])
@pytest.mark.parametrize(
    ("locale", "header", "words"),
    [
        ("fr", "Issue", {"Répondu", "Messagerie", "Manqué", "Abandonné", "En cours"}),
        ("en", "Outcome", {"Answered", "Voicemail", "Missed", "Abandoned", "In progress"}),
    ],
)
def test_call_list_outcomes_are_the_words_the_call_pages_show_in_the_language_asked(
    app, db_session, week, surroundings, locale, header, words
):
    with around(app, surroundings, locale):
        rows = iter_calls(db_session, CallFilters(MARCH, week.hotline.id))
        text = "".join(calls_csv(rows, locale, "Europe/Paris"))

    table = read(text, csv_format(locale).delimiter)
    assert table[0][3] == header
    assert {row[3] for row in table[1:]} == words


def test_agent_table_csv_per_locale(db_session, week):
    rows = agent_table(db_session, MARCH, week.hotline.id)

    fr = read(agents_csv(rows, "fr_FR"), ";")
    en = read(agents_csv(rows, "en"), ",")

    assert fr[1] == [
        "Alice Martin",
        "12",
        "5",
        "0",
        "0",
        "4",
        "1",
        "0",
        "1",
        "895",
        "9,80",
        "116,0000",
        "211,0000",
    ]
    assert en[1][-3:] == ["9.80", "116.0000", "211.0000"]
    assert [r[0] for r in en[1:]] == ["Alice Martin", "Bruno Petit", "Chloé Durand"]
    # The columns are named as on the dashboard.
    assert {"Unanswered", "Hung up by the caller"} <= set(en[0])
    assert {"Sans réponse", "Raccrochés par l’appelant", "Astreinte en titulaire (h)"} <= set(fr[0])


def test_astreinte_csv_has_hours_per_kind_calls_and_breaches(db_session, week):
    lines = astreinte_report(db_session, 2026, 3, "Europe/Paris")

    table = read(astreinte_csv(lines, "2026-03", "fr"), ";")

    assert table[0][:3] == ["Mois", "Agent", "Astreinte semaine jour (h)"]
    assert table[0][-2:] == ["Appels traités", "Repos < 11 h"]
    assert table[1] == [
        "2026-03",
        "Alice Martin",
        "80,0000",
        "84,0000",
        "47,0000",
        "0,0000",
        "0,0458",  # calls 1 and 7: 165 s
        "0,2028",  # calls 8, 11 and 12: 730 s
        "0,0000",
        "0,0000",
        "5",
        "0",
    ]


def test_text_that_looks_like_a_formula_is_neutralised(db_session, week, make_person):
    week.alice.name = '=HYPERLINK("http://evil")'
    db_session.flush()
    rows = agent_table(db_session, MARCH, week.hotline.id)

    table = read(agents_csv(rows, "en"), ",")

    assert table[1][0] == '\'=HYPERLINK("http://evil")'


def test_unknown_locale_is_refused():
    with pytest.raises(StatsInputError, match="no CSV format for locale 'de'"):
        csv_format("de")
