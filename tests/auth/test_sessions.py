"""Web sessions end on the server: signing out, a password change, a reset, "everywhere"."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from hotline import log_start_up_problems
from hotline.auth.models import WebSession
from hotline.db import utcnow
from tests.conftest import CSRF_FIELD, USER_PASSWORD


def post_form(client, path, data=None, **kwargs):
    """Post a form from `client`'s browser, with the form token of its own session."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def sign_in(client, email, password=USER_PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, "the sign-in failed"
    return response


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def copy_cookie(source, target) -> None:
    """What somebody who read the cookie (shared computer, a log, malware) can do with it."""
    target.set_cookie("session", source.get_cookie("session").value)


def sessions_of(db_session, user) -> int:
    query = select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
    return db_session.scalar(query)


def test_signing_out_ends_that_session_for_every_copy_of_its_cookie_and_no_other(app, make_user):
    make_user("agent", email="agent@example.org")
    phone, laptop, thief = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    copy_cookie(phone, thief)
    assert signed_in(thief)  # a copy works as long as the session runs

    assert post_form(phone, "/logout").status_code == 302

    assert not signed_in(phone)
    assert not signed_in(thief)  # the copy taken before the sign-out is worth nothing
    assert signed_in(laptop)  # signing out on the phone keeps the laptop signed in


def test_changing_ones_password_ends_every_other_session_and_every_copy_of_this_one(app, make_user):
    make_user("agent", email="agent@example.org")
    phone, laptop, thief = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    copy_cookie(laptop, thief)

    response = post_form(
        laptop,
        "/account/password",
        {
            "current_password": USER_PASSWORD,
            "password": "my new passphrase",
            "password_confirm": "my new passphrase",
        },
    )

    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(thief)


def test_an_admin_resetting_their_own_password_stays_signed_in_there_only(
    app, make_user, db_session
):
    admin = make_user("admin", email="boss@example.org")
    desk, thief = app.test_client(), app.test_client()
    sign_in(desk, "boss@example.org")
    copy_cookie(desk, thief)

    response = post_form(
        desk,
        f"/admin/users/{admin.id}/password",
        {"password": "the new secret!", "password_confirm": "the new secret!"},
    )

    assert response.status_code == 302
    assert signed_in(desk)
    assert not signed_in(thief)
    assert sessions_of(db_session, admin) == 1


def test_sign_out_everywhere_ends_every_session_of_the_account_and_only_its(
    app, make_user, db_session
):
    agent = make_user("agent", email="agent@example.org", language="en")
    make_user("agent", email="colleague@example.org")
    phone, laptop, colleague = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    sign_in(colleague, "colleague@example.org")
    account = laptop.get("/account").get_data(as_text=True)
    assert "You are signed in on 2 browsers, this one included." in account

    forged = laptop.post("/account/sign-out-everywhere")  # no form token: refused
    assert forged.status_code == 400
    assert signed_in(phone)

    response = post_form(laptop, "/account/sign-out-everywhere", follow_redirects=True)

    assert "Déconnexion effectuée sur tous les appareils." in response.get_data(as_text=True)
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(colleague)
    assert sessions_of(db_session, agent) == 0


def test_a_deactivated_user_stays_signed_out_when_reactivated(app, make_user, db_session):
    agent = make_user("agent", email="agent@example.org")
    make_user("admin", email="boss@example.org")
    phone, admin = app.test_client(), app.test_client()
    sign_in(phone, "agent@example.org")
    sign_in(admin, "boss@example.org")
    form = {"name": agent.name, "role": "agent", "person": "", "language": ""}

    post_form(admin, f"/admin/users/{agent.id}", form)  # "active" unticked
    assert not signed_in(phone)
    post_form(admin, f"/admin/users/{agent.id}", {**form, "active": "y"})

    assert not signed_in(phone)
    assert sessions_of(db_session, agent) == 0
    sign_in(phone, "agent@example.org")  # a new sign-in works again


def test_sessions_past_their_lifetime_are_pruned_at_the_next_sign_in(app, make_user, db_session):
    agent = make_user("agent", email="agent@example.org")
    lifetime = app.permanent_session_lifetime
    app.config["SESSION_IDLE_TIMEOUT"] = 2 * lifetime.total_seconds()  # the lifetime alone
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sign_in(app.test_client(), "agent@example.org")
        sign_in(app.test_client(), "agent@example.org")
    assert sessions_of(db_session, agent) == 2

    with time_machine.travel(start + lifetime - timedelta(minutes=1), tick=False):
        sign_in(app.test_client(), "agent@example.org")
        assert sessions_of(db_session, agent) == 3  # none is over yet
    with time_machine.travel(start + lifetime + timedelta(minutes=1), tick=False):
        sign_in(app.test_client(), "agent@example.org")

    assert sessions_of(db_session, agent) == 2  # the last two; the first two are gone


FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


def browser(app, user_agent, address):
    """A browser of its own, with its User-Agent and client address."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    return client


def sessions_listed(client):
    """(description, address, session hash) of each row of the account page's table."""
    page = client.get("/account").get_data(as_text=True)
    table = page.split('<table class="list sessions')[1].split("</table>")[0]
    rows = re.findall(
        r'<td data-label="Navigateur">(.*?)</td>\s*<td data-label="Adresse">(.*?)</td>'
        r'.*?name="session" value="([0-9a-f]{64})"',
        table,
        re.S,
    )
    return [(re.sub(r"<[^>]+>", "", what).strip(), where, key) for what, where, key in rows]


