import pytest
from sqlalchemy import select

from hotline.auth.models import User
from hotline.auth.passwords import verify_password
from tests.conftest import USER_PASSWORD


def new_user(**fields):
    return {
        "email": "chloe@example.org",
        "name": "Chloé Durand",
        "role": "manager",
        "language": "en",
        "person": "",
        "password": "a long enough secret",
        "password_confirm": "a long enough secret",
        **fields,
    }


def user_form(user, **fields):
    return {
        "name": user.name,
        "role": user.role,
        "active": "y" if user.active else "",
        "person": str(user.person_id or ""),
        "language": user.language or "",
        **fields,
    }


def find(db_session, email):
    return db_session.scalar(select(User).where(User.email == email))


def test_admin_lists_users(client, login_as, make_user):
    login_as("admin")
    make_user("agent", email="zoe@example.org", name="Zoé Agent")

    page = client.get("/admin/users").get_data(as_text=True)

    assert "zoe@example.org" in page
    assert "Zoé Agent" in page
    assert "Agent" in page


def test_admin_creates_a_user_linked_to_a_person(login_as, submit, make_person, db_session):
    login_as("admin")
    chloe = make_person("Chloé Durand")

    response = submit("/admin/users/new", new_user(person=str(chloe.id)))

    user = find(db_session, "chloe@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.role, user.language, user.person_id) == ("manager", "en", chloe.id)
    assert verify_password(user.password_hash, "a long enough secret")


def test_bad_fields_are_reported_at_the_field_and_nothing_is_saved(login_as, submit, db_session):
    login_as("admin")

    response = submit(
        "/admin/users/new",
        new_user(email="not-an-address", password="short", password_confirm="short"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce n’est pas une adresse e-mail." in page
    assert find(db_session, "not-an-address") is None


@pytest.mark.parametrize("password", ["short", " " * 12])  # spaces alone could never sign in
def test_short_password_is_refused_at_its_field(login_as, submit, db_session, password):
    login_as("admin")

    response = submit("/admin/users/new", new_user(password=password, password_confirm=password))

    assert response.status_code == 400
    assert "Le mot de passe doit compter au moins 10 caractères." in response.get_data(as_text=True)
    assert find(db_session, "chloe@example.org") is None


def test_duplicate_email_is_refused(login_as, submit, make_user, db_session):
    login_as("admin")
    make_user("agent", email="chloe@example.org")

    response = submit("/admin/users/new", new_user(email="Chloe@Example.org"))

    assert response.status_code == 400
    assert "Un utilisateur a déjà cette adresse e-mail." in response.get_data(as_text=True)
    assert find(db_session, "chloe@example.org").role == "agent"


def test_mismatched_passwords_are_refused(login_as, submit, db_session):
    login_as("admin")

    response = submit("/admin/users/new", new_user(password_confirm="another long secret"))

    assert "Les mots de passe diffèrent." in response.get_data(as_text=True)
    assert find(db_session, "chloe@example.org") is None


def test_a_bad_address_is_said_together_with_mismatched_passwords(login_as, submit, db_session):
    login_as("admin")

    response = submit(
        "/admin/users/new",
        new_user(email="not-an-address", password_confirm="another long secret"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Les mots de passe diffèrent." in page
    assert "Ce n’est pas une adresse e-mail." in page, "not only once the passwords match"
    assert find(db_session, "not-an-address") is None


def test_admin_changes_role_status_person_and_hotlines(
    login_as, submit, make_user, make_person, make_hotline, db_session
):
    login_as("admin")
    hotline = make_hotline()
    person = make_person("Bruno Petit")
    agent = make_user("agent")

    response = submit(
        f"/admin/users/{agent.id}",
        user_form(agent, role="manager", active="", person=str(person.id), hotlines=[hotline.id]),
    )

    assert response.status_code == 302
    db_session.refresh(agent)
    assert (agent.role, agent.active, agent.person_id) == ("manager", False, person.id)
    assert agent.hotline_ids == {hotline.id}


def test_a_person_links_to_one_user_only(login_as, submit, make_user, make_person, db_session):
    login_as("admin")
    person = make_person("Alice Martin")
    make_user("agent", email="alice@example.org", person=person)
    other = make_user("agent")

    response = submit(f"/admin/users/{other.id}", user_form(other, person=str(person.id)))

    assert response.status_code == 400
    assert "Cette personne est déjà associée à alice@example.org." in response.get_data(
        as_text=True
    )
    db_session.refresh(other)
    assert other.person_id is None


def test_the_last_admin_cannot_demote_themself(client, login_as, submit, db_session):
    admin = login_as("admin")

    response = submit(f"/admin/users/{admin.id}", user_form(admin, role="agent"))

    assert response.status_code == 400
    assert "Le dernier administrateur actif" in response.get_data(as_text=True)
    db_session.refresh(admin)
    assert admin.role == "admin"
    assert client.get("/admin/users").status_code == 200


def test_an_inactive_admin_can_be_renamed_and_demoted_beside_the_last_active_one(
    login_as, submit, make_user, db_session
):
    login_as("admin")
    retired = make_user("admin", active=False)

    renamed = submit(f"/admin/users/{retired.id}", user_form(retired, name="Ancien", active=""))
    demoted = submit(
        f"/admin/users/{retired.id}", user_form(retired, name="Ancien", role="agent", active="")
    )

    assert (renamed.status_code, demoted.status_code) == (302, 302)
    db_session.refresh(retired)
    assert (retired.name, retired.role, retired.active) == ("Ancien", "agent", False)


def test_an_admin_giving_up_the_role_lands_on_a_page_they_may_open(
    client, login_as, submit, make_user
):
    make_user("admin")  # another active admin, so the change is allowed
    me = login_as("admin")

    response = submit(f"/admin/users/{me.id}", user_form(me, role="agent"))

    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200


def test_unknown_user_is_404(client, login_as):
    login_as("admin")

    assert client.get("/admin/users/999999").status_code == 404


def test_admin_resets_a_password(login_as, submit, make_user, db_session):
    login_as("admin")
    agent = make_user("agent")

    response = submit(
        f"/admin/users/{agent.id}/password",
        {"password": "the new secret!", "password_confirm": "the new secret!"},
    )

    assert response.status_code == 302
    db_session.refresh(agent)
    assert verify_password(agent.password_hash, "the new secret!")


def test_guessing_the_current_password_locks_the_account_as_sign_in_does(
    app, login_as, submit, db_session
):
    user = login_as("agent")
    guesses = app.config["LOGIN_MAX_FAILURES"]
    change = {"password": "my new passphrase", "password_confirm": "my new passphrase"}

    for n in range(guesses):
        submit("/account/password", {"current_password": f"guess {n}", **change})
    right = submit("/account/password", {"current_password": USER_PASSWORD, **change})

    assert right.status_code == 429
    assert "Trop d’échecs" in right.get_data(as_text=True)
    db_session.refresh(user)
    assert verify_password(user.password_hash, USER_PASSWORD)  # unchanged


def test_the_right_current_password_clears_earlier_wrong_guesses(app, login_as, submit, db_session):
    user = login_as("agent")
    guesses = app.config["LOGIN_MAX_FAILURES"] - 1
    spaces = {"password": " " * 12, "password_confirm": " " * 12}  # refused as a password
    change = {"password": "my new passphrase", "password_confirm": "my new passphrase"}

    for n in range(guesses):
        submit("/account/password", {"current_password": f"guess {n}", **change})
    refused_new = submit("/account/password", {"current_password": USER_PASSWORD, **spaces})
    one_more = submit("/account/password", {"current_password": "one more guess", **change})
    right = submit("/account/password", {"current_password": USER_PASSWORD, **change})

    # As at sign-in, proving the password starts the count of failures again.
    assert (refused_new.status_code, one_more.status_code, right.status_code) == (400, 400, 302)
    db_session.refresh(user)
    assert verify_password(user.password_hash, "my new passphrase")


def test_weak_reset_password_changes_nothing(login_as, submit, make_user, db_session):
    login_as("admin")
    agent = make_user("agent")
    old_hash = agent.password_hash

    response = submit(
        f"/admin/users/{agent.id}/password", {"password": "short", "password_confirm": "short"}
    )

    assert response.status_code == 400
    db_session.refresh(agent)
    assert agent.password_hash == old_hash


def test_user_changes_own_password_and_stays_signed_in(client, login_as, submit, db_session):
    user = login_as("agent")

    wrong = submit(
        "/account/password",
        {"current_password": "not it at all", "password": "x" * 12, "password_confirm": "x" * 12},
    )
    right = submit(
        "/account/password",
        {
            "current_password": "correct horse battery staple",
            "password": "my new passphrase",
            "password_confirm": "my new passphrase",
        },
    )

    assert "Ce n’est pas votre mot de passe actuel." in wrong.get_data(as_text=True)
    assert right.status_code == 302
    db_session.refresh(user)
    assert verify_password(user.password_hash, "my new passphrase")
    assert client.get("/account").status_code == 200
