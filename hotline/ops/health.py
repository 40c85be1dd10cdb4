"""Probes for load balancers: /healthz (the process answers), /readyz (it can serve calls)."""

from __future__ import annotations

import logging

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from hotline.auth import public
from hotline.db import database, describe_error
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
    """The node can route calls: 200, or 503 when the database is down; the queue is reported.

    Only the database decides: calls need it, alerts do not reach Redis from a webhook
    (they wait in the database's outbox), so a node whose queue is down still routes
    every call and must stay in the balancer; it answers 200 with status "degraded".
    """
    database_ok, database_detail = _database_ready()
    queue_ok, queue_detail = _queue_ready()
    checks = {
        "database": "ok" if database_ok else database_detail,
        "queue": "ok" if queue_ok else queue_detail,
    }
    if not database_ok:
        return jsonify(status="unavailable", checks=checks), 503
    return jsonify(status="ok" if queue_ok else "degraded", checks=checks), 200


def _database_ready() -> tuple[bool, str]:
    try:
        with database(current_app).sessionmaker() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        # One line per probe: a balancer probes every few seconds through an outage.
        log.warning("readiness: database unreachable: %s", describe_error(exc))
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