def test_a_session_ends_after_the_idle_timeout_measured_from_the_last_request(app, make_user):
    app.config["SESSION_IDLE_TIMEOUT"] = 3600
    make_user("agent", email="agent@example.org")
    desk, forgotten = app.test_client(), app.test_client()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sign_in(desk, "agent@example.org")
        sign_in(forgotten, "agent@example.org")

    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert signed_in(desk)
    with time_machine.travel(start + timedelta(minutes=105), tick=False):
        assert signed_in(desk)  # 55 minutes after its last request
        assert not signed_in(forgotten)  # 105 minutes idle
    with time_machine.travel(start + timedelta(minutes=170), tick=False):
        assert not signed_in(desk)
        response = desk.get("/planning/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_page_views_note_the_last_seen_time_at_most_once_every_few_minutes(
    app, make_user, connection
):
    """A page view writes nothing: only every 5 minutes a request notes that it was seen."""
    make_user("agent", email="agent@example.org")
    desk = app.test_client()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sign_in(desk, "agent@example.org")
    writes = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("UPDATE WEB_SESSION", "INSERT", "DELETE")):
            writes.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        for minutes in (1, 2, 3, 4):
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                assert desk.get("/planning/mine").status_code == 200
        assert writes == []
        for seconds in (0, 10, 20):
            at = start + timedelta(minutes=5, seconds=seconds)
            with time_machine.travel(at, tick=False):
                assert desk.get("/planning/mine").status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)

    assert len(writes) == 1


def test_the_account_page_lists_the_signed_in_browsers_and_signs_one_out(app, make_user):
    make_user("agent", email="agent@example.org")
    make_user("agent", email="colleague@example.org")
    laptop = browser(app, FIREFOX_WINDOWS, "192.0.2.10")
    phone = browser(app, SAFARI_IPHONE, "198.51.100.7")
    colleague = browser(app, FIREFOX_WINDOWS, "192.0.2.99")
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    sign_in(colleague, "colleague@example.org")
    colleagues_session = sessions_listed(colleague)[0][2]

    listed = sessions_listed(laptop)

    assert [row[:2] for row in listed] == [
        ("Firefox 133 sous Windows ce navigateur", "192.0.2.10"),
        ("Safari 17 sous iOS", "198.51.100.7"),
    ]
    phones_session = listed[1][2]
    forged = laptop.post("/account/sessions/sign-out", data={"session": phones_session})
    assert forged.status_code == 400  # no form token: refused
    theirs = post_form(laptop, "/account/sessions/sign-out", {"session": colleagues_session})
    assert "Session inconnue" in laptop.get("/account").get_data(as_text=True)
    assert theirs.status_code == 302
    assert signed_in(phone)
    assert signed_in(colleague)  # someone else's session is not one's own to end

    post_form(laptop, "/account/sessions/sign-out", {"session": phones_session})

    assert not signed_in(phone)
    assert signed_in(laptop)
    assert [row[0] for row in sessions_listed(laptop)] == ["Firefox 133 sous Windows ce navigateur"]


def test_signing_out_this_browser_from_the_list_signs_it_out(app, make_user):
    make_user("agent", email="agent@example.org")
    laptop = browser(app, FIREFOX_WINDOWS, "192.0.2.10")
    sign_in(laptop, "agent@example.org")

    response = post_form(
        laptop, "/account/sessions/sign-out", {"session": sessions_listed(laptop)[0][2]}
    )

    assert response.headers["Location"] == "/login"
    assert not signed_in(laptop)


def test_an_admin_sees_how_many_browsers_a_user_is_signed_in_on(app, make_user):
    agent = make_user("agent", email="agent@example.org")
    make_user("admin", email="boss@example.org")
    admin = app.test_client()
    for address in ("192.0.2.10", "192.0.2.11"):
        sign_in(browser(app, FIREFOX_WINDOWS, address), "agent@example.org")
    sign_in(admin, "boss@example.org")

    page = admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)

    assert "Connecté sur 2 navigateurs." in page
    assert "192.0.2.10" not in page  # how many, not which
    assert "Firefox" not in page


@pytest.mark.parametrize("value", ["12h", "0", "-60", "nan", ""])
def test_a_bad_idle_timeout_falls_back_to_twelve_hours_with_a_warning(
    app, make_user, caplog, value
):
    app.config["SESSION_IDLE_TIMEOUT"] = value
    make_user("agent", email="agent@example.org")
    desk = app.test_client()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sign_in(desk, "agent@example.org")

    with caplog.at_level(logging.WARNING, logger="hotline.auth"):
        log_start_up_problems(app)

    assert f"SESSION_IDLE_TIMEOUT must be a positive number of seconds, not {value!r}" in (
        caplog.text
    )
    with time_machine.travel(start + timedelta(hours=11), tick=False):
        assert signed_in(desk)
    with time_machine.travel(start + timedelta(hours=23, minutes=1), tick=False):
        assert not signed_in(desk)
