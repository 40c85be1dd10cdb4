"""Sample a gunicorn server with py-spy under load and tell where a request's time goes."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

RATE = 200  # samples per second and process
REQUEST_FRAME = "IncomingFastPath.__call__"  # wraps Flask: every request of the app

# Steps of POST /voice/incoming, named by a function on the stack; a sample goes
# to the innermost step on its stack. Functions that no longer exist just stay empty.
STEPS = [
    (REQUEST_FRAME, "WSGI middleware (hotline.voice.fast_incoming), other"),
    ("Flask.wsgi_app", "Flask and Werkzeug: request, routing, response (not the usual call)"),
    ("_read_form", "body read"),
    ("_params", "form parsing (parse_qsl)"),
    ("Request.url", "the signed URL (Werkzeug)"),
    ("signature_matches", "signature check (twilio RequestValidator)"),
    ("Database.autocommit", "connection: pool check-out"),
    ("to_e164", "phone number parsing"),
    ("find_route", "query: hotline and on-call chain, one statement"),
    ("_default_responders", "query: default chain (no slot covers the call)"),
    ("chain_snapshot", "chain snapshot"),
    ("start_at_once", "write: call and first ring leg"),
    ("insert_call", "insert: call"),
    ("ring", "insert: first ring leg"),
    ("DriverConnection.commit", "commit"),
    ("answer", "TwiML (from its cache)"),
    ("Response.__call__", "response (Werkzeug)"),
    ("observe_webhook", "latency histogram"),
]


def start(pid: int, output: Path, *, idle: bool) -> subprocess.Popen[bytes]:
    """Record `pid` and its worker processes until stop(); `idle` keeps waiting samples."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    command = [
        py_spy, "record", "--pid", str(pid), "--subprocesses", "--rate", str(RATE),
        "--format", "raw", "--nonblocking", "--output", str(output),
    ]  # fmt: skip
    if idle:
        command.append("--idle")
    process = subprocess.Popen(  # noqa: S603 - our own arguments
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(1)  # attached before the load starts
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def summarise(path: Path, *, idle: bool, top: int = 25) -> None:
    """Print the share of samples per step of the request, then per function."""
    if not path.exists():
        print("no profile written (py-spy needs ptrace rights)")
        return
    steps: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for stack, count in samples(path, requests_only=idle):
        total += count
        steps[step_of(stack)] += count
        names = [frame_name(f) for f in stack]
        for name in set(names):
            inclusive[name] += count
        own[names[-1]] += count
    if not total:
        print("no samples")
        return
    what = "wall time inside requests" if idle else "CPU time of the workers"
    print(f"\nwhere the real server's {what} goes ({total} py-spy samples at {RATE} Hz):")
    for label, count in steps.most_common():
        print(f"{100 * count / total:6.1f}%  {label}")
    print("by function (inclusive, own):")
    for name, count in inclusive.most_common(top):
        print(f"{100 * count / total:6.1f}% {100 * own[name] / total:5.1f}%  {name}")


def samples(path: Path, *, requests_only: bool) -> list[tuple[list[str], int]]:
    """(frames from the outermost, count) of each worker stack py-spy saw."""
    found = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        if not any("Worker" in f for f in frames):
            continue  # the gunicorn master
        if requests_only and not any(f.startswith(REQUEST_FRAME) for f in frames):
            continue  # a worker waiting for a connection
        found.append((frames, int(count)))
    return found


def step_of(frames: list[str]) -> str:
    label = "gunicorn: sockets and HTTP parsing"
    names = {marker: step for marker, step in STEPS}
    for frame in frames:
        function = frame.partition(" (")[0]
        label = names.get(function, label)
    return label


def frame_name(frame: str) -> str:
    """`function (path/to/module.py:123)` -> `function (package/module.py)`, lines merged."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3."):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    else:
        where = "hotline/" + where.split("/hotline/", 1)[1] if "/hotline/" in where else where
    return f"{name} ({where})"
