from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from hotline.auth.models import User
from hotline.auth.services import create_api_token
from hotline.db import Base, utcnow
from hotline.planning.models import Rotation, RotationMember, Unavailability

NEW_USER = {
    "email": "new@example.org",
    "name": "New",
    "role": "agent",
    "language": "",
    "person": "",
    "password": "a long enough secret",
    "password_confirm": "a long enough secret",
}


def test_form_without_token_is_rejected_and_changes_nothing(client, login_as, db_session):
    login_as("admin")

    response = client.post("/admin/users/new", data=NEW_USER)

    assert response.status_code == 400
    assert "Rien n’a été modifié" in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_form_with_a_forged_token_is_rejected(client, login_as, db_session):
    login_as("admin")

    response = client.post("/admin/users/new", data={**NEW_USER, "csrf_token": "forged"})

    assert response.status_code == 400
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_form_with_its_token_goes_through(submit, login_as, db_session):
    login_as("admin")

    response = submit("/admin/users/new", NEW_USER)

    assert response.status_code == 302
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is not None


def test_sign_in_form_needs_its_token_too(client, make_user):
    make_user("admin", email="boss@example.org")

    response = client.post(
        "/login", data={"email": "boss@example.org", "password": "correct horse battery staple"}
    )

    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_twilio_webhooks_need_no_csrf_token(twilio, make_hotline):
    hotline = make_hotline()

    response = twilio.post(
        "/voice/incoming",
        {"CallSid": "CA" + "c" * 32, "From": "+33611111111", "To": hotline.number},
    )

    assert response.status_code == 200
    assert response.mimetype == "application/xml"


def test_forged_webhook_still_gets_a_bare_403(twilio, make_hotline):
    hotline = make_hotline()

    response = twilio.post(
        "/voice/incoming",
        {"CallSid": "CA" + "d" * 32, "From": "+33611111111", "To": hotline.number},
        signature="forged",
    )

    assert response.status_code == 403
    assert "hotline.css" not in response.get_data(as_text=True)  # not our page: no DB, no layout


# -- every state-changing route of the web UI ----------------------------------------------


def web_post_rules(app):
    """Routes a browser posts to: all but the token-only API and the Twilio-signed webhooks."""
    exempt = set(app.config["CSRF_EXEMPT_BLUEPRINTS"])
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
            and not rule.rule.startswith("/api/")
            and rule.endpoint.partition(".")[0] not in exempt
        ),
        key=lambda rule: rule.rule,
    )


def database_state(db_session) -> list:
    db_session.flush()
    return [
        (table.name, db_session.execute(table.select().order_by(*table.primary_key)).all())
        for table in Base.metadata.sorted_tables
    ]


@pytest.fixture
def posted_world(db_session, make_hotline, make_person, make_slot, login_as):
    """An admin (who may post everything) and one object of each kind a URL can name."""
    hotline = make_hotline()
    person = make_person("Alice")
    start = utcnow() + timedelta(days=7)
    slot = make_slot(hotline, start, start + timedelta(hours=12), [person])
    override = make_slot(hotline, start, start + timedelta(hours=2), [person], override=True)
    rotation = Rotation(
        hotline_id=hotline.id, name="Weekly", shift_hours=168, handoff=time(8),
        start_date=start.date(), members=[RotationMember(position=0, person_id=person.id)],
    )  # fmt: skip
    leave = Unavailability(
        person_id=person.id, starts_at=start, ends_at=start + timedelta(days=2), kind="leave"
    )
    db_session.add_all([rotation, leave])
    admin = login_as("admin", person=person)
    token, _secret = create_api_token(db_session, admin, "script")
    db_session.flush()
    return {
        "hotline_id": hotline.id, "slot_id": slot.id, "rotation_id": rotation.id,
        "person_id": person.id, "unavailability_id": leave.id, "token_id": token.id,
        "user_id": admin.id, "override_id": override.id,
    }  # fmt: skip


@pytest.mark.parametrize("token", [None, "forged"], ids=["no token", "forged token"])
def test_every_web_post_without_its_token_is_refused_and_changes_nothing(
    app, client, db_session, posted_world, token
):
    refused = []
    before = database_state(db_session)
    rules = web_post_rules(app)
    for rule in rules:
        values = {name: posted_world[name] for name in rule.arguments}
        if rule.endpoint == "planning.override_delete":
            values["slot_id"] = posted_world["override_id"]
        path = rule.build(values)[1]
        data = {"version": "1", "name": "Changed", "language": "en", "weeks": "2"}
        if token is not None:
            data["csrf_token"] = token
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(path, method=method, data=data)
            if response.status_code != 400:
                refused.append(f"{method} {path}: {response.status_code}")

    assert refused == []
    assert database_state(db_session) == before
    assert len(rules) > 30  # the walk found the app's forms


# -- GET forms: their fields end up in the URL --------------------------------------------


class FormReader(HTMLParser):
    """The forms of a page: method (as the submit buttons may change it) and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.forms.append({"methods": {method}, "fields": set()})
        elif self.forms and tag in ("input", "select", "textarea", "button"):
            if attributes.get("formmethod"):
                self.forms[-1]["methods"].add(attributes["formmethod"].lower())
            if attributes.get("name"):
                self.forms[-1]["fields"].add(attributes["name"])


def get_forms_carrying_the_token(page: str) -> int:
    reader = FormReader()
    reader.feed(page)
    return sum(
        1 for form in reader.forms if "get" in form["methods"] and "csrf_token" in form["fields"]
    )


def test_no_form_sent_with_get_puts_the_csrf_token_in_its_url(app, client, posted_world):
    leaking, pages_with_get_forms = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
            continue
        if not set(rule.arguments) <= posted_world.keys():
            continue
        path = rule.build({name: posted_world[name] for name in rule.arguments})[1]
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        pages_with_get_forms += 'method="get"' in page
        if get_forms_carrying_the_token(page):
            leaking.append(path)

    assert leaking == []
    assert pages_with_get_forms >= 6  # the walk reached the pages with filters and previews
