"""A feed URL answers only while whoever asked for it may still read what it shows.

Deactivated, demoted or moved off the hotline, the user keeps the URL but it
answers 404, exactly as an unknown one; back in place, it works again.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from hotline.db import utcnow
from tests.conftest import CSRF_FIELD, sign_in_client


class Browser:
    """A signed-in browser posting forms with its own session's CSRF token."""

    def __init__(self, app, db_session, user) -> None:
        self.client = app.test_client()
        sign_in_client(self.client, db_session, user)

    def post(self, path, data=None):
        page = self.client.get("/login", follow_redirects=True).get_data(as_text=True)
        token = CSRF_FIELD.search(page).group(1)
        return self.client.post(path, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def admin_desk(app, db_session, make_user):
    """The admin's browser, to (de)activate users and change their hotlines."""
    return Browser(app, db_session, make_user("admin"))


def set_user(desk, user, *, active=True, hotlines=()):
    form = {
        "name": user.name,
        "role": user.role,
        "active": "y" if active else "",
        "person": str(user.person_id or ""),
        "language": "",
        "hotlines": [str(h.id) for h in hotlines],
    }
    assert desk.post(f"/admin/users/{user.id}", form).status_code == 302


def path_of(url):
    return urlsplit(url).path


def answer_without(response, path):
    """The answer with the URL it names (in the language switch's form) blanked out."""
    return response.status_code, response.get_data(as_text=True).replace(path, "URL")


def test_a_deactivated_agents_link_answers_as_an_unknown_one_until_reactivated(
    app, client, db_session, admin_desk, make_user, make_person, make_hotline, make_slot
):
    me = make_person("Agathe")
    make_slot(make_hotline(), utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), [me])
    agent = make_user("agent", person=me)
    page = Browser(app, db_session, agent).post("/planning/mine/feed").get_data(as_text=True)
    link = urlsplit(page.split('<p class="secret"><code>')[1].split("<")[0]).path
    assert client.get(link).status_code == 200

    set_user(admin_desk, agent, active=False)
    unknown = "/ical/" + "x" * 43 + ".ics"

    gone = answer_without(client.get(link), link)
    assert gone == answer_without(client.get(unknown), unknown)  # the URL tells nothing
    assert gone[0] == 404
    set_user(admin_desk, agent, active=True)
    back = client.get(link)
    assert back.status_code == 200
    assert "BEGIN:VEVENT" in back.get_data(as_text=True)


def test_a_link_renewed_while_its_owner_was_away_stays_the_only_one(
    client, admin_desk, api_as, make_user, make_person
):
    me = make_person("Agathe")
    agent = api_as("agent", person=me)
    old = path_of(agent.post(f"/api/v1/people/{me.id}/feed").json["url"])

    set_user(admin_desk, agent.user, active=False)
    new = path_of(api_as("admin").post(f"/api/v1/people/{me.id}/feed").json["url"])
    set_user(admin_desk, agent.user, active=True)

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_feed_an_admin_gave_rests_while_the_persons_own_account_is_deactivated(
    client, admin_desk, api_as, make_user, make_person
):
    me = make_person("Agathe")
    agent = make_user("agent", person=me)
    url = api_as("admin").post(f"/api/v1/people/{me.id}/feed").json["url"]

    set_user(admin_desk, agent, active=False)
    assert client.get(path_of(url)).status_code == 404
    set_user(admin_desk, agent, active=True)
    assert client.get(path_of(url)).status_code == 200


def test_a_hotline_feed_stops_when_its_manager_leaves_the_hotline_or_is_deactivated(
    client, admin_desk, api_as, make_hotline
):
    hotline = make_hotline()
    manager = api_as("manager", hotlines=(hotline,))
    feed = path_of(manager.post(f"/api/v1/hotlines/{hotline.id}/feed").json["url"])

    set_user(admin_desk, manager.user, hotlines=())  # moved to another team
    assert client.get(feed).status_code == 404
    set_user(admin_desk, manager.user, hotlines=(hotline,))
    assert client.get(feed).status_code == 200
    set_user(admin_desk, manager.user, active=False, hotlines=(hotline,))
    assert client.get(feed).status_code == 404


