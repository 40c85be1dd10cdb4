"""A voicemail played from the call's page: the app fetches it from Twilio, never links there.

Twilio is the local stand-in of tests/alerts/fakes.py (TWILIO_API_BASE_URL),
serving the media only to the account's credentials, as an account whose
media need HTTP basic authentication does.
"""

from __future__ import annotations

import base64
import logging
import os

import pytest

from hotline import create_app
from hotline.db import database
from hotline.voice.recordings import media_url
from tests.conftest import AUTH_TOKEN, app_config

ACCOUNT_SID = "AC" + "1" * 32  # tests.conftest.app_config's
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE4"
MEDIA_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE4.mp3"
# Larger than one chunk of the stream: the bytes must arrive whole and in order.
AUDIO = b"ID3" + os.urandom(200_000)


@pytest.fixture
def app(database_url, connection, fake_twilio):
    app = create_app(app_config(database_url, TWILIO_API_BASE_URL=fake_twilio.url))
    database(app).engine.dispose()
    database(app).bind_to(connection)
    return app


@pytest.fixture
def voicemail_call(week, db_session, fake_twilio):
    """Call 4 of the week (rang Alice, Bruno, Chloé), its message stored at Twilio."""
    call = week.calls[4]
    call.voicemail.recording_url = RECORDING_URL
    db_session.flush()
    fake_twilio.media[MEDIA_PATH] = AUDIO
    fake_twilio.media_credentials = (ACCOUNT_SID, AUTH_TOKEN)
    return call


def recording_of(client, call):
    return client.get(f"/stats/calls/{call.id}/recording")


def test_the_message_streams_from_twilio_fetched_with_the_accounts_credentials(
    client, login_as, week, voicemail_call, fake_twilio
):
    login_as("supervisor", hotlines=(week.hotline,))

    response = recording_of(client, voicemail_call)

    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data == AUDIO
    assert response.headers["Content-Length"] == str(len(AUDIO))
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="voicemail-{voicemail_call.id}.mp3"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    [fetched] = fake_twilio.requests
    assert fetched.path == MEDIA_PATH
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert fetched.authorization == f"Basic {credentials}"


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_someone_rung_for_the_call_hears_the_message(
    client, login_as, make_hotline, week, voicemail_call, role
):
    other = make_hotline("+33184889999")
    login_as(role, person=week.chloe, hotlines=(other,) if role == "manager" else ())

    assert recording_of(client, voicemail_call).data == AUDIO


@pytest.mark.parametrize(
    "visitor", ["agent not rung", "supervisor of another hotline", "manager of another hotline"]
)
def test_whoever_may_not_see_the_call_gets_403_and_twilio_is_not_asked(
    client, login_as, make_person, make_hotline, voicemail_call, fake_twilio, visitor
):
    role, _, _ = visitor.partition(" ")
    if role == "agent":
        login_as("agent", person=make_person("Denis Roux"))
    else:
        login_as(role, hotlines=(make_hotline("+33184889999"),))

    response = recording_of(client, voicemail_call)

    assert response.status_code == 403
    assert fake_twilio.requests == []


def test_a_player_seeking_gets_the_part_it_asks_for(
    client, login_as, week, voicemail_call, fake_twilio
):
    login_as("supervisor", hotlines=(week.hotline,))

    whole = recording_of(client, voicemail_call)
    sought = client.get(
        f"/stats/calls/{voicemail_call.id}/recording", headers={"Range": "bytes=150000-"}
    )

    # The player learns it may seek, then gets the rest of the message from there.
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert sought.status_code == 206
    assert sought.data == AUDIO[150_000:]
    assert sought.headers["Content-Range"] == f"bytes 150000-{len(AUDIO) - 1}/{len(AUDIO)}"
    assert sought.headers["Content-Length"] == str(len(AUDIO) - 150_000)
    assert fake_twilio.media_ranges == ["", "bytes=150000-"]


