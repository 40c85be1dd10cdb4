"""The personal listen link of a missed-call alert: the message played without signing in.

Through the real alert worker and SMTP server; the recording is fetched from the
local Twilio stand-in (tests/alerts/fakes.py), which serves it only to the
account's credentials.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

import pytest
import time_machine
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from hotline.alerts import listen, tasks
from hotline.db import utcnow
from hotline.voice.models import Call
from tests.alerts.conftest import LISTEN_PREFIX, listen_link_in, miss_the_call, named_by
from tests.alerts.fakes import body_of
from tests.conftest import AUTH_TOKEN, CSRF_FIELD, sign_in_client
from tests.voice.conftest import CallDriver

MEDIA_PATH = "/rec/RE1.mp3"  # CallDriver's recording, as Twilio serves its MP3
AUDIO = b"ID3 the caller's message"
ACCOUNT = ("AC" + "1" * 32, AUTH_TOKEN)  # tests.conftest's account


@pytest.fixture
def missed(twilio, team, worker, fake_twilio, db_session):
    """The team's call missed with a 12-second message kept at Twilio, its alerts sent."""
    hotline, people, maud = team
    fake_twilio.media[MEDIA_PATH] = AUDIO
    fake_twilio.media_credentials = ACCOUNT
    driver = CallDriver(twilio, hotline)
    miss_the_call(driver)
    worker.run()
    return db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))


def sms_link(fake_twilio, person) -> str:
    [body] = [m["Body"] for m in fake_twilio.messages if m["To"] == person.mobile]
    return listen_link_in(body)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def media_fetches(fake_twilio) -> list[str]:
    return [r.path for r in fake_twilio.requests if r.method == "GET"]


def assert_kept_private(response) -> None:
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_sms_and_email_links_play_the_message_without_signing_in(
    app, client, team, missed, fake_twilio, smtp_server
):
    _hotline, people, _maud = team
    alice = people[0]
    link = sms_link(fake_twilio, alice)
    [mail] = [body_of(m) for m in smtp_server.messages if m["To"] == alice.email]
    assert named_by(app, listen_link_in(mail)) == (missed.id, f"person:{alice.id}")

    page = client.get(path_of(link))

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<title>Message vocal sur Astreinte IT · Hotline</title>" in text  # Alice's French
    assert "Ce lien a été envoyé à Alice avec l’alerte d’appel manqué." in text
    assert "06 99 88 77 66" in text  # the caller, as her alert gave it
    assert "12\xa0s" in text  # a duration on one line
    assert f'src="{path_of(link)}/audio"' in text
    assert "cdn" not in text.lower()
    assert_kept_private(page)
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert media_fetches(fake_twilio) == []  # the page alone asks Twilio for nothing

    played = client.get(f"{path_of(link)}/audio")

    assert played.status_code == 200
    assert played.mimetype == "audio/mpeg"
    assert played.data == AUDIO
    assert_kept_private(played)
    assert media_fetches(fake_twilio) == [MEDIA_PATH]
    credentials = base64.b64encode(":".join(ACCOUNT).encode()).decode()
    assert fake_twilio.requests[-1].authorization == f"Basic {credentials}"
    # A player seeking gets the part it asks for, as on the call's page.
    part = client.get(f"{path_of(link)}/audio", headers={"Range": "bytes=4-"})
    assert part.status_code == 206
    assert part.data == AUDIO[4:]


def test_another_recipients_link_names_them_not_you(app, client, team, missed, fake_twilio):
    _hotline, people, _maud = team
    alice, bruno, chloe = people

    links = {person.name: sms_link(fake_twilio, person) for person in people}

    assert len(set(links.values())) == 3
    assert named_by(app, links["Bruno"]) == (missed.id, f"person:{bruno.id}")
    bruno_page = client.get(path_of(links["Bruno"])).get_data(as_text=True)
    assert "envoyé à Bruno" in bruno_page
    assert "Alice" not in bruno_page
    chloe_page = client.get(path_of(links["Chloé"])).get_data(as_text=True)
    assert "<title>Voicemail on Astreinte IT · Hotline</title>" in chloe_page  # her English
    assert "This link was sent to Chloé with the missed-call alert." in chloe_page


FRENCH_TITLE = "<title>Message vocal sur Astreinte IT · Hotline</title>"
ENGLISH_TITLE = "<title>Voicemail on Astreinte IT · Hotline</title>"


