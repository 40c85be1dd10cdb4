"""The personal listen link in a real browser: an agent opens the link their alert's SMS gave.

The call is played through the app's signed webhooks, the alert is dispatched and sent by
the worker's own functions to a Twilio stand-in on 127.0.0.1 (tests/alerts/fakes.py), which
also keeps the recording and serves it only to the account's credentials, as Twilio does.
"""

from __future__ import annotations

import io
import re
import secrets
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from hotline import create_app
from hotline.alerts import listen, tasks
from hotline.alerts.models import AlertEvent, AlertKind
from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import REGULAR, Slot, SlotResponder
from hotline.voice.models import Call
from tests.alerts.fakes import FakeTwilioRest
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import AUTH_TOKEN, EMERGENCY_NUMBER, TwilioClient
from tests.voice.conftest import CallDriver

ACCOUNT_SID = "AC" + "1" * 32
MESSAGE_SECONDS = 0.5


def silence(seconds: float) -> bytes:
    """A WAV of `seconds` of silence: audio a browser really decodes and times."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


@dataclass
class ListenSite:
    """The app as an alert's reader reaches it, with its Twilio stand-in."""

    url: str
    app: Flask
    twilio: FakeTwilioRest


@pytest.fixture(scope="module")
def listen_site(live_server: Any, browser_database_url: str) -> Iterator[ListenSite]:
    """A node with a Twilio account (the stand-in) and a public address: it sends listen links."""
    fake = FakeTwilioRest(media_type="audio/wav", media_credentials=(ACCOUNT_SID, AUTH_TOKEN))
    fake.start()
    app = create_app(
        {
            "SECRET_KEY": "browser-tests-listen",
            "DATABASE_URL": browser_database_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": fake.url,
            "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # the links the alerts carry, and Twilio's signatures
    thread = threading.Thread(target=server.serve_forever, name="listen-site", daemon=True)
    thread.start()
    try:
        yield ListenSite(url, app, fake)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["hotline.db"].engine.dispose()
        fake.stop()


@dataclass
class Alerted:
    call_id: int
    hotline_name: str
    sms: dict[str, str]  # by person name
    people: dict[str, int]  # person ids by name


def missed_call_alerted(site: ListenSite, live_server: Any) -> Alerted:
    """Alice (French) and Chloé (English) on call miss a call; the caller leaves a message;
    the missed-call alert goes out by SMS."""
    tag = secrets.token_hex(3)
    recording = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE{tag}"
    site.twilio.media[f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE{tag}.mp3"] = silence(
        MESSAGE_SECONDS
    )
    now = utcnow()
    with Session(live_server.engine, expire_on_commit=False) as session, session.begin():
        hotline = Hotline(
            number=f"+33184{secrets.randbelow(10**6):06d}",
            name=f"Astreinte {tag}",
            timezone="Europe/Paris",
        )
        alice = Person(ref=f"alice-{tag}", name="Alice", mobile="+33612345601", language="fr")
        chloe = Person(ref=f"chloe-{tag}", name="Chloé", mobile="+33612345603", language="en")
        session.add_all([hotline, alice, chloe])
        session.flush()
        session.add(
            Slot(
                hotline_id=hotline.id,
                kind=REGULAR,
                starts_at=now - timedelta(hours=2),
                ends_at=now + timedelta(hours=2),
                responders=[
                    SlotResponder(position=0, person_id=alice.id),
                    SlotResponder(position=1, person_id=chloe.id),
                ],
            )
        )
    sid = "CA" + secrets.token_hex(16)
    driver = CallDriver(TwilioClient(site.app.test_client(), base=site.url), hotline, sid)
    driver.incoming()
    driver.dial_result(0, "no-answer", bridged=False)
    driver.dial_result(1, "no-answer", bridged=False)
    driver.voicemail_done(12, url=recording)
    # Twilio's recording callback, with this message's own SID (CallDriver's is fixed).
    driver.post(
        "/voice/recording",
        {
            "CallSid": sid,
            "RecordingSid": f"RE{tag}",
            "RecordingStatus": "completed",
            "RecordingDuration": "12",
            "RecordingUrl": recording,
        },
        {"call": sid},
    )
    driver.status("completed", 60)
    with Session(live_server.engine) as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        events = session.scalars(
            select(AlertEvent.id).where(
                AlertEvent.call_id == call.id, AlertEvent.kind == AlertKind.MISSED_CALL
            )
        ).all()
    sent_before = len(site.twilio.messages)
    for event_id in events:  # what the worker does with each event, then each notification
        tasks.deliver_event(
            site.app,
            event_id,
            lambda notification_id: tasks.send_notification(
                site.app, notification_id, lambda _follower: None
            ),
        )
    numbers = {alice.mobile: "Alice", chloe.mobile: "Chloé"}
    sms = {numbers[m["To"]]: m["Body"] for m in site.twilio.messages[sent_before:]}
    return Alerted(call.id, hotline.name, sms, {"Alice": alice.id, "Chloé": chloe.id})


def link_in(site: ListenSite, sms: str) -> str:
    [link] = re.findall(re.escape(site.url) + r"/listen/[\w.-]+", sms)
    return link


def media_fetches(site: ListenSite) -> list[Any]:
    return [r for r in site.twilio.requests if r.method == "GET"]


def test_the_link_of_an_alert_shows_the_call_and_plays_its_message_from_the_app(
    page, listen_site, live_server
):
    alerted = missed_call_alerted(listen_site, live_server)
    link = link_in(listen_site, alerted.sms["Alice"])
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(link)

    expect(page).to_have_title(f"Message vocal sur {alerted.hotline_name} · Hotline")
    expect(page.locator(".listen-for")).to_contain_text("Ce lien a été envoyé à Alice")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(alerted.hotline_name)
    expect(page.locator(".listen-caller")).to_have_text("06 99 88 77 66")
    expect(facts).to_contain_text("12 s")
    player = page.locator("audio.voicemail-player")
    audio_path = link.removeprefix(listen_site.url) + "/audio"
    expect(player).to_have_attribute("src", audio_path)
    assert media_fetches(listen_site) == []  # preload="none": nothing fetched before play

    player.evaluate("player => { player.muted = true; return player.play().catch(() => {}); }")
    page.wait_for_function(
        "() => document.querySelector('audio.voicemail-player').readyState >= 1",
        timeout=TIMEOUT_MS,
    )

    duration = player.evaluate("player => player.duration")
    assert duration == pytest.approx(MESSAGE_SECONDS, abs=0.05)  # the message, decoded
    assert player.evaluate("player => player.currentSrc") == listen_site.url + audio_path
    fetched = media_fetches(listen_site)
    assert fetched, "the app fetched the recording from Twilio"
    assert {r.path for r in fetched} == {
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{fetched[0].path.rsplit('/', 1)[1]}"
    }
    assert fetched[0].authorization.startswith("Basic ")  # the account's, never the browser's
    assert all(url.startswith(listen_site.url) for url in asked), asked  # only the app


def test_the_link_speaks_the_browsers_language_whoever_it_was_sent_to(
    page, browser, listen_site, live_server
):
    alerted = missed_call_alerted(listen_site, live_server)
    link = link_in(listen_site, alerted.sms["Chloé"])  # Chloé reads English
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    english_browser = context.new_page()

    page.goto(link)  # a French browser
    english_browser.goto(link_in(listen_site, alerted.sms["Alice"]))  # Alice reads French

    expect(page).to_have_title(f"Message vocal sur {alerted.hotline_name} · Hotline")
    expect(page.locator(".listen-for")).to_contain_text("Ce lien a été envoyé à Chloé")
    expect(english_browser).to_have_title(f"Voicemail on {alerted.hotline_name} · Hotline")
    expect(english_browser.locator(".listen-for")).to_contain_text("This link was sent to Alice")
    context.close()


@pytest.mark.parametrize(
    ("locale", "heading", "reason"),
    [
        (
            "fr-FR",
            "Le message ne peut pas être écouté",
            "Ce lien d’écoute n’est pas valable. Ouvrez-le à nouveau depuis l’alerte",
        ),
        (
            "en-GB",
            "The message cannot be played",
            "This listen link is not valid. Open it from the alert again, without changing it.",
        ),
    ],
)
def test_an_altered_link_shows_the_refusal_in_the_visitors_language(
    browser, listen_site, live_server, locale, heading, reason
):
    alerted = missed_call_alerted(listen_site, live_server)
    link = link_in(listen_site, alerted.sms["Alice"])
    altered = link[:-1] + ("A" if link[-1] != "A" else "B")  # one character of the signature
    context = browser.new_context(locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    visitor = context.new_page()
    fetched = len(media_fetches(listen_site))

    response = visitor.goto(altered)

    assert response.status == 404
    expect(visitor.locator("h1")).to_have_text(heading)
    expect(visitor.locator("main")).to_contain_text(reason)
    expect(visitor.locator("audio")).to_have_count(0)
    assert len(media_fetches(listen_site)) == fetched
    context.close()


@pytest.mark.parametrize(
    ("locale", "reason"),
    [
        ("fr-FR", "Ce lien d’écoute a expiré."),
        ("en-GB", "This listen link has expired."),
    ],
)
def test_an_expired_link_shows_the_refusal_in_the_visitors_language(
    browser, listen_site, live_server, locale, reason
):
    alerted = missed_call_alerted(listen_site, live_server)
    # The link Alice's alert gave, as the app signed it eight days ago.
    with time_machine.travel(utcnow() - timedelta(days=8)):
        token = listen.listen_token(
            listen_site.app.config, alerted.call_id, f"person:{alerted.people['Alice']}"
        )
    context = browser.new_context(locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    visitor = context.new_page()

    response = visitor.goto(f"{listen_site.url}/listen/{token}")

    assert response.status == 410
    expect(visitor.locator("main")).to_contain_text(reason)
    expect(visitor.locator("audio")).to_have_count(0)
    context.close()
