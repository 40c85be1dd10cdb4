"""The notification log page and the "send me a test alert" button."""

from __future__ import annotations

import html

import pytest

from hotline.alerts.models import AlertEvent, Status
from hotline.db import utcnow
from hotline.voice.models import Call, CallAttempt, Outcome
from tests.alerts.conftest import events, logged_notification, miss_the_call, notifications
from tests.conftest import sign_in_client
from tests.voice.conftest import CallDriver


def test_test_alert_button_sends_to_my_number_and_address(
    client, login_as, make_person, make_hotline, submit, worker, fake_twilio, smtp_server
):
    make_hotline()
    me = make_person("Alice", email="alice@example.org", language="fr")
    login_as("agent", person=me)

    answer = submit("/alerts/test", follow_redirects=True)
    worker.run()

    assert "Alerte de test en file d’attente pour Alice" in answer.get_data(as_text=True)
    assert [m["To"] for m in fake_twilio.messages] == [me.mobile]
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.org"]
    page = client.get("/alerts/").get_data(as_text=True)
    assert page.count("<td>envoyé</td>") == 2  # in the page's language
    assert "<td>SMS</td>" in page
    assert "<td>e-mail</td>" in page
    assert '<option value="retrying">à réessayer</option>' in page


def test_test_alert_button_names_a_bad_smtp_host(
    app, client, login_as, make_person, make_hotline, submit, worker, db_session
):
    app.config["SMTP_HOST"] = "smtp.invalid"
    make_hotline()
    me = make_person("Alice", email="alice@example.org")
    login_as("agent", person=me)

    answer = submit("/alerts/test", follow_redirects=True)
    worker.run(fast_forward=True)

    flashed = answer.get_data(as_text=True)
    assert "serveur de messagerie inconnu &#39;smtp.invalid&#39;" in flashed  # page's language
    assert "unknown SMTP host" not in flashed
    mail = [n for n in notifications(db_session) if n.channel == "email"]
    assert [n.status for n in mail] == [Status.FAILED]
    page = client.get("/alerts/?status=failed").get_data(as_text=True)
    assert "serveur de messagerie inconnu" in page  # the reason, in the page's language
    assert "unknown SMTP host" not in page  # the server's own words are for admins
    assert "Alerte de test" in page  # the kind, in the page's language


def test_manager_sends_a_test_alert_to_a_person(
    login_as, make_person, make_hotline, submit, worker, fake_twilio
):
    hotline = make_hotline()
    bruno = make_person("Bruno", email="bruno@example.org")
    login_as("manager", hotlines=(hotline,))

    submit("/alerts/test", {"person_id": str(bruno.id)})
    worker.run()

    assert [m["To"] for m in fake_twilio.messages] == [bruno.mobile]


def test_an_agent_cannot_send_tests_to_others(
    login_as, make_person, make_hotline, submit, worker, fake_twilio
):
    make_hotline()
    bruno = make_person("Bruno")
    login_as("agent", person=make_person("Alice"))

    answer = submit("/alerts/test", {"person_id": str(bruno.id)}, follow_redirects=True)
    worker.run()

    assert "Personne inconnue : aucune alerte de test n’a été envoyée." in answer.get_data(
        as_text=True
    )
    assert fake_twilio.messages == []


@pytest.fixture
def two_teams(make_hotline, make_person, set_default_chain):
    """Two hotlines, Alice on call for the first, Bruno for the second, Zoé for none yet."""
    first = make_hotline(name="Nord")
    second = make_hotline("+33184889999", name="Sud")
    alice = make_person("Alice", email="alice@example.org")
    bruno = make_person("Bruno", email="bruno@example.org")
    zoe = make_person("Zoé", email="zoe@example.org")
    set_default_chain(first, [alice])
    set_default_chain(second, [bruno])
    return first, second, alice, bruno, zoe


def test_a_manager_is_offered_only_the_people_their_pages_reach(client, login_as, two_teams):
    first, _second, alice, bruno, zoe = two_teams
    login_as("manager", hotlines=(first,))

    page = client.get("/alerts/").get_data(as_text=True)

    # Their team and the people of no team, as on the people pages.
    assert f'<option value="{alice.id}">Alice</option>' in page
    assert f'<option value="{zoe.id}">Zoé</option>' in page
    assert f'value="{bruno.id}"' not in page


