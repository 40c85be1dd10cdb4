"""The demo a newcomer starts: a routed hotline and one account per role."""

from __future__ import annotations

import socket

from flask import Flask
from sqlalchemy import select

from hotline import create_app, load_settings, schema
from hotline.cli import ensure_instance_config
from hotline.db import database
from hotline.demo import DEMO_PASSWORD, DEMO_USERS
from hotline.models import Hotline
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


def test_the_environment_wins_over_the_config_file_the_demo_writes(tmp_path, monkeypatch):
    written = Flask("demo", instance_path=str(tmp_path))
    config_file = ensure_instance_config(written)
    monkeypatch.setenv("HOTLINE_TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv("HOTLINE_EMERGENCY_NUMBER", "+33100000001")
    app = Flask("demo", instance_path=str(tmp_path))

    load_settings(app, str(config_file))

    assert app.config["TWILIO_AUTH_TOKEN"] == "0123456789abcdef0123456789abcdef"
    assert app.config["EMERGENCY_NUMBER"] == "+33100000001"
    assert app.config["SECRET_KEY"]  # from the file
    # No account SID: SMS stays off, as the start-up message says, and nothing is sent out.
    assert "TWILIO_ACCOUNT_SID" not in app.config


def test_a_second_demo_on_a_busy_port_says_so_and_leaves_the_first_alone(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'demo.sqlite3'}"))
    schema.upgrade(database(app).engine)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = app.test_cli_runner().invoke(args=["demo", "--port", str(port)])

    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output
    with database(app).sessionmaker() as session:  # nothing seeded, nothing reset
        assert session.scalars(select(Hotline)).all() == []
    database(app).engine.dispose()
