from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from hotline.i18n import format_local, format_local_date, format_local_time
from tests.conftest import USER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "hotline" / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}


def heading(response):
    page = response if isinstance(response, str) else response.get_data(as_text=True)
    return page.split("<h1>")[1].split("</h1>")[0]


def test_french_without_any_preference(client):
    assert heading(client.get("/login")) == "Se connecter"


def test_browser_language_is_followed(client):
    response = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})

    assert heading(response) == "Sign in"
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_unsupported_browser_language_falls_back_to_french(client):
    assert heading(client.get("/login", headers={"Accept-Language": "de-DE,de"})) == "Se connecter"


def test_users_setting_wins_over_the_browser(client, login_as):
    login_as("agent", language="en")

    response = client.get("/account", headers={"Accept-Language": "fr-FR,fr"})

    assert heading(response) == "Your account"


def test_language_switch_saves_the_users_choice(client, login_as, submit, db_session):
    user = login_as("agent")

    response = submit("/language", {"language": "en", "next": "/account"})

    assert response.headers["Location"] == "/account"
    db_session.refresh(user)
    assert user.language == "en"
    assert heading(client.get("/account", headers={"Accept-Language": "fr"})) == "Your account"


def test_language_switch_works_for_anonymous_visitors(client, submit):
    submit("/language", {"language": "en", "next": "/login"})

    assert heading(client.get("/login", headers={"Accept-Language": "fr"})) == "Sign in"


def test_language_switch_ignores_unknown_languages(client, submit):
    submit("/language", {"language": "de", "next": "/login"})

    assert heading(client.get("/login")) == "Se connecter"


def test_back_to_browser_language_from_the_account_page(client, login_as, submit, db_session):
    user = login_as("agent", language="fr")

    submit("/account", {"language": ""})

    db_session.refresh(user)
    assert user.language is None
    assert heading(client.get("/account", headers={"Accept-Language": "en"})) == "Your account"


MOMENT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Paris, minutes before DST starts


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("fr", "Europe/Paris", "29 mars 2026, 01:30:00"),
        ("en", "Europe/Paris", "29 Mar 2026, 01:30:00"),
        ("fr", "America/New_York", "28 mars 2026, 20:30:00"),
    ],
)
def test_format_local_uses_the_zone_and_the_language(app, language, zone, expected):
    with app.test_request_context(), force_locale(language):
        assert format_local(MOMENT, zone) == expected


@pytest.mark.parametrize(
    ("language", "users_list", "hotline_page"),
    [
        # British conventions in English (the teams are European): day before month,
        # 24-hour clock; never "11/28/26, 5:01 PM".
        ("en", "29/03/2026, 01:30", "Sunday, 29 March 2026, 01:30:00"),
        ("fr", "29/03/2026 01:30", "dimanche 29 mars 2026, 01:30:00"),
    ],
)
def test_pages_write_dates_day_first_on_a_24_hour_clock(
    client, login_as, make_user, make_hotline, language, users_list, hotline_page
):
    make_user("agent", email="zoe@example.org", last_login_at=MOMENT)
    hotline = make_hotline(timezone="Europe/Paris")

    with time_machine.travel(MOMENT, tick=False):
        login_as("admin", language=language)
        users = client.get("/admin/users").get_data(as_text=True)
        page = client.get(f"/planning/hotlines/{hotline.id}").get_data(as_text=True)

    assert users_list in users
    assert hotline_page in page
    assert f'<html lang="{language}"' in page, "the language itself stays as chosen"


def test_local_day_and_time_follow_the_hotlines_zone(app):
    late = datetime(2026, 7, 14, 22, 15, tzinfo=UTC)  # already the 15th in Paris
    with app.test_request_context(), force_locale("fr"):
        assert format_local_date(late, "Europe/Paris", "full") == "mercredi 15 juillet 2026"
        assert format_local_time(late, "Europe/Paris") == "00:15"
        assert format_local_date(date(2026, 7, 14), "Europe/Paris", "short") == "14/07/2026"
        assert format_local(None, "Europe/Paris") == ""
        with pytest.raises(ValueError, match="naive"):
            format_local(datetime(2026, 7, 14, 22, 15), "Europe/Paris")


def test_templates_get_the_filters(app):
    with app.test_request_context(), force_locale("fr"):
        rendered = app.jinja_env.from_string(
            "{{ at|local_datetime('Europe/Paris', 'short') }}"
        ).render(at=MOMENT)
    assert rendered == "29/03/2026 01:30"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_compiled_catalog_matches_its_source(po_path):
    with po_path.open("rb") as po:
        catalog = read_po(po)
    compiled = BytesIO()
    write_mo(compiled, catalog)

    assert po_path.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        f"{po_path.with_suffix('.mo')} is stale: run pybabel compile -d hotline/translations"
    )


def test_every_ui_string_has_a_french_translation():
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    untranslated = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "hotline", method_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if (
            entry is None
            or entry.fuzzy
            or not all(entry.string if isinstance(entry.string, tuple) else (entry.string,))
        ):
            untranslated.append(msgid)

    assert untranslated == [], (
        "strings without a French translation (see docs/web-platform.md): "
        f"{sorted(set(untranslated))}"
    )


def test_an_unknown_language_on_the_account_page_is_refused_and_changes_nothing(
    login_as, submit, db_session
):
    user = login_as("agent", language="en")

    response = submit("/account", {"language": "de"})

    assert response.status_code == 400
    db_session.refresh(user)
    assert user.language == "en"


def test_the_language_chosen_on_the_sign_in_page_survives_the_sign_in(
    client, submit, make_user, db_session
):
    user = make_user("agent", email="agent@example.org", language=None)
    english = {"Accept-Language": "en-GB,en"}
    assert heading(client.get("/login", headers=english)) == "Sign in"
    submit("/language", {"language": "fr", "next": "/login"})

    submit("/login", {"email": "agent@example.org", "password": USER_PASSWORD})

    assert heading(client.get("/account", headers=english)) == "Votre compte"
    db_session.refresh(user)
    assert user.language == "fr"


def test_an_accounts_own_language_wins_over_the_sign_in_page_and_the_user_is_told(
    client, submit, make_user, db_session
):
    user = make_user("agent", email="agent@example.org", language="en")
    submit("/language", {"language": "fr", "next": "/login"})

    response = submit(
        "/login", {"email": "agent@example.org", "password": USER_PASSWORD, "next": "/account"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert heading(page) == "Your account"
    assert "Your account has its own language setting" in page
    db_session.refresh(user)
    assert user.language == "en"
