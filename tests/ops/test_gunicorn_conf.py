"""deploy/gunicorn.conf.py: what a node does at start and at exit, with a real gunicorn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests

from tests.app_node import GUNICORN_CONF, REPO, free_port


def test_a_node_logs_its_start_up_check_as_json_and_removes_its_metrics_directory(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "TMPDIR": str(tmp_path),  # where the node makes its metrics directory
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'node.sqlite3'}",
        "HOTLINE_LOG_JSON": "true",
        "HOTLINE_SMTP_HOST": "",
    }
    node = subprocess.Popen(  # noqa: S603 - gunicorn with the deployment's settings
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz")
        [metrics_dir] = tmp_path.glob("hotline-metrics-*")
    finally:
        node.send_signal(signal.SIGTERM)
        _, stderr = node.communicate(timeout=30)

    assert node.returncode == 0, stderr
    assert not metrics_dir.exists()
    app_lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert "alerts (start-up): e-mail disabled: SMTP_HOST is not set" in [
        line["message"] for line in app_lines
    ]


def wait_until_serving(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} does not answer after 60 s")
