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

# What /readyz says of a node without SECRET_KEY: calls are routed, the web is not.
KEYLESS_READINESS = (
    "missing: web pages, sign-in and listen links answer 503 until HOTLINE_SECRET_KEY is set; "
    "calls are routed"
)


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """The process is alive: no database, no queue, nothing that can hang."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz() -> ResponseReturnValue:
    """The node can route calls: 200, or 503 when the database is down; the rest is reported.

    Only the database decides: calls need it. Alerts do not reach Redis from a webhook
    (they wait in the database's outbox), and Twilio's webhooks need no SECRET_KEY, so a
    node whose queue is down or whose key is missing still routes every call and must
    stay in the balancer; it answers 200 with status "degraded", naming what is wrong.
    """
    database_ok, database_detail = _database_ready()
    queue_ok, queue_detail = _queue_ready()
    key_ok, key_detail = _secret_key_ready()
    checks = {
        "database": "ok" if database_ok else database_detail,
        "queue": "ok" if queue_ok else queue_detail,
        "secret_key": "ok" if key_ok else key_detail,
    }
    if not database_ok:
        return jsonify(status="unavailable", checks=checks), 503
    return jsonify(status="ok" if queue_ok and key_ok else "degraded", checks=checks), 200


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


def _secret_key_ready() -> tuple[bool, str]:
    # Not logged per probe: the start-up log and `hotline doctor` already say it as an error.
    if current_app.config.get("SECRET_KEY"):
        return True, ""
    return False, KEYLESS_READINESS