def test_my_shifts_offers_a_new_link_when_the_current_one_no_longer_answers(
    app, db_session, admin_desk, api_as, make_user, make_person
):
    me = make_person("Agathe")
    agent = make_user("agent", person=me)
    retired = api_as("admin")  # gave Agathe her link, then left
    retired.post(f"/api/v1/people/{me.id}/feed")
    set_user(admin_desk, retired.user, active=False)

    page = Browser(app, db_session, agent).client.get("/planning/mine").get_data(as_text=True)

    assert "Obtenir un lien de calendrier" in page


def feed_note(page: str) -> str | None:
    """What the hotline page says of a current link that no longer answers, in one line."""
    found = re.search(r'<p class="flash flash-warning" id="feed-stopped">(.*?)</p>', page, re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else None


def test_the_hotline_page_says_why_its_calendar_link_stopped_and_offers_a_new_one(
    app, client, db_session, admin_desk, api_as, make_user, make_hotline
):
    hotline = make_hotline()
    issuer = api_as("manager", hotlines=(hotline,), name="Jean Dupont")
    feed = path_of(issuer.post(f"/api/v1/hotlines/{hotline.id}/feed").json["url"])
    colleague = Browser(app, db_session, make_user("manager", hotlines=(hotline,), language="en"))
    page_path = f"/planning/hotlines/{hotline.id}"
    assert feed_note(colleague.client.get(page_path).get_data(as_text=True)) is None

    set_user(admin_desk, issuer.user, hotlines=())  # moved to another team
    moved = colleague.client.get(page_path).get_data(as_text=True)
    set_user(admin_desk, issuer.user, active=False, hotlines=(hotline,))
    deactivated = colleague.client.get(page_path).get_data(as_text=True)
    renewed = colleague.post(f"{page_path}/feed").get_data(as_text=True)

    assert feed_note(moved) == (
        "The current calendar link no longer answers: Jean Dupont, who asked for it, no longer "
        "manages this hotline. Ask for a new link for calendars to show the planning again."
    )
    assert feed_note(deactivated) == (
        "The current calendar link no longer answers: Jean Dupont, who asked for it, has been "
        "deactivated. Ask for a new link for calendars to show the planning again."
    )
    assert f'action="{page_path}/feed#feed"' in deactivated  # the new-link button, as ever
    assert feed_note(renewed) is None
    new_link = path_of(renewed.split('<p class="secret"><code>')[1].split("<")[0])
    assert client.get(new_link).status_code == 200
    assert client.get(feed).status_code == 404


def test_the_stopped_link_is_explained_in_the_managers_language_and_only_to_managers(
    app, db_session, admin_desk, api_as, make_user, make_hotline
):
    hotline = make_hotline()
    issuer = api_as("manager", hotlines=(hotline,), name="Jean Dupont")
    issuer.post(f"/api/v1/hotlines/{hotline.id}/feed")
    set_user(admin_desk, issuer.user, active=False, hotlines=(hotline,))
    french = Browser(app, db_session, make_user("manager", hotlines=(hotline,), language="fr"))
    supervisor = Browser(app, db_session, make_user("supervisor", hotlines=(hotline,)))

    page = french.client.get(f"/planning/hotlines/{hotline.id}").get_data(as_text=True)
    read_only = supervisor.client.get(f"/planning/hotlines/{hotline.id}").get_data(as_text=True)

    assert feed_note(page) == (
        "Le lien de calendrier actuel ne répond plus : Jean Dupont l'a demandé, et son compte "
        "a été désactivé. Demandez un nouveau lien pour que les calendriers affichent de "
        "nouveau le planning."
    )
    assert feed_note(read_only) is None


def test_a_person_marked_inactive_has_a_link_that_answers_as_an_unknown_one_until_reactivated(
    app, client, db_session, api_as, make_user, make_person, make_hotline, make_slot
):
    me = make_person("Agathe")
    make_slot(make_hotline(), utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), [me])
    agent = make_user("agent", person=me)
    page = Browser(app, db_session, agent).post("/planning/mine/feed").get_data(as_text=True)
    link = urlsplit(page.split('<p class="secret"><code>')[1].split("<")[0]).path
    admin = api_as("admin")
    assert client.get(link).status_code == 200

    assert admin.patch(f"/api/v1/people/{me.id}", {"active": False}).status_code == 200
    unknown = "/ical/" + "x" * 43 + ".ics"
    resting = answer_without(client.get(link), link)
    assert admin.patch(f"/api/v1/people/{me.id}", {"active": True}).status_code == 200
    back = client.get(link)

    assert resting == answer_without(client.get(unknown), unknown)  # the URL tells nothing
    assert resting[0] == 404
    assert back.status_code == 200
    assert "BEGIN:VEVENT" in back.get_data(as_text=True)