def test_the_page_speaks_the_visitors_browser_language_else_the_recipients(
    client, team, missed, fake_twilio
):
    _hotline, (alice, _bruno, _chloe), _maud = team  # Alice reads French
    link = path_of(sms_link(fake_twilio, alice))

    english = client.get(link, headers={"Accept-Language": "en-GB,en;q=0.9"})
    german = client.get(link, headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert ENGLISH_TITLE in english.get_data(as_text=True)
    assert "This link was sent to Alice with the missed-call alert." in english.get_data(
        as_text=True
    )
    # A language the app does not speak: the one her alert was written in.
    assert FRENCH_TITLE in german.get_data(as_text=True)
    assert "Ce lien a été envoyé à Alice" in german.get_data(as_text=True)


def test_the_pages_switch_wins_over_the_browser(client, submit, team, missed, fake_twilio):
    _hotline, (_alice, _bruno, chloe), _maud = team  # Chloé reads English
    link = path_of(sms_link(fake_twilio, chloe))
    french_browser = {"Accept-Language": "fr-FR,fr;q=0.9"}
    assert FRENCH_TITLE in client.get(link, headers=french_browser).get_data(as_text=True)

    switched = submit("/language", {"language": "en", "next": link})

    assert switched.headers["Location"] == link
    assert ENGLISH_TITLE in client.get(link, headers=french_browser).get_data(as_text=True)


def test_a_signed_in_visitors_own_language_wins(client, login_as, team, missed, fake_twilio):
    login_as("agent", language="en")
    _hotline, (alice, _bruno, _chloe), _maud = team  # Alice reads French

    page = client.get(path_of(sms_link(fake_twilio, alice)), headers={"Accept-Language": "fr"})

    assert ENGLISH_TITLE in page.get_data(as_text=True)


def forged(app, call_id: int, person_id: int, secret: str | None = None) -> str:
    """A token naming the call and person, signed with `secret` (the app's by default)."""
    config = {"SECRET_KEY": secret or app.config["SECRET_KEY"]}
    return listen.listen_token(config, call_id, f"person:{person_id}")


def altered_tokens(app, link: str, call_id: int, other_person_id: int) -> dict[str, str]:
    token = link.removeprefix(LISTEN_PREFIX)
    payload, timestamp, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "another person, same signature": f"{call_id}p{other_person_id}.{timestamp}.{signature}",
        "an account, same signature": f"{call_id}u{other_person_id}.{timestamp}.{signature}",
        "another date, same signature": f"{payload}.{'A' + timestamp[1:]}.{signature}",
        "a character of the signature": f"{payload}.{timestamp}.{flipped}",
        "cut short": token[:-3],
        "signed with another key": forged(app, call_id, other_person_id, "not-the-app-key"),
        "another salt (the app's key)": TimestampSigner(app.config["SECRET_KEY"])
        .sign(f"{call_id}p{other_person_id}")
        .decode(),
        "the first format, signed with another key": URLSafeTimedSerializer(
            "not-the-app-key", salt=listen.LEGACY_SALT
        ).dumps([call_id, other_person_id]),
        "garbage": "hello",
    }


@pytest.mark.parametrize("suffix", ["", "/audio"])
def test_an_altered_or_forged_token_is_refused_and_streams_nothing(
    app, client, team, missed, fake_twilio, suffix
):
    _hotline, people, _maud = team
    link = sms_link(fake_twilio, people[0])

    for how, token in altered_tokens(app, link, missed.id, people[1].id).items():
        response = client.get(f"/listen/{token}{suffix}")

        assert response.status_code == 404, how
        assert response.mimetype == "text/html"
        assert "Ce lien d’écoute n’est pas valable" in response.get_data(as_text=True), how
        assert_kept_private(response)
    assert media_fetches(fake_twilio) == []


@pytest.mark.parametrize("suffix", ["", "/audio"])
def test_a_link_plays_for_seven_days_then_is_gone(client, team, missed, fake_twilio, suffix):
    _hotline, people, _maud = team
    path = path_of(sms_link(fake_twilio, people[0]))
    sent = utcnow()

    with time_machine.travel(sent + timedelta(days=6, hours=23)):
        assert client.get(path + suffix).status_code == 200
    fetched = len(media_fetches(fake_twilio))
    with time_machine.travel(sent + timedelta(days=7, minutes=1)):
        response = client.get(path + suffix)

    assert response.status_code == 410
    assert "Ce lien d’écoute a expiré" in response.get_data(as_text=True)
    assert_kept_private(response)
    assert len(media_fetches(fake_twilio)) == fetched


def test_listen_link_days_sets_how_long_links_play(app, client, team, missed, fake_twilio):
    _hotline, people, _maud = team
    path = path_of(sms_link(fake_twilio, people[0]))
    app.config["LISTEN_LINK_DAYS"] = 1

    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1)):
        assert client.get(path).status_code == 410


