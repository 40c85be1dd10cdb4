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
from pathlib import Path

import requests

from hotline.auth.web import KEYLESS_NODE_PROBLEM
from tests.app_node import GUNICORN_CONF, REPO, free_port
from tests.conftest import AUTH_TOKEN, EMERGENCY_NUMBER, sign

CHECK_LINE = "alerts (start-up): e-mail disabled: SMTP_HOST is not set"
# A worker loads the app in about 3 s on an idle 2-core machine and several times
# that when it is shared: wait for what a node must do, not for how fast it does it.
DEADLINE_SECONDS = 180


def test_a_node_logs_its_start_up_check_once_as_json_and_removes_its_metrics_directory(tmp_path):
    port = free_port()
    node, messages, reader = start_node(tmp_path, port)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", node)
        wait_for(lambda: CHECK_LINE in messages, node)
        [metrics_dir] = tmp_path.glob("hotline-metrics-*")
        node.send_signal(signal.SIGHUP)  # a reload: new workers, maybe new settings
        wait_for(lambda: messages.count(CHECK_LINE) == 2, node)
    finally:
        stop(node)
        reader.join(timeout=10)
        if node.stderr is not None:
            node.stderr.close()

    assert node.returncode == 0
    assert not metrics_dir.exists()
    # Once for the node and once for the reload, not once per worker.
    assert messages.count(CHECK_LINE) == 2


def test_a_node_without_secret_key_says_so_and_still_answers_twilio(tmp_path):
    port = free_port()
    node, messages, reader = start_node(
        tmp_path,
        port,
        HOTLINE_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        HOTLINE_EMERGENCY_NUMBER=EMERGENCY_NUMBER,
    )
    keyless_line = f"web (start-up): {KEYLESS_NODE_PROBLEM}"
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", node)
        wait_for(lambda: keyless_line in messages, node)
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=DEADLINE_SECONDS)
        url = f"http://127.0.0.1:{port}/voice/fallback"
        params = {"CallSid": "CA" + "1" * 32, "From": "+33699887766", "To": "+33184881234"}
        twiml = requests.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": sign(url, params)},
            timeout=DEADLINE_SECONDS,
        )
    finally:
        stop(node)
        reader.join(timeout=10)
        if node.stderr is not None:
            node.stderr.close()

    # Once for the node, not once per worker.
    assert [m for m in messages if "SECRET_KEY" in m] == [keyless_line]
    assert page.status_code == 503
    assert "HOTLINE_SECRET_KEY" in page.text
    assert twiml.status_code == 200
    assert f'<Dial answerOnBridge="true">{EMERGENCY_NUMBER}</Dial>' in twiml.text


def start_node(
    tmp_path: Path, port: int, **settings: str
) -> tuple[subprocess.Popen[str], list[str], threading.Thread]:
    """A node with the deployment's settings, without ours; its app messages read as they come."""
    # Nothing of the environment that runs the tests: a HOTLINE_SECRET_KEY there would
    # hide what a node without one does.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PROMETHEUS_MULTIPROC_DIR" and not k.startswith("HOTLINE_")
    }
    env |= {
        "TMPDIR": str(tmp_path),  # where the node makes its metrics directory
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'node.sqlite3'}",
        "HOTLINE_LOG_JSON": "true",
        "HOTLINE_SMTP_HOST": "",
        **settings,
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
    return node, messages, reader


def stop(node: subprocess.Popen[str]) -> None:
    """Stop the node gracefully (TERM); kill its process group if it hangs, not leave it."""
    node.send_signal(signal.SIGTERM)
    try:
        node.wait(timeout=DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(node.pid, signal.SIGKILL)
        node.wait()
        raise


def read_app_messages(node: subprocess.Popen[str], messages: list[str]) -> None:
    """The messages of the app's JSON log lines on the node's stderr, as they come."""
    assert node.stderr is not None
    for line in node.stderr:
        if line.startswith("{"):
            messages.append(json.loads(line)["message"])


def wait_for(condition: Callable[[], bool], node: subprocess.Popen[str]) -> None:
    """Wait until `condition` holds, while the node runs, for as long as a loaded machine needs."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if node.poll() is not None:
            raise AssertionError(f"the node exited ({node.returncode}) before it was seen")
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {DEADLINE_SECONDS} s")
        time.sleep(0.1)


def wait_until_serving(url: str, server: subprocess.Popen[str] | None = None) -> None:
    """Wait until `url` answers 200: a worker has loaded the app and serves requests."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}) before serving {url}")
        try:
            # gunicorn's master accepts connections before any worker has loaded the
            # app: the answer may take as long as the slowest worker start.
            response = requests.get(url, timeout=left)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
            continue
        assert response.status_code == 200, response.text
        return
    raise RuntimeError(f"{url} does not answer after {DEADLINE_SECONDS} s")
