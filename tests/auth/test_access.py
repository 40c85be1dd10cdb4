import pytest
from sqlalchemy import func, select

from hotline.auth.access import (
    can_manage,
    can_read_planning,
    can_review,
    role_required,
    scoped_hotline_ids,
)
from hotline.auth.models import User


def test_agent_gets_403_on_admin_pages(client, login_as):
    login_as("agent")

    response = client.get("/admin/users")

    assert response.status_code == 403
    assert "Vous n’avez pas le droit de faire cela." in response.get_data(as_text=True)


def test_forbidden_post_changes_nothing(client, login_as, submit, db_session):
    login_as("manager")
    before = db_session.scalar(select(func.count()).select_from(User))

    response = submit(
        "/admin/users/new",
        {
            "email": "intruder@example.org",
            "name": "Intruder",
            "role": "admin",
            "password": "let me in please",
            "password_confirm": "let me in please",
        },
    )

    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(User)) == before
    assert db_session.scalar(select(User).where(User.email == "intruder@example.org")) is None


def test_role_required_records_the_roles_on_the_view():
    @role_required("manager", "admin")
    def edit_planning():
        """Edit."""

    assert edit_planning.allowed_roles == frozenset({"manager", "admin"})
    assert edit_planning.__name__ == "edit_planning"


@pytest.mark.parametrize("roles", [(), ("root",), ("admin", "boss")])
def test_role_required_refuses_unknown_roles_at_import_time(roles):
    with pytest.raises(ValueError, match="role_required"):
        role_required(*roles)


def test_hotline_scope_per_role(make_user, make_hotline):
    mine, other = make_hotline(), make_hotline(number="+33184889999")
    admin = make_user("admin")
    manager = make_user("manager", hotlines=(mine,))
    supervisor = make_user("supervisor", hotlines=(mine,))
    agent = make_user("agent")

    assert [can_manage(u, mine.id) for u in (admin, manager, supervisor, agent)] == [
        True,
        True,
        False,
        False,
    ]
    assert [can_manage(u, other.id) for u in (admin, manager, supervisor, agent)] == [
        True,
        False,
        False,
        False,
    ]
    assert [can_review(u, mine.id) for u in (admin, manager, supervisor, agent)] == [
        True,
        True,
        True,
        False,
    ]
    assert [can_review(u, other.id) for u in (admin, manager, supervisor, agent)] == [
        True,
        False,
        False,
        False,
    ]
    assert can_read_planning(agent, other.id)
    assert not can_read_planning(supervisor, other.id)
    assert scoped_hotline_ids(admin) is None
    assert scoped_hotline_ids(manager) == {mine.id}
    assert scoped_hotline_ids(agent) == set()


def test_inactive_manager_manages_nothing(make_user, make_hotline):
    hotline = make_hotline()
    manager = make_user("manager", hotlines=(hotline,), active=False)

    assert not can_manage(manager, hotline.id)
    assert not can_review(manager, hotline.id)
