"""The notification log page and the "send me a test alert" button."""

from __future__ import annotations

import pytest

from hotline.alerts.models import Status
from tests.alerts.conftest import miss_the_call, notifications
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

    assert "unknown SMTP host &#39;smtp.invalid&#39;" in answer.get_data(as_text=True)
    mail = [n for n in notifications(db_session) if n.channel == "email"]
    assert [n.status for n in mail] == [Status.FAILED]
    page = client.get("/alerts/?status=failed").get_data(as_text=True)
    assert "unknown SMTP host" in page
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