def test_a_manager_cannot_send_a_test_alert_to_another_team(
    db_session, login_as, two_teams, submit, worker, fake_twilio, smtp_server
):
    first, _second, alice, bruno, zoe = two_teams
    login_as("manager", hotlines=(first,))

    refused = submit("/alerts/test", {"person_id": str(bruno.id)})
    worker.run()

    assert refused.status_code == 403
    assert (
        "Bruno n’est d’astreinte que pour des lignes que vous ne gérez pas : aucune alerte de test"
        " n’a été envoyée." in refused.get_data(as_text=True)
    )
    assert (fake_twilio.messages, smtp_server.messages) == ([], [])
    assert events(db_session) == []

    for person in (alice, zoe):
        assert submit("/alerts/test", {"person_id": str(person.id)}).status_code == 302
    worker.run()
    assert [m["To"] for m in fake_twilio.messages] == [alice.mobile, zoe.mobile]
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.org", "zoe@example.org"]


def test_a_manager_may_test_their_own_person_on_call_elsewhere(
    client, login_as, two_teams, submit, worker, fake_twilio
):
    first, _second, _alice, bruno, _zoe = two_teams
    login_as("manager", hotlines=(first,), person=bruno)  # on call for the other hotline

    assert f'value="{bruno.id}"' in client.get("/alerts/").get_data(as_text=True)
    assert submit("/alerts/test", {"person_id": str(bruno.id)}).status_code == 302
    worker.run()

    assert [m["To"] for m in fake_twilio.messages] == [bruno.mobile]


def test_an_admin_sends_a_test_alert_to_anyone(
    client, login_as, two_teams, submit, worker, fake_twilio
):
    _first, _second, alice, bruno, zoe = two_teams
    login_as("admin")

    page = client.get("/alerts/").get_data(as_text=True)
    assert all(f'value="{p.id}"' in page for p in (alice, bruno, zoe))
    assert submit("/alerts/test", {"person_id": str(bruno.id)}).status_code == 302
    worker.run()

    assert [m["To"] for m in fake_twilio.messages] == [bruno.mobile]


def test_managers_see_their_hotlines_notifications_only(
    client, login_as, team, make_hotline, twilio, worker
):
    hotline, _people, _maud = team
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()
    other = make_hotline(number="+33184889999", name="Autre ligne")

    login_as("manager", hotlines=(hotline,))
    assert client.get("/alerts/").get_data(as_text=True).count("Astreinte IT") == 8
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    login_as("manager", hotlines=(other,))
    assert "Astreinte IT" not in client.get("/alerts/").get_data(as_text=True)


def test_the_log_needs_a_signed_in_user(client):
    answer = client.get("/alerts/")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


@pytest.mark.parametrize("status", ["bogus"])
def test_an_unknown_status_filter_is_explained(client, login_as, status):
    login_as("admin")
    page = client.get(f"/alerts/?status={status}").get_data(as_text=True)
    assert "État inconnu bogus" in page


@pytest.fixture
def logged_call(db_session, make_hotline, make_person):
    """A missed call that rang Alice (not Bruno), and its alert's notifications to both."""
    hotline = make_hotline()
    alice, bruno = make_person("Alice"), make_person("Bruno")
    call = Call(
        call_sid="CAlog", hotline_id=hotline.id, from_number="+33699887766",
        to_number=hotline.number, outcome=Outcome.MISSED, route="slot", chain=[],
        started_at=utcnow(),
    )  # fmt: skip
    call.attempts.append(
        CallAttempt(position=0, person_id=alice.id, number=alice.mobile, result="no-answer")
    )
    db_session.add(call)
    db_session.flush()
    event = AlertEvent(kind="missed_call", key="missed:log", hotline_id=hotline.id, call_id=call.id)
    db_session.add(event)
    db_session.flush()
    twilio_down = (
        "Twilio unreachable: HTTPSConnectionPool(host='api.twilio.com', port=443): Max retries"
        " exceeded with url: /2010-04-01/Accounts/AC0123/Messages.json"
        " (Caused by NameResolutionError(...))"
    )
    db_session.add_all(
        [
            logged_notification(
                event, alice, "sms", "+33612345601", status=Status.FAILED, last_error=twilio_down
            ),
            logged_notification(event, bruno, "email", "bruno@example.org", status=Status.SENT),
        ]
    )
    db_session.flush()
    return hotline, call, alice, bruno


def test_the_log_links_a_call_alert_to_the_call_for_whoever_may_open_it(
    client, login_as, logged_call
):
    hotline, call, alice, bruno = logged_call
    link = f'<a href="/stats/calls/{call.id}">'

    login_as("agent", person=alice)  # rung for the call
    assert link in client.get("/alerts/").get_data(as_text=True)
    login_as("supervisor", hotlines=(hotline,))  # reviews the hotline
    assert link in client.get("/alerts/").get_data(as_text=True)


