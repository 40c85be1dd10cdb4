"""Calendar links on the pages: my own (every role with a person) and a hotline's (managers)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from hotline.db import utcnow


def shown_link(response) -> str:
    match = re.search(r'<p class="secret"><code>([^<]+)</code>', response.get_data(as_text=True))
    assert match, "no calendar link on the page"
    return urlsplit(match.group(1)).path


def test_agent_gets_a_calendar_link_with_their_shifts(
    client, login_as, submit, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    me = make_person("Agathe")
    make_slot(hotline, utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), [me])
    login_as("agent", person=me)

    link = shown_link(submit("/planning/mine/feed"))
    feed = client.get(link)

    assert feed.status_code == 200
    assert feed.content_type.startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.get_data(as_text=True)
    assert "Nouveau lien de calendrier" in client.get("/planning/mine").get_data(as_text=True)


def test_a_new_link_stops_the_old_one_and_stopping_ends_it(client, login_as, submit, make_person):
    login_as("agent", person=make_person("Agathe"))
    old = shown_link(submit("/planning/mine/feed"))

    new = shown_link(submit("/planning/mine/feed"))

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    stopped = submit("/planning/mine/feed/delete", follow_redirects=True)
    again = submit("/planning/mine/feed/delete", follow_redirects=True)  # a second click
    assert client.get(new).status_code == 404
    assert "Votre lien de calendrier est désactivé." in stopped.get_data(as_text=True)
    assert "Vous n’avez pas de lien de calendrier à désactiver." in again.get_data(as_text=True)


def test_without_a_linked_person_there_is_no_link(client, login_as, submit):
    login_as("supervisor")

    assert submit("/planning/mine/feed").status_code == 404


def test_manager_gets_the_hotlines_calendar_link(client, login_as, submit, make_hotline):
    hotline = make_hotline()
    login_as("manager", hotlines=(hotline,))

    link = shown_link(submit(f"/planning/hotlines/{hotline.id}/feed"))

    assert client.get(link).status_code == 200
