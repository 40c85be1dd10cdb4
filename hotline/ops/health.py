"""Probes for load balancers: /healthz (the process answers), /readyz (it can serve calls)."""

from __future__ import annotations

import logging

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from hotline.auth import public
from hotline.db import database
from hotline.ops import bp

log = logging.getLogger("hotline.ops")


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """The process is alive: no database, no queue, nothing that can hang."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz() -> ResponseReturnValue:
    """The node can route calls and queue alerts: 200, or 503 naming what is down."""
    checks = {"database": _database_ready(), "queue": _queue_ready()}
    ready = all(ok for ok, _detail in checks.values())
    body = {name: ("ok" if ok else detail) for name, (ok, detail) in checks.items()}
    return jsonify(status="ok" if ready else "unavailable", checks=body), 200 if ready else 503


def _database_ready() -> tuple[bool, str]:
    try:
        with database(current_app).sessionmaker() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        log.warning("readiness: database unreachable: %s", exc)
        return False, f"unreachable: {type(exc).__name__}"
    return True, ""


def _queue_ready() -> tuple[bool, str]:
    from hotline.alerts.queue import alert_queue

    try:
        alert_queue(current_app).huey.pending_count()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        log.warning("readiness: queue unreachable: %s", exc)
        return False, f"unreachable: {type(exc).__name__}"
    return True, ""
