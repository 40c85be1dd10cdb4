"""Gunicorn settings for a Hotline node: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed from the environment (the systemd unit's
EnvironmentFile), so the same file serves every node:

    GUNICORN_BIND             where to listen (default 127.0.0.1:8000, behind nginx)
    WEB_CONCURRENCY           worker processes (default cores + 1)
    GUNICORN_TIMEOUT          seconds before a silent worker is killed and replaced (30)
    GUNICORN_GRACEFUL_TIMEOUT seconds a worker gets to finish its request on restart (20)
    GUNICORN_MAX_REQUESTS     requests a worker serves before it is replaced (20000, +10 %)
    FORWARDED_ALLOW_IPS       proxies gunicorn trusts (default 127.0.0.1,::1: nginx here)
    GUNICORN_ACCESSLOG        access log: a path, or - for stderr (default: none)
    GUNICORN_LOGLEVEL         gunicorn's own log level (info)
    GUNICORN_PROC_NAME        process name in ps and top (hotline)
    GUNICORN_CONTROL_SOCKET   path of gunicorn's control socket (default: off)
    PROMETHEUS_MULTIPROC_DIR  where the workers' metric files live (see below)

Graceful restart: `kill -HUP <master>` (`systemctl reload hotline`) starts new workers
on the new code and lets the old ones finish the webhook they are serving; nothing
is dropped. `kill -TERM` stops the same way; `kill -INT` or `-QUIT` stop at once.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import tempfile
from typing import Any

# The app factory, so nothing depends on the working directory.
wsgi_app = "hotline:create_app()"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: a webhook is about a millisecond of CPU and a few database round trips,
# and nginx in front buffers slow clients. One worker more than cores covers the waits
# on PostgreSQL; the usual 2 x cores + 1 only added process switches: on 2 cores it cost
# 40 % more CPU per webhook and served 25 % fewer on SQLite (benchmarks/README.md).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Twilio gives up on a webhook after 15 s; a worker silent for twice that is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Replace workers now and then (jittered so they do not all restart together): any
# slow leak is bounded, and each restart is graceful.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# No preload: a HUP then loads the new code in the new workers (zero-downtime deploys),
# and no database connection is ever shared across a fork.
preload_app = False
# The heartbeat file on a RAM disk: a slow disk must not make the master kill workers.
# (Not a temporary file in the S108 sense: gunicorn only touches it to say it is alive.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# nginx on the same machine sets X-Forwarded-Proto; the app reads the X-Forwarded-*
# headers itself through HOTLINE_PROXY_COUNT=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "hotline")
# Gunicorn 27's control socket defaults to one path per user: two nodes on a machine
# would take each other's. Nothing here uses it; give it a path of its own to enable it.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Prometheus: each worker keeps its webhook timings in files under this directory and a
# scrape of /metrics on any worker adds all of them up. It must be set before a worker
# imports prometheus_client, hence here in the master, before any fork; a directory of
# our own is made when none is given, so a node never reports one worker's share alone,
# and removed when gunicorn exits. (This file is read again on HUP: the variable set
# below then keeps the same directory, and the marker says it is still ours.)
_OURS = "HOTLINE_METRICS_DIR_IS_TEMPORARY"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hotline-metrics-")
    os.environ[_OURS] = "1"
METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"]


# The start-up check is logged once per node, not once per worker: the master lays
# this marker as it starts and on each reload, and the first worker to start after
# takes it (only one removal of a file can succeed). The master never imports the app itself,
# or the workers of a reload would inherit its old code.
_CHECK_PENDING = os.path.join(METRICS_DIR, "start-up-check.pending")


def on_starting(server: Any) -> None:
    """Start each run with no samples of a previous one (their pids are gone)."""
    os.makedirs(METRICS_DIR, exist_ok=True)
    for stale in glob.glob(os.path.join(METRICS_DIR, "*.db")):
        os.remove(stale)
    _ask_for_start_up_check()


def on_reload(server: Any) -> None:
    """A reload (HUP) may bring new settings: the next new worker checks them."""
    _ask_for_start_up_check()


def _ask_for_start_up_check() -> None:
    with open(_CHECK_PENDING, "w"):
        pass


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that exited; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, METRICS_DIR)


def on_exit(server: Any) -> None:
    """Remove the metrics directory made above; one given in the environment stays."""
    if os.environ.get(_OURS):
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


def post_worker_init(worker: Any) -> None:
    """Log what the settings lack, in the first worker after a start or a reload."""
    try:
        os.remove(_CHECK_PENDING)
    except FileNotFoundError:
        return  # another worker took it, or a worker replaced after max_requests
    try:
        from hotline import log_start_up_problems
    except ImportError:  # a release older than this file logs them from create_app
        return
    log_start_up_problems(worker.wsgi)
