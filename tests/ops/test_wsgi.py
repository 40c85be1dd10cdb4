"""`gunicorn wsgi:app` serves the app configured from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hotline import schema
from hotline.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import wsgi\n"
    "client = wsgi.app.test_client()\n"
    "print(client.get('/healthz').status_code, client.get('/readyz').status_code)\n"
    "print(wsgi.app.config['DATABASE_URL'])\n"
)


def test_wsgi_module_serves_the_app_of_the_environment_s_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'wsgi.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    env = {**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_EMERGENCY_NUMBER": "+33184880000"}

    probe = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    statuses, database = probe.stdout.splitlines()
    assert statuses == "200 200"
    assert database == url


def test_wsgi_start_up_logs_what_the_alert_settings_lack_as_json(tmp_path):
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}",
        "HOTLINE_LOG_JSON": "true",
        "HOTLINE_SMTP_HOST": "",
    }

    probe = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert probe.returncode == 0, probe.stderr
    # Every line is JSON, the warnings logged while the app is created included.
    messages = [json.loads(line)["message"] for line in probe.stderr.splitlines()]
    assert "alerts (start-up): e-mail disabled: SMTP_HOST is not set" in messages
