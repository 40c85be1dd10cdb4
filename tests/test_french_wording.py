"""What a French reader notices: words, agreement, plurals and number formats on the pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from hotline.db import utcnow
from hotline.i18n import format_local, format_local_date
from hotline.planning.views_common import signed

PARIS = ZoneInfo("Europe/Paris")


def test_the_home_page_names_the_role_without_a_broken_elision(client, login_as):
    login_as("admin", language="fr")

    page = client.get("/", follow_redirects=True).get_data(as_text=True)

    assert "Votre rôle : Administrateur." in page
    assert "que Administrateur" not in page


def test_adding_a_person_says_so_without_a_gender_mark(client, login_as, submit):
    login_as("manager", language="fr")
    person = {"name": "Zoé Lefèvre", "mobile": "06 12 34 56 78", "language": "fr", "active": "y"}

    page = submit("/planning/people/new", person, follow_redirects=True).get_data(as_text=True)

    assert "Fiche créée : Zoé Lefèvre." in page
    assert "ajouté(e)" not in page


def test_a_french_deviation_in_percent_has_a_space_before_the_sign(app):
    with app.test_request_context(), force_locale("fr"):
        assert signed(0.333, True) == "+33\xa0%"
        assert signed(-0.04, True) == "-4\xa0%"
    with app.test_request_context(), force_locale("en"):
        assert signed(0.333, True) == "+33%"


def test_one_override_written_is_said_in_the_singular(
    client, login_as, submit, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    alice, bruno = make_person("Alice"), make_person("Bruno")
    day = (utcnow().astimezone(PARIS) + timedelta(days=7)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    make_slot(hotline, day, day + timedelta(days=1), [alice])
    login_as("manager", hotlines=(hotline,), language="fr")

    def local(moment: datetime) -> str:
        return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")

    form = {
        "person": str(alice.id),
        "replacement": str(bruno.id),
        "starts_at": local(day + timedelta(hours=2)),
        "ends_at": local(day + timedelta(hours=4)),
    }
    page = submit(
        f"/planning/hotlines/{hotline.id}/overrides/replace",
        {f"replace-{k}": v for k, v in form.items()},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "Le remplacement est en vigueur : 1 créneau de remplacement écrit." in page
    assert "(x)" not in page


def test_the_french_dashboard_writes_hours_with_a_spaced_h_and_asks_for_aaaa_mm(client, login_as):
    login_as("admin", language="fr")

    page = client.get("/stats/").get_data(as_text=True)

    assert '"00 h"' in page
    assert '"23 h"' in page
    assert '"00h"' not in page
    assert 'placeholder="AAAA-MM"' in page
    assert "YYYY" not in page


@pytest.mark.parametrize(
    ("language", "not_a_number", "message"),
    [
        ("fr", "vingt", "Ce n’est pas un nombre entier."),
        ("en", "twenty", "Not a valid integer value."),
    ],
)
def test_wtforms_own_messages_read_like_the_rest_of_the_page(
    client, login_as, submit, language, not_a_number, message
):
    login_as("admin", language=language)
    form = {"number": "01 84 88 99 99", "name": "Nord", "timezone": "Europe/Paris"}

    page = submit("/planning/hotlines/new", {**form, "ring_timeout": not_a_number})

    text = page.get_data(as_text=True)
    assert message in text
    assert "N&#39;est pas" not in text  # WTForms' own French, straight apostrophe and all
    assert "N'est pas" not in text


def test_the_first_of_a_month_is_written_1er_in_french(app):
    first = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    with app.test_request_context(), force_locale("fr"):
        assert format_local_date(first, "Europe/Paris", "full") == "mardi 1er décembre 2026"
        assert format_local(first, "Europe/Paris", "EEE d MMM HH:mm") == "mar. 1er déc. 09:00"
        assert format_local_date(first + timedelta(days=20), "Europe/Paris", "d MMM") == "21 déc."
        assert format_local_date(first, "Europe/Paris", "short") == "01/12/2026"
    with app.test_request_context(), force_locale("en"):
        assert format_local_date(first, "Europe/Paris", "d MMMM") == "1 December"


def test_a_french_month_of_statistics_starts_on_the_1er(client, login_as):
    login_as("admin", language="fr")

    page = client.get("/stats/?period=month&month=2026-11").get_data(as_text=True)

    assert "du 1er novembre 2026 au 30 novembre 2026" in page


def french_catalog() -> list[str]:
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).parents[1] / "hotline/translations/fr/LC_MESSAGES/messages.po"
    with po.open("rb") as source:
        catalog = read_po(source)
    texts = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts.extend(strings)
    return texts


def test_the_french_catalog_marks_no_gender_or_plural_with_brackets():
    marked = [t for t in french_catalog() if any(m in t for m in ("(e)", "(s)", "(x)", "(es)"))]

    assert marked == []


def test_the_french_catalog_says_roulement_not_rotation():
    assert [t for t in french_catalog() if "rotation" in t.lower()] == []


def test_a_persons_language_is_named_in_french_on_french_pages(client, login_as, make_person):
    make_person("Chloé", language="en")
    login_as("manager", language="fr")

    people = client.get("/planning/people").get_data(as_text=True)
    form = client.get("/planning/people/new").get_data(as_text=True)

    assert "<td>Anglais</td>" in people
    assert "English" not in people.split("<main")[1]
    assert '<option value="en">Anglais</option>' in form


def test_no_french_de_before_a_name_that_may_need_d_apostrophe():
    """ "de Alice", "de Astreinte Est": French elides before a vowel, a template cannot.

    The catalog holds the alerts' French too (target_name, incoming_name...).
    """
    import re

    before_name = re.compile(r"\b(de|que|le|la|du|au) %\((\w*name|who|email|hotline)\w*\)")
    assert [t for t in french_catalog() if before_name.search(t)] == []
