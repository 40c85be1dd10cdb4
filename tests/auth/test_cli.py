import pytest
from sqlalchemy import func, select

from hotline.auth.models import User
from hotline.auth.passwords import verify_password
from tests.conftest import sign_in_client


def users(db_session):
    return db_session.scalar(select(func.count()).select_from(User))


def test_create_first_admin_from_stdin(runner, db_session):
    result = runner.invoke(
        input="a very long admin secret\n",
        args=[
            *["create-user", "Root@Example.org", "--role", "admin"],
            "--name",
            "Root",
            "--password-stdin",
        ],
    )

    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "root@example.org"))
    assert (user.role, user.name) == ("admin", "Root")
    assert verify_password(user.password_hash, "a very long admin secret")


def test_create_user_prompts_twice_for_the_password(runner, db_session):
    result = runner.invoke(
        args=["create-user", "sup@example.org", "--role", "supervisor"],
        input="first attempt here\nsecond differs!!\nfinal password!\nfinal password!\n",
    )

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    user = db_session.scalar(select(User).where(User.email == "sup@example.org"))
    assert verify_password(user.password_hash, "final password!")


def test_create_user_links_a_person_by_ref(runner, make_person, db_session):
    alice = make_person("Alice", ref="alice")

    result = runner.invoke(
        input="alice's long secret\n",
        args=[
            *["create-user", "alice@example.org", "--role", "agent"],
            *["--person", "alice", "--language", "en", "--password-stdin"],
        ],
    )

    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "alice@example.org"))
    assert (user.person_id, user.language) == (alice.id, "en")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["nobody", "--role", "admin"], "long enough secret", "not an e-mail address"),
        (["a@example.org", "--role", "admin"], "short", "at least 10 characters"),
        (["a@example.org", "--role", "root"], "long enough secret", "Invalid value for '--role'"),
        (
            ["a@example.org", "--role", "agent", "--person", "ghost"],
            "long enough secret",
            "no person",
        ),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(runner, db_session, args, password, message):
    before = users(db_session)

    result = runner.invoke(input=password + "\n", args=["create-user", *args, "--password-stdin"])

    assert result.exit_code != 0
    assert message in result.output
    assert users(db_session) == before


def test_duplicate_email_is_refused(runner, make_user, db_session):
    make_user("agent", email="taken@example.org")

    result = runner.invoke(
        input="long enough secret\n",
        args=["create-user", "taken@example.org", "--role", "admin", "--password-stdin"],
    )

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert db_session.scalar(select(User.role).where(User.email == "taken@example.org")) == "agent"


def test_reset_password_unlocks_and_ends_sessions(app, runner, submit, make_user, db_session):
    user = make_user("admin", email="locked@example.org")
    elsewhere = app.test_client()
    sign_in_client(elsewhere, db_session, user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        submit("/login", {"email": "locked@example.org", "password": "a wrong guess"})

    result = runner.invoke(
        input="recovered secret\n",
        args=["reset-password", "locked@example.org", "--password-stdin"],
    )

    assert result.exit_code == 0, result.output
    db_session.refresh(user)
    assert verify_password(user.password_hash, "recovered secret")
    assert elsewhere.get("/dashboard").status_code == 302
    signed_in = submit("/login", {"email": "locked@example.org", "password": "recovered secret"})
    assert signed_in.status_code == 302


def test_reset_password_of_unknown_user_fails(runner):
    result = runner.invoke(
        input="recovered secret\n", args=["reset-password", "ghost@example.org", "--password-stdin"]
    )

    assert result.exit_code == 1
    assert "no user with e-mail" in result.output
