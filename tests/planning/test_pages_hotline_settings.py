"""Hotline settings (admins): every field checked, the default chain in order, all or nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.models import Hotline
from hotline.planning.hotline_settings import default_chain_ids


def form(**changes):
    data = {
        "number": "01 84 88 99 00",
        "name": "Astreinte Est",
        "timezone": "Europe/Paris",
        "language": "fr",
        "ring_timeout": "25",
        "screening": "y",
        "fallback_number": "",
        "greeting": "",
    }
    data.update(changes)
    return data


def chain(*people):
    places = {f"default_chain-{i}": "" for i in range(5)}
    places.update({f"default_chain-{i}": str(p.id) for i, p in enumerate(people)})
    return places


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def test_admin_creates_a_hotline_with_its_default_chain(
    client, login_as, submit, db_session, make_person
):
    alice, bruno = make_person("Alice"), make_person("Bruno")
    login_as("admin")

    response = submit(
        "/planning/hotlines/new",
        form(fallback_number="06 99 88 77 66", **chain(bruno, alice)),
    )

    assert response.status_code == 302
    hotline = db_session.scalar(select(Hotline).where(Hotline.name == "Astreinte Est"))
    assert hotline.number == "+33184889900"
    assert hotline.fallback_number == "+33699887766"
    assert (hotline.ring_timeout, hotline.screening, hotline.timezone) == (25, True, "Europe/Paris")
    assert default_chain_ids(db_session, hotline.id) == [bruno.id, alice.id]
    assert response.headers["Location"] == f"/planning/hotlines/{hotline.id}"


def test_settings_page_shows_the_stored_values(
    client, login_as, make_hotline, make_person, set_default_chain
):
    hotline = make_hotline("+33184881234", name="Nord", fallback_number="+33699887766")
    alice = make_person("Alice")
    set_default_chain(hotline, [alice])
    login_as("admin")

    page = client.get(f"/planning/hotlines/{hotline.id}/settings").get_data(as_text=True)

    assert 'value="01 84 88 12 34"' in page
    assert 'value="06 99 88 77 66"' in page
    selected = re.search(r'<select id="default_chain-0".*?</select>', page, re.S).group(0)
    assert f'selected value="{alice.id}"' in selected or f'value="{alice.id}" selected' in selected


def test_admin_changes_settings_and_reorders_the_chain(
    client, login_as, submit, db_session, make_hotline, make_person, set_default_chain
):
    hotline = make_hotline("+33184881234", name="Nord")
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    set_default_chain(hotline, [alice, bruno])
    login_as("admin")

    response = submit(
        f"/planning/hotlines/{hotline.id}/settings",
        form(
            number="+33 1 84 88 12 34",
            name="Nord bis",
            timezone="America/Montreal",
            language="en",
            ring_timeout="40",
            **chain(chloe, alice),
        ),
    )

    assert response.status_code == 302
    db_session.refresh(hotline)
    assert (hotline.name, hotline.timezone, hotline.language, hotline.ring_timeout) == (
        "Nord bis",
        "America/Montreal",
        "en",
        40,
    )
    assert hotline.screening is True
    assert default_chain_ids(db_session, hotline.id) == [chloe.id, alice.id]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": ""}, "number", "Indiquez le numéro de la ligne."),
        ({"number": "12"}, "number", "12 n’est pas un numéro"),
        ({"number": "01 84 88 00 01"}, "number", "Une autre ligne a déjà ce numéro."),
        ({"name": ""}, "name", None),
        ({"timezone": "Europe/Lutece"}, "timezone", "n’est pas un fuseau horaire connu"),
        ({"timezone": ""}, "timezone", None),
        ({"language": "de"}, "language", None),
        ({"ring_timeout": "4"}, "ring_timeout", "Choisissez entre 5 et 600 secondes."),
        ({"ring_timeout": "601"}, "ring_timeout", "Choisissez entre 5 et 600 secondes."),
        ({"ring_timeout": "soon"}, "ring_timeout", None),
        ({"fallback_number": "0000"}, "fallback_number", "0000 n’est pas un numéro"),
        ({"fallback_number": "01 84 88 99 00"}, "fallback_number", "celui de la ligne"),
        ({"greeting": "x" * 501}, "greeting", None),
    ],
)
def test_bad_settings_are_refused_at_their_field_and_nothing_is_saved(
    client, login_as, submit, db_session, make_hotline, changes, field, message
):
    make_hotline("+33184880001", name="Autre")
    hotline = make_hotline("+33184881234", name="Nord", ring_timeout=20)
    login_as("admin")

    response = submit(f"/planning/hotlines/{hotline.id}/settings", form(**changes))

    assert response.status_code == 400
    errors = field_errors(response, field)
    assert errors, f"no message at {field}"
    if message:
        assert any(message in error for error in errors), errors
    db_session.refresh(hotline)
    assert (hotline.number, hotline.name, hotline.ring_timeout) == ("+33184881234", "Nord", 20)


def test_a_person_twice_in_the_chain_is_refused(
    client, login_as, submit, db_session, make_hotline, make_person
):
    hotline = make_hotline()
    alice = make_person("Alice")
    login_as("admin")

    response = submit(f"/planning/hotlines/{hotline.id}/settings", form(**chain(alice, alice)))

    assert response.status_code == 400
    assert field_errors(response, "default_chain") == [
        "Une personne figure deux fois dans la chaîne."
    ]
    assert default_chain_ids(db_session, hotline.id) == []


def test_an_unknown_person_in_the_chain_is_refused(
    client, login_as, submit, db_session, make_hotline
):
    hotline = make_hotline()
    login_as("admin")

    response = submit(
        f"/planning/hotlines/{hotline.id}/settings", form(**{"default_chain-0": "987654"})
    )

    assert response.status_code == 400
    assert field_errors(response, "default_chain") == ["Choisissez des personnes de la liste."]


def test_a_new_hotline_with_a_taken_number_is_not_created(
    client, login_as, submit, db_session, make_hotline
):
    make_hotline("+33184889900", name="Déjà")
    login_as("admin")

    response = submit("/planning/hotlines/new", form())

    assert response.status_code == 400
    assert field_errors(response, "number") == ["Une autre ligne a déjà ce numéro."]
    assert db_session.scalar(select(Hotline).where(Hotline.name == "Astreinte Est")) is None