def test_a_part_beyond_the_end_is_416_and_anything_but_one_span_gets_the_whole(
    client, login_as, week, voicemail_call, fake_twilio
):
    login_as("admin")
    url = f"/stats/calls/{voicemail_call.id}/recording"

    beyond = client.get(url, headers={"Range": f"bytes={len(AUDIO)}-"})
    several = client.get(url, headers={"Range": "bytes=0-10,20-30"})

    assert beyond.status_code == 416
    assert (several.status_code, several.data) == (200, AUDIO)
    assert fake_twilio.media_ranges == [f"bytes={len(AUDIO)}-", ""]


def test_a_call_without_message_has_no_recording(
    client, login_as, week, voicemail_call, fake_twilio
):
    login_as("admin")

    assert client.get(f"/stats/calls/{week.calls[5].id}/recording").status_code == 404
    assert client.get("/stats/calls/99999999/recording").status_code == 404
    assert fake_twilio.requests == []
    assert recording_of(client, voicemail_call).status_code == 200  # the same visitor, a message


def test_a_message_whose_recording_is_not_in_yet_has_no_recording(
    client, login_as, week, db_session, fake_twilio
):
    call = week.calls[4]
    call.voicemail.recording_url = None  # the recording callback has not come yet
    db_session.flush()
    login_as("admin", language="en")

    assert recording_of(client, call).status_code == 404
    page = client.get(f"/stats/calls/{call.id}").get_data(as_text=True)
    assert "The recording is not available yet." in page
    assert "<audio" not in page
    assert fake_twilio.requests == []


@pytest.mark.parametrize(("status", "seconds"), [("failed", 25), ("absent", 0), ("completed", 0)])
def test_a_recording_twilio_did_not_keep_has_nothing_to_play(
    client, login_as, week, voicemail_call, db_session, fake_twilio, status, seconds
):
    voicemail_call.voicemail.status = status
    voicemail_call.voicemail.duration = seconds
    db_session.flush()
    login_as("admin", language="en")

    page = client.get(f"/stats/calls/{voicemail_call.id}").get_data(as_text=True)

    assert "Twilio did not keep a message for this call" in page
    assert "No message kept: the recording failed or was empty" in page  # the timeline
    assert "Message recorded" not in page
    assert "<audio" not in page
    assert recording_of(client, voicemail_call).status_code == 404
    assert fake_twilio.requests == []


@pytest.mark.parametrize(
    ("status", "seconds", "step"),
    [
        ("completed", 25, "Message recorded"),
        (None, 25, "Message reported, not confirmed by Twilio"),
        ("failed", 25, "No message kept: the recording failed or was empty"),
    ],
)
def test_the_timeline_tells_the_message_as_twilio_confirmed_it(
    client, login_as, voicemail_call, db_session, status, seconds, step
):
    voicemail_call.voicemail.status = status
    voicemail_call.voicemail.duration = seconds
    db_session.flush()
    login_as("admin", language="en")

    page = client.get(f"/stats/calls/{voicemail_call.id}").get_data(as_text=True)

    timeline = page[page.index('<ol class="timeline">') :]
    steps = ["Message recorded", "Message reported, not confirmed by Twilio",
             "No message kept: the recording failed or was empty"]  # fmt: skip
    assert [s for s in steps if s in timeline] == [step]


def test_twilio_refusing_the_credentials_is_a_502_page_in_the_users_language(
    client, login_as, week, voicemail_call, fake_twilio, caplog
):
    fake_twilio.media_credentials = (ACCOUNT_SID, "another-token")
    login_as("admin", language="fr")

    with caplog.at_level(logging.ERROR, logger="hotline.stats"):
        response = recording_of(client, voicemail_call)

    assert response.status_code == 502
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Le message n’a pas pu être récupéré auprès de Twilio" in page
    assert "Twilio answered 401" in caplog.text
    assert AUTH_TOKEN not in caplog.text


