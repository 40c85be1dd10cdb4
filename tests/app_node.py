"""An app server for tests that need a real one: gunicorn with the deployment's settings.

The operations tests run several of these behind a balancer and kill them; the
simulator tests play whole calls against one. Each node is started with
deploy/gunicorn.conf.py in a process group of its own, so that "kill the node"
kills its master and workers at once, as a crash would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
BOOT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One app server: gunicorn with the deployment's configuration, its own log file."""

    name: str
    env: dict[str, str]
    log: Path
    code: Path = REPO  # another release's source tree runs another version of the app
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        metrics = self.log.parent / f"{self.name}-metrics"
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_PROC_NAME": f"hotline-{self.name}",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        }
        if self.code != REPO:
            env["PYTHONPATH"] = str(self.code)
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=self.code,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg takes the workers too
            )
        self.wait_until_serving()

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + BOOT_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            if not self.alive:
                raise RuntimeError(f"node {self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                # Any answer means a worker has loaded the app (older releases have no /healthz).
                # The master accepts connections before a worker has: on a loaded machine
                # the answer may take longer than one read timeout, so wait out the deadline.
                requests.get(f"{self.url}/healthz", timeout=max(left, 1))
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError(f"node {self.name} not serving after {BOOT_SECONDS} s")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: the node is gone mid-flight."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None
        self._wait_until_refused()

    def _wait_until_refused(self) -> None:
        # The workers die a moment after the master; until the last one has, the kernel
        # still accepts connections on their listening socket (and then resets them).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                return
            time.sleep(0.02)
        raise RuntimeError(f"node {self.name} still accepts connections after SIGKILL")

    def stop(self) -> None:
        """Graceful stop (SIGTERM): workers finish the request they serve."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        self.kill()

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
