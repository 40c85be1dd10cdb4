"""What a French reader notices: words, agreement, plurals and number formats on the pages."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from hotline.db import utcnow
from hotline.i18n import format_local, format_local_date
from hotline.planning.ical import issue_hotline_feed, issue_person_feed
from hotline.planning.rotations import RotationSpec, create_rotation
from hotline.planning.unavailability import add_unavailability
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
        assert signed(-0.04, True) == "\u22124\xa0%"  # a minus sign, not a hyphen
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


# -- a message shown on its own starts with a capital ----------------------------------------


def slot_form_page(client, login_as, make_hotline, make_person, make_slot):
    """A slot of next week, a manager signed in in French, and the slot's edit page."""
    hotline = make_hotline()
    alice = make_person("Alice")
    day = (utcnow().astimezone(PARIS) + timedelta(days=7)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    slot = make_slot(hotline, day, day + timedelta(days=1), [alice])
    login_as("manager", hotlines=(hotline,), language="fr")
    path = f"/planning/hotlines/{hotline.id}/slots/{slot.id}"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(path).text)[1]

    def local(moment: datetime) -> str:
        return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")

    form = {
        "version": version,
        "starts_at": local(day),
        "ends_at": local(day + timedelta(days=1)),
        "chain-0": str(alice.id),
        "note": "",
    }
    return path, form, day, local


def test_a_field_error_alone_starts_with_a_capital(
    client, login_as, submit, make_hotline, make_person, make_slot
):
    path, form, day, local = slot_form_page(client, login_as, make_hotline, make_person, make_slot)

    page = submit(path, {**form, "ends_at": local(day - timedelta(hours=1))}).text

    assert "La fin est avant le début" in page
    assert ">la fin est avant le début" not in page


def test_a_conflicting_edit_is_told_with_a_capital(
    client, login_as, submit, make_hotline, make_person, make_slot
):
    path, form, *_ = slot_form_page(client, login_as, make_hotline, make_person, make_slot)
    submit(path, {**form, "note": "first"})

    page = submit(path, {**form, "note": "second"}).text

    assert "Quelqu’un a modifié ce créneau entre-temps" in page
    assert "quelqu’un a modifié" not in page


# -- the rotation generation preview ----------------------------------------------------------


def test_the_generation_preview_says_membres_ecartes_and_writes_dates_as_the_page_does(
    app, client, login_as, submit, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline(timezone="Europe/Paris")
    alice, bruno = make_person("Alice"), make_person("Bruno")
    monday = (utcnow().astimezone(PARIS) + timedelta(days=35)).date()
    monday -= timedelta(days=monday.weekday())
    login_as("manager", hotlines=(hotline,), language="fr")
    rotation = RotationSpec("Semaine", (alice.id, bruno.id), 24, time(8), monday)
    rotation_id = create_rotation(db_session, hotline.id, rotation, user_id=None).id
    # A slot made by hand on the Tuesday, and Bruno on leave on the Wednesday.
    tuesday = datetime.combine(monday + timedelta(days=1), time(12), tzinfo=PARIS)
    make_slot(hotline, tuesday, tuesday + timedelta(hours=2), [alice])
    wednesday = datetime.combine(monday + timedelta(days=2), time(0), tzinfo=PARIS)
    add_unavailability(
        db_session, bruno.id, starts_at=wednesday, ends_at=wednesday + timedelta(days=1),
        kind="leave", user_id=None,
    )  # fmt: skip

    page = client.get(
        f"/planning/hotlines/{hotline.id}/rotations/{rotation_id}/generate",
        query_string={"weeks": "1", "from_day": monday.isoformat()},
    ).text

    assert "Membres écartés" in page
    assert "Membres passés" not in page
    conflicts = page.split('class="warnings conflicts"')[1].split("</ul>")[0]
    with app.test_request_context(), force_locale("fr"):
        start = format_local(tuesday.replace(hour=8), "Europe/Paris", "EEE d MMM y HH:mm")
    assert f"Astreinte {start} – " in conflicts
    assert "non générée : le créneau" in conflicts
    assert str(monday.year) + "-" not in conflicts, "no ISO dates"


# -- calendar feeds ----------------------------------------------------------------------------


def test_a_feed_does_not_say_astreinte_twice_for_a_hotline_named_astreinte(
    client, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline(name="Astreinte démo", language="fr")
    other = make_hotline(number="+33184882222", name="Support", language="fr")
    alice = make_person("Alice")
    start = utcnow() + timedelta(days=1)
    make_slot(hotline, start, start + timedelta(hours=12), [alice])
    make_slot(other, start + timedelta(days=1), start + timedelta(days=1, hours=12), [alice])

    person_feed = client.get(f"/ical/{issue_person_feed(db_session, alice, user_id=None)}.ics")
    hotline_feed = client.get(f"/ical/{issue_hotline_feed(db_session, hotline, user_id=None)}.ics")

    summaries = [str(e["summary"]) for e in Calendar.from_ical(person_feed.data).walk("VEVENT")]
    assert summaries == ["Astreinte démo (titulaire)", "Astreinte Support (titulaire)"]
    assert str(Calendar.from_ical(hotline_feed.data)["x-wr-calname"]) == "Astreinte démo"