@pytest.mark.parametrize("suffix", ["", "/audio"])
def test_the_link_of_someone_no_longer_active_is_gone(
    client, team, missed, fake_twilio, db_session, suffix
):
    _hotline, people, _maud = team
    path = path_of(sms_link(fake_twilio, people[0]))
    people[0].active = False
    db_session.flush()

    response = client.get(path + suffix)

    assert response.status_code == 410
    assert "Ce lien d’écoute ne fonctionne plus" in response.get_data(as_text=True)
    assert media_fetches(fake_twilio) == []


@pytest.mark.parametrize("suffix", ["", "/audio"])
@pytest.mark.parametrize("recording", ["none", "not kept by Twilio"])
def test_a_call_without_message_plays_nothing(
    app, client, twilio, team, worker, fake_twilio, db_session, suffix, recording
):
    hotline, people, _maud = team
    fake_twilio.media[MEDIA_PATH] = AUDIO
    fake_twilio.media_credentials = ACCOUNT
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    if recording == "not kept by Twilio":
        driver.voicemail_done(12)
        driver.recording(12, status="failed")
    driver.status("completed", 40)
    worker.run()
    assert not any("/listen/" in m["Body"] for m in fake_twilio.messages)  # nobody got one
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    # A link the app itself signed for this call, as if one had been sent.
    link = tasks.listen_url(app, call.id, f"person:{people[0].id}")

    response = client.get(path_of(link) + suffix)

    assert response.status_code == 404
    assert "Cet appel n’a pas de message à écouter." in response.get_data(as_text=True)
    assert media_fetches(fake_twilio) == []


def test_twilio_refusing_the_recording_is_explained_as_on_the_calls_page(
    client, team, missed, fake_twilio
):
    _hotline, people, _maud = team
    fake_twilio.media_refusal = 16109  # the account keeps recordings encrypted
    path = path_of(sms_link(fake_twilio, people[2]))  # Chloé reads English

    response = client.get(f"{path}/audio")

    assert response.status_code == 502
    assert "public key (voice recording encryption)" in response.get_data(as_text=True)
    assert_kept_private(response)


def test_the_token_never_reaches_the_logs(
    app, client, twilio, team, worker, fake_twilio, db_session, caplog
):
    hotline, people, _maud = team
    fake_twilio.media[MEDIA_PATH] = AUDIO
    fake_twilio.media_credentials = ACCOUNT

    with caplog.at_level(logging.DEBUG):
        miss_the_call(CallDriver(twilio, hotline))
        worker.run()
        link = sms_link(fake_twilio, people[0])
        client.get(path_of(link))
        client.get(f"{path_of(link)}/audio")
        client.get(f"{path_of(link)}x")  # refused
        people[0].active = False
        db_session.flush()
        client.get(path_of(link))  # refused

    token = link.removeprefix(LISTEN_PREFIX)
    # The SMTP stand-in's own debug log (mail.log) shows the e-mails it received, link included.
    app_log = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "listen link refused" in app_log
    assert token.split(".")[-1] not in app_log


@pytest.fixture
def managers_told(twilio, team, make_person, make_manager, worker, fake_twilio, db_session):
    """Two more managers of the hotline, one without a person, one whose person left the
    team; the call missed with a message, its alerts sent."""
    hotline, _people, _maud = team
    lea = make_manager(hotline, name="Léa", email="lea@example.org", language="en")
    former = make_person("Hugo", email="hugo@example.org", language="fr", active=False)
    hugo = make_manager(hotline, person=former, email="hugo.web@example.org")
    fake_twilio.media[MEDIA_PATH] = AUDIO
    fake_twilio.media_credentials = ACCOUNT
    driver = CallDriver(twilio, hotline)
    miss_the_call(driver)
    worker.run()
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    return call, lea, hugo


def mail_link(smtp_server, address: str) -> str:
    [mail] = [body_of(m) for m in smtp_server.messages if m["To"] == address]
    return listen_link_in(mail)


