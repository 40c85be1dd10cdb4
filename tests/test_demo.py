"""The demo a newcomer starts: a routed hotline and one account per role."""

from __future__ import annotations

from hotline import create_app
from hotline.db import database
from hotline.demo import DEMO_PASSWORD, DEMO_USERS
from tests.conftest import app_config


def test_seed_demo_creates_one_user_per_role_who_can_sign_in(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'demo.sqlite3'}", WTF_CSRF_ENABLED=False))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    assert "demo users created: admin@demo.example" in first.output
    assert "demo users created" not in second.output
    roles = set()
    for role, email, _name in DEMO_USERS:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (email, response.get_data(as_text=True)[:500])
        roles.add(role)
    database(app).engine.dispose()
    assert roles == {"admin", "manager", "supervisor", "agent"}