@pytest.mark.parametrize("trouble", ["nothing listens", "503"])
def test_twilio_unreachable_is_a_502_page_saying_the_message_is_kept_there(
    client, login_as, week, voicemail_call, fake_twilio, trouble
):
    if trouble == "503":
        fake_twilio.always_fail = 503
    else:
        fake_twilio.stop()  # nothing listens on its port any more
    login_as("admin", language="en")

    response = recording_of(client, voicemail_call)
    asked_by_the_player = client.get(
        f"/stats/calls/{voicemail_call.id}/recording",
        headers={"Accept": "application/json", "Range": "bytes=0-0"},
    )

    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "<h1>The message cannot be played</h1>" in page
    said = "Twilio could not be reached. The message is kept at Twilio: please try again in a few"
    assert said in page
    assert asked_by_the_player.status_code == 502
    assert asked_by_the_player.json["message"].startswith(said)


def test_an_encrypted_recording_says_so_and_how_to_listen_to_it(
    client, login_as, week, voicemail_call, db_session, fake_twilio, caplog
):
    voicemail_call.voicemail.recording_sid = "RE" + "4" * 32
    db_session.flush()
    fake_twilio.media_refusal = 16109  # Twilio's "no MP3 of an encrypted recording"
    login_as("supervisor", hotlines=(week.hotline,), language="fr")

    with caplog.at_level(logging.ERROR, logger="hotline.stats"):
        response = recording_of(client, voicemail_call)

    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "<h1>Le message ne peut pas être écouté</h1>" in page
    assert "Ce message est chiffré avec la clé publique de votre compte Twilio" in page
    assert f"Téléchargez l’enregistrement RE{'4' * 32} depuis Twilio" in page
    assert "the recording is encrypted" in caplog.text


def test_a_simulated_message_says_it_has_no_audio_and_nobody_is_asked(
    client, login_as, week, voicemail_call, db_session, fake_twilio
):
    # As `hotline simulate` leaves it against the demo, which has no Twilio account.
    simulated = f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/RE{'5' * 32}"
    voicemail_call.voicemail.recording_url = simulated
    db_session.flush()
    login_as("admin", language="en")

    page = client.get(f"/stats/calls/{voicemail_call.id}").get_data(as_text=True)
    response = recording_of(client, voicemail_call)

    assert "This message was left in the call simulator: it has no audio." in page
    assert "<audio" not in page
    assert response.status_code == 404
    assert "This message was left in the call simulator" in response.get_data(as_text=True)
    assert fake_twilio.requests == []


def test_twilio_answering_something_else_than_audio_is_a_502(
    client, login_as, week, voicemail_call, fake_twilio
):
    fake_twilio.media_type = "text/html"
    login_as("admin", language="en")

    assert recording_of(client, voicemail_call).status_code == 502


def test_without_twilio_credentials_the_app_says_so_and_asks_nobody(
    app, client, login_as, week, voicemail_call, fake_twilio, caplog
):
    app.config["TWILIO_ACCOUNT_SID"] = ""
    login_as("admin", language="en")

    with caplog.at_level(logging.ERROR, logger="hotline.stats"):
        response = recording_of(client, voicemail_call)

    assert response.status_code == 502
    assert "TWILIO_ACCOUNT_SID" in caplog.text
    assert fake_twilio.requests == []


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (RECORDING_URL, f"https://api.twilio.com{MEDIA_PATH}"),
        (RECORDING_URL + ".wav", f"https://api.twilio.com{MEDIA_PATH}"),
        (RECORDING_URL + ".mp3", f"https://api.twilio.com{MEDIA_PATH}"),
        # The credentials go to Twilio's API, whatever host the stored URL names.
        (f"https://attacker.example{MEDIA_PATH}", f"https://api.twilio.com{MEDIA_PATH}"),
    ],
)
def test_the_media_url_is_twilios_mp3_on_the_api_base(stored, expected):
    assert media_url(stored) == expected
    assert media_url(stored, "http://127.0.0.1:8080/") == expected.replace(
        "https://api.twilio.com", "http://127.0.0.1:8080"
    )