@pytest.mark.parametrize("manager", ["without a person", "whose person left the team"])
def test_a_manager_without_an_active_person_gets_a_link_that_lives_with_their_account(
    app, client, managers_told, smtp_server, fake_twilio, db_session, manager
):
    call, lea, hugo = managers_told
    user, address, sent_to = (
        (lea, "lea@example.org", "This link was sent to Léa")  # Léa reads English
        if manager == "without a person"
        else (hugo, "hugo@example.org", "Ce lien a été envoyé à Hugo")
    )
    link = mail_link(smtp_server, address)
    assert named_by(app, link) == (call.id, f"user:{user.id}")

    page = client.get(path_of(link))

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert sent_to in text
    assert client.get(f"{path_of(link)}/audio").data == AUDIO

    user.active = False
    db_session.flush()

    for suffix in ("", "/audio"):
        refused = client.get(path_of(link) + suffix)
        assert refused.status_code == 410
        # In the visitor's language (French here): the link no longer says whose it was.
        assert "Ce lien d’écoute ne fonctionne plus" in refused.get_data(as_text=True)
    assert media_fetches(fake_twilio) == [MEDIA_PATH]  # the one play before


def admin_edits(app, db_session, make_user, user, **changes) -> None:
    """An admin saves `user`'s page with `changes` (role, hotlines) in the user editor."""
    admin = make_user("admin", email="boss@example.org")
    browser = app.test_client()
    sign_in_client(browser, db_session, admin)
    page = browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
    form = {
        "csrf_token": CSRF_FIELD.search(page).group(1),
        "name": user.name,
        "role": user.role,
        "person": str(user.person_id or ""),
        "language": user.language or "",
        "active": "y",
        "hotlines": [str(h) for h in sorted(user.hotline_ids)],
        **changes,
    }
    saved = browser.post(f"/admin/users/{user.id}", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "supervisor"},
        {"role": "agent", "hotlines": []},
        {"hotlines": []},  # still a manager, of no hotline
    ],
    ids=["now a supervisor", "now an agent", "no longer manages this hotline"],
)
def test_a_managers_link_stops_playing_when_they_no_longer_manage_the_hotline(
    app,
    client,
    managers_told,
    smtp_server,
    fake_twilio,
    db_session,
    make_user,
    make_hotline,
    change,
):
    call, lea, _hugo = managers_told
    link = mail_link(smtp_server, "lea@example.org")
    assert client.get(path_of(link)).status_code == 200
    other = make_hotline(name="Astreinte Réseau", number="+33170000999")
    if "hotlines" in change and change.get("role") != "agent":
        change = {**change, "hotlines": [str(other.id)]}  # manages another hotline only

    admin_edits(app, db_session, make_user, lea, **change)

    for suffix in ("", "/audio"):
        refused = client.get(path_of(link) + suffix)
        assert refused.status_code == 410
        # In the visitor's language (French here), as for a deactivated account.
        assert "Ce lien d’écoute ne fonctionne plus" in refused.get_data(as_text=True)
    assert media_fetches(fake_twilio) == []  # nothing was ever fetched from Twilio


def test_a_managers_link_keeps_playing_when_they_become_an_admin(
    app, client, managers_told, smtp_server, fake_twilio, db_session, make_user
):
    call, lea, _hugo = managers_told
    link = mail_link(smtp_server, "lea@example.org")

    admin_edits(app, db_session, make_user, lea, role="admin", hotlines=[])

    assert client.get(path_of(link)).status_code == 200
    assert client.get(f"{path_of(link)}/audio").data == AUDIO  # an admin sees every call


def test_a_manager_linked_to_an_active_person_keeps_the_persons_link(
    app, managers_told, smtp_server, team
):
    call, _lea, _hugo = managers_told
    _hotline, _people, maud = team

    assert named_by(app, mail_link(smtp_server, "maud@example.org")) == (
        call.id,
        f"person:{maud.id}",
    )


def first_format_link(app, call_id: int, person_id: int) -> str:
    """A link as the app sent them before its tokens were shortened: JSON, full signature."""
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=listen.LEGACY_SALT)
    return f"/listen/{serializer.dumps([call_id, person_id])}"


def test_a_link_sent_in_the_first_format_still_plays_until_it_expires(
    app, client, team, missed, db_session
):
    _hotline, people, _maud = team
    path = first_format_link(app, missed.id, people[0].id)

    page = client.get(path)
    assert page.status_code == 200
    assert "envoyé à Alice" in page.get_data(as_text=True)
    assert client.get(f"{path}/audio").data == AUDIO
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        assert client.get(path).status_code == 410
    people[0].active = False
    db_session.flush()
    assert client.get(path).status_code == 410


def test_the_sms_link_is_short(team, missed, fake_twilio):
    _hotline, people, _maud = team
    token = sms_link(fake_twilio, people[0]).removeprefix(LISTEN_PREFIX)

    # call id, person id, the date in 6 characters and a 96-bit signature in 16.
    assert token == f"{missed.id}p{people[0].id}.{token.split('.')[1]}.{token.split('.')[2]}"
    assert len(token.split(".")[1]) == 6
    assert len(token.split(".")[2]) == 16
