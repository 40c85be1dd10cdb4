"""A throw-away production set-up on this machine: private PostgreSQL and Redis, app nodes.

The fault tests stop and kill these, so they are never the machine's shared services:
the PostgreSQL cluster is made here with initdb (as the `postgres` user when we run as
root) on a free port, Redis is our own process without persistence, and each node is a
tests.app_node.Node: gunicorn with deploy/gunicorn.conf.py, killed as a crash would.
benchmarks/soak.py and benchmarks/upgrade.py use the same pieces.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.app_node import REPO, Node, free_port  # noqa: F401 - Node: benchmarks start nodes from here

TOKEN = "ops-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32
EMERGENCY_NUMBER = "+33184880000"
# What Twilio calls and signs; the balancer forwards it to the nodes as X-Forwarded-*.
PUBLIC_URL = "https://hotline.example.org"


class Unavailable(RuntimeError):
    """This machine cannot run a private PostgreSQL or Redis (binaries or user missing)."""


def postgres_bin() -> Path:
    """The directory of initdb, pg_ctl, pg_dump and pg_restore of the newest PostgreSQL."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise Unavailable("no PostgreSQL server binaries (initdb) on this machine")


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own, in a temporary directory, on a free port."""

    port: int = field(default_factory=free_port)
    durable: bool = False  # fsync and synchronous commit on, as in production
    bin_dir: Path = field(default_factory=postgres_bin)
    root: Path = field(init=False)
    running: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        # initdb refuses to run as root: then the cluster belongs to `postgres`, and its
        # directory must be one that user can enter (pytest's tmp_path is root-only).
        self.owner = "postgres" if os.geteuid() == 0 else None
        if self.owner:
            try:
                pwd.getpwnam(self.owner)
            except KeyError:
                raise Unavailable("running as root and there is no `postgres` user") from None
        self.root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        if self.owner:
            entry = pwd.getpwnam(self.owner)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def tool(self, name: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / name), *args]
        return ["runuser", "-u", self.owner, "--", *command] if self.owner else command

    def init(self) -> PrivatePostgres:
        _run(
            self.tool(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            )
        )
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run(
            self.tool(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            )
        )
        self.running = True

    def stop(self) -> None:
        """Stop now: sessions are cut, as when the database server goes away."""
        if self.running:
            _run(self.tool("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"))
            self.running = False

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = [str(self.bin_dir / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        return _run([*command, "-c", sql]).stdout.strip()

    def create_database(self, name: str, template: str | None = None) -> str:
        copy = f' TEMPLATE "{template}"' if template else ""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def client(self, name: str) -> list[str]:
        """pg_dump, pg_restore... of this server's version, pointed at this server."""
        return [str(self.bin_dir / name), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]


@dataclass
class PrivateRedis:
    """A redis-server of our own: no persistence, so a restart comes back empty."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        if not shutil.which("redis-server"):
            raise Unavailable("redis-server is not installed")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += [
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def app_env(database_url: str, queue_url: str, **extra: str) -> dict[str, str]:
    """The environment of a node (or a CLI command) of the cluster."""
    return {
        **os.environ,
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_QUEUE_URL": queue_url,
        "HOTLINE_SECRET_KEY": "ops-secret-key",
        "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "HOTLINE_EMERGENCY_NUMBER": EMERGENCY_NUMBER,
        # As behind nginx: the public URL comes from X-Forwarded-Proto and -Host.
        "HOTLINE_PUBLIC_BASE_URL": "",
        "HOTLINE_PROXY_COUNT": "1",
        "HOTLINE_LOG_JSON": "true",
        **extra,
    }


def hotline_cli(
    *args: str, env: dict[str, str], code: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run the `hotline` command of a release (this tree by default) and fail loudly."""
    run_env = dict(env)
    if code != REPO:
        run_env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-c", "from hotline.cli import main; main()", *args]
    return _run(command, cwd=code, env=run_env)
