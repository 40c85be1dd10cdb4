"""deploy/gunicorn.conf.py: what a node does at start and at exit, with a real gunicorn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import requests

from tests.app_node import GUNICORN_CONF, REPO, free_port

CHECK_LINE = "alerts (start-up): e-mail disabled: SMTP_HOST is not set"


def test_a_node_logs_its_start_up_check_once_as_json_and_removes_its_metrics_directory(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "TMPDIR": str(tmp_path),  # where the node makes its metrics directory
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
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
    messages: list[str] = []
    reader = threading.Thread(target=read_app_messages, args=(node, messages), daemon=True)
    reader.start()
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz")
        wait_for(lambda: CHECK_LINE in messages)
        [metrics_dir] = tmp_path.glob("hotline-metrics-*")
        node.send_signal(signal.SIGHUP)  # a reload: new workers, maybe new settings
        wait_for(lambda: messages.count(CHECK_LINE) == 2)
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=30)
        reader.join(timeout=10)
        if node.stderr is not None:
            node.stderr.close()

    assert node.returncode == 0
    assert not metrics_dir.exists()
    # Once for the node and once for the reload, not once per worker.
    assert messages.count(CHECK_LINE) == 2


def read_app_messages(node: subprocess.Popen[str], messages: list[str]) -> None:
    """The messages of the app's JSON log lines on the node's stderr, as they come."""
    assert node.stderr is not None
    for line in node.stderr:
        if line.startswith("{"):
            messages.append(json.loads(line)["message"])


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not seen within 30 s")
        time.sleep(0.1)


def wait_until_serving(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} does not answer after 60 s")