def test_the_log_names_a_call_without_a_link_for_those_who_may_not_open_it(
    client, login_as, logged_call
):
    hotline, call, alice, bruno = logged_call
    login_as("agent", person=bruno)  # told about the call, but not rung for it

    page = client.get("/alerts/").get_data(as_text=True)

    assert "bruno@example.org" in page
    assert f"/stats/calls/{call.id}" not in page


def test_the_log_translates_the_reason_and_shows_admins_a_short_detail(
    client, login_as, logged_call
):
    login_as("agent", person=logged_call[2])
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Twilio injoignable" in page
    assert "HTTPSConnectionPool" not in page
    assert "06 12 34 56 01" in page  # the recipient's number as people write it
    assert "+33612345601" not in page

    login_as("admin")
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Twilio injoignable<br><small" in page
    detail = page.split('Twilio injoignable<br><small class="muted">')[1].split("</small>")[0]
    assert detail.startswith("HTTPSConnectionPool(host=")
    assert len(html.unescape(detail)) == 120
    assert detail.endswith("…")


def test_a_notification_skipped_for_want_of_a_number_says_so_in_french(
    client, login_as, make_hotline, submit, worker
):
    make_hotline()
    login_as("agent")  # a user of no person of the planning: an address, no mobile

    submit("/alerts/test")
    worker.run()
    page = client.get("/alerts/?status=skipped").get_data(as_text=True)

    assert "pas de numéro de mobile" in page
    assert "no mobile number" not in page


def test_the_log_names_missing_settings_to_admins_in_french_not_the_apps_english(
    client, login_as, db_session, logged_call
):
    hotline, call, alice, bruno = logged_call
    event = db_session.query(AlertEvent).filter_by(call_id=call.id).one()
    for channel, to, error in [
        ("email", "alice@example.org", "e-mail not configured: SMTP_HOST is empty"),
        ("sms", "+33612345602", "SMS not configured: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
        ("voice", "+33612345602", "the worker stopped while sending: it may or may not"),
    ]:
        person = alice if channel == "email" else bruno
        db_session.add(
            logged_notification(event, person, channel, to, status=Status.FAILED, last_error=error)
        )
    db_session.flush()
    login_as("admin", language="fr")

    page = client.get("/alerts/").get_data(as_text=True)

    assert "envoi d’e-mails non configuré" in page
    assert "à renseigner : SMTP_HOST<" in page
    assert "à renseigner : TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN<" in page
    for english in ("is empty", "TWILIO_AUTH_TOKEN and", "may or may not"):
        assert english not in page


def test_the_log_gives_mobiles_only_to_those_allowed_to_see_them(
    client, login_as, team, twilio, worker
):
    hotline, (alice, _bruno, _chloe), _maud = team
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()

    login_as("supervisor", hotlines=(hotline,))
    supervised = client.get("/alerts/").get_data(as_text=True)
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    login_as("manager", hotlines=(hotline,))
    managed = client.get("/alerts/").get_data(as_text=True)

    # The supervisor sees who was told, and how, but no mobile: statistics need none.
    assert "Alice" in supervised
    assert "<td>SMS</td>" in supervised
    assert "numéro non communiqué" in supervised
    assert "06 12 34 56" not in supervised
    assert "06 12 34 56 01" in managed  # Alice's, for the hotline's manager
    assert "non communiqué" not in managed


def test_the_log_gives_e_mail_addresses_only_to_those_allowed_to_see_them(
    client, db_session, login_as, team, make_manager, twilio, worker
):
    hotline, (alice, _bruno, _chloe), _maud = team
    # A manager linked to no person is told at their login address.
    lea = make_manager(hotline, name="Léa", email="lea@example.org")
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()
    addresses = ("alice@example.org", "bruno@example.org", "maud@example.org", "lea@example.org")

    login_as("supervisor", hotlines=(hotline,))
    supervised = client.get("/alerts/").get_data(as_text=True)
    login_as("admin")
    administered = client.get("/alerts/").get_data(as_text=True)
    login_as("agent", person=alice)
    on_call = client.get("/alerts/").get_data(as_text=True)
    sign_in_client(client, db_session, lea)
    managed = client.get("/alerts/").get_data(as_text=True)

    # The supervisor sees who was told by e-mail, not at which address.
    assert "Alice" in supervised
    assert "<td>e-mail</td>" in supervised
    assert "adresse non communiquée" in supervised
    assert not [a for a in addresses if a in supervised]
    assert all(a in administered for a in addresses)
    assert "non communiqué" not in administered
    # The hotline's manager: the team's (Maud, of no team yet, too) and their own.
    assert all(a in managed for a in addresses)
    assert "non communiqué" not in managed
    assert "alice@example.org" in on_call  # Alice's own
    assert not [a for a in addresses[1:] if a in on_call]  # her log holds her lines only