def test_a_feed_an_admin_gave_a_person_with_no_account_rests_while_they_are_inactive(
    client, api_as, make_person
):
    me = make_person("Agathe")
    admin = api_as("admin")
    url = path_of(admin.post(f"/api/v1/people/{me.id}/feed").json["url"])

    admin.patch(f"/api/v1/people/{me.id}", {"active": False})
    assert client.get(url).status_code == 404
    admin.patch(f"/api/v1/people/{me.id}", {"active": True})
    assert client.get(url).status_code == 200


def test_my_shifts_says_why_my_link_stopped_when_the_admin_who_gave_it_left(
    app, db_session, admin_desk, api_as, make_user, make_person
):
    me = make_person("Agathe")
    agent = make_user("agent", person=me, language="fr")
    retired = api_as("admin", name="Jean Dupont")  # gave Agathe her link, then left
    retired.post(f"/api/v1/people/{me.id}/feed")
    set_user(admin_desk, retired.user, active=False)

    page = Browser(app, db_session, agent).client.get("/planning/mine").get_data(as_text=True)

    assert feed_note(page) == (
        "Le lien de calendrier actuel ne répond plus : Jean Dupont l'a demandé, et son compte "
        "a été désactivé. Demandez un nouveau lien pour que les calendriers affichent de "
        "nouveau le planning."
    )
    assert "Obtenir un lien de calendrier" in page


def test_my_shifts_says_in_english_that_the_admin_who_gave_my_link_lost_the_right(
    app, db_session, admin_desk, api_as, make_user, make_person
):
    me = make_person("Agathe")
    agent = make_user("agent", person=me, language="en")
    demoted = api_as("admin", name="Jean Dupont")
    demoted.post(f"/api/v1/people/{me.id}/feed")
    demoted.user.role = "supervisor"  # the admin page keeps one admin: change it directly
    db_session.flush()

    page = Browser(app, db_session, agent).client.get("/planning/mine").get_data(as_text=True)

    assert feed_note(page) == (
        "The current calendar link no longer answers: Jean Dupont, who asked for it, may no "
        "longer ask for it. Ask for a new link for calendars to show the planning again."
    )


@pytest.mark.parametrize(
    ("language", "note"),
    [
        (
            "fr",
            "Le lien de calendrier actuel ne répond plus : votre fiche est marquée inactive dans "
            "le planning. Le même lien répondra de nouveau dès qu’un responsable la réactivera.",
        ),
        (
            "en",
            "The current calendar link no longer answers: you are marked inactive in the "
            "planning. The same link answers again once a manager marks you active.",
        ),
    ],
)
def test_my_shifts_says_my_link_rests_while_i_am_marked_inactive(
    app, db_session, api_as, make_user, make_person, language, note
):
    me = make_person("Agathe")
    agent = make_user("agent", person=me, language=language)
    browser = Browser(app, db_session, agent)
    browser.post("/planning/mine/feed")
    admin = api_as("admin")

    admin.patch(f"/api/v1/people/{me.id}", {"active": False})
    resting = browser.client.get("/planning/mine").get_data(as_text=True)
    admin.patch(f"/api/v1/people/{me.id}", {"active": True})
    back = browser.client.get("/planning/mine").get_data(as_text=True)

    assert feed_note(resting) == note
    assert feed_note(back) is None
