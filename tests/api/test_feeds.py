"""Feed URLs through the API: shown once, renewed on demand (the old URL then 404s), stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar

from hotline.db import utcnow


def path_of(url):
    return urlsplit(url).path


def test_an_agent_gets_a_url_for_their_own_feed_and_renewing_retires_the_old(
    api_as, client, make_person, make_hotline, make_slot
):
    me = make_person("Agent")
    hotline = make_hotline()
    make_slot(hotline, utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), [me])
    agent = api_as("agent", person=me)

    first = agent.post(f"/api/v1/people/{me.id}/feed")
    second = agent.post(f"/api/v1/people/{me.id}/feed")

    assert first.status_code == 201
    assert first.json["url"].startswith("http://localhost/ical/")
    assert first.json["url"].endswith(".ics")
    assert client.get(path_of(first.json["url"])).status_code == 404
    feed = client.get(path_of(second.json["url"]))
    assert feed.status_code == 200
    assert "Astreinte test (titulaire)" in feed.text  # a French hotline, "Astreinte" said once
    assert "Astreinte Astreinte" not in feed.text
    assert agent.delete(f"/api/v1/people/{me.id}/feed").status_code == 204
    assert client.get(path_of(second.json["url"])).status_code == 404


def test_an_agent_cannot_take_a_colleagues_feed(api_as, make_person):
    me, colleague = make_person("Agent"), make_person("Colleague")
    agent = api_as("agent", person=me)

    response = agent.post(f"/api/v1/people/{colleague.id}/feed")

    assert response.status_code == 403


def test_feed_urls_use_the_public_base_url(app, api_as, make_hotline):
    app.config["PUBLIC_BASE_URL"] = "https://hotline.example.org"
    hotline = make_hotline()
    manager = api_as("manager", hotlines=(hotline,))

    response = manager.post(f"/api/v1/hotlines/{hotline.id}/feed")

    assert response.status_code == 201
    assert response.json["url"].startswith("https://hotline.example.org/ical/")


def test_the_hotline_feed_lists_every_slot(api_as, client, make_hotline, make_person, make_slot):
    hotline = make_hotline(name="Réseau")
    alice, bob = make_person("Alice"), make_person("Bob")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    make_slot(hotline, start, start + timedelta(hours=12), [alice, bob])
    url = api_as("admin").post(f"/api/v1/hotlines/{hotline.id}/feed").json["url"]

    body = client.get(path_of(url)).get_data(as_text=True)

    assert "SUMMARY:Alice (puis Bob)" in body  # a French hotline
    assert "BEGIN:VTIMEZONE" in body
    assert "TZID:Europe/Paris" in body


def test_a_feed_url_from_the_api_lists_the_default_chain_hours(
    api_as, client, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline(name="Réseau", language="en")
    me, carol = make_person("Agent"), make_person("Carol")
    set_default_chain(hotline, [carol, me])
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    make_slot(hotline, start, start + timedelta(hours=12), [carol])
    mine = api_as("agent", person=me).post(f"/api/v1/people/{me.id}/feed").json["url"]
    line = api_as("admin").post(f"/api/v1/hotlines/{hotline.id}/feed").json["url"]

    my_feed = Calendar.from_ical(client.get(path_of(mine)).data)
    line_feed = Calendar.from_ical(client.get(path_of(line)).data)

    summaries = {str(e["summary"]) for e in my_feed.walk("VEVENT")}
    assert summaries == {"On call Réseau (default chain, backup 1)"}
    ends = {e.decoded("dtend").astimezone(UTC) for e in my_feed.walk("VEVENT")}
    assert start in ends  # the default chain's hours stop where Carol's slot starts
    line_summaries = {str(e["summary"]) for e in line_feed.walk("VEVENT")}
    assert line_summaries == {"Carol", "Default chain: Carol (backup Agent)"}
