"""The worker's jobs: relay the outbox, dispatch events, send notifications, watch shifts.

Each job opens its own transactions on the app's database; none runs inside a
web request. hotline.alerts.queue registers them on the task queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from huey.exceptions import RetryTask
from sqlalchemy import select, update

from hotline.alerts import config_check, coverage, dispatch, listen, outbox, sending, shifts
from hotline.alerts.errors import ChannelNotConfigured, SendError
from hotline.alerts.models import AlertEvent
from hotline.db import database, utcnow

log = logging.getLogger("hotline.alerts")

RELAY_BATCH = 100
# An event handed to the queue but not dispatched after this long lost its task.
REQUEUE_AFTER = timedelta(minutes=5)
# "A call is coming in" is only worth sending for calls this recent.
RECEIVED_CALL_WINDOW = timedelta(minutes=2)

Enqueue = Callable[[int], object]


def dispatch_settings(app: Flask) -> dispatch.Settings:
    config = app.config
    return dispatch.Settings(
        reminder_minutes=int(config["SHIFT_REMINDER_MINUTES"]),
        confirm_minutes=int(config["SHIFT_CONFIRM_MINUTES"]),
        take_by_call=bool(config["SHIFT_CONFIRM_BY_CALL"]),
        call_page_url=lambda call_id: call_page_url(app, call_id),
        listen_url=lambda call_id, recipient_key: listen_url(app, call_id, recipient_key),
    )


def public_url(app: Flask, endpoint: str, values: dict[str, Any]) -> str | None:
    """An app URL as recipients open it; None when the app knows no public address."""
    base = app.config["PUBLIC_BASE_URL"]
    if not base:
        return None
    # Built from the route itself (no request here to build it from).
    path = app.url_map.bind("localhost").build(endpoint, values)
    return f"{base.rstrip('/')}{path}"


def call_page_url(app: Flask, call_id: int) -> str | None:
    """The call's page, for those who sign in to the app."""
    return public_url(app, "stats.call", {"call_id": call_id})


def listen_url(app: Flask, call_id: int, recipient_key: str) -> str | None:
    """A recipient's own link to the call's message; None without a public address or key."""
    if not listen.can_sign(app.config):
        return None
    token = listen.listen_token(app.config, call_id, recipient_key)
    return public_url(app, "listen.page", {"token": token})


def recording_wait_seconds(config: Mapping[str, Any]) -> float:
    """How long a missed-call alert waits for Twilio's recording callback at most."""
    # A bad setting must not hold back every alert: config_check reports it.
    seconds = config_check.recording_wait_seconds(config)
    return config_check.DEFAULT_RECORDING_WAIT if seconds is None else seconds


def retry_policy(app: Flask) -> sending.RetryPolicy:
    return sending.RetryPolicy(
        max_attempts=int(app.config["ALERT_MAX_ATTEMPTS"]),
        first_delay=float(app.config["ALERT_RETRY_DELAY"]),
    )


def relay_outbox(app: Flask, enqueue_event: Enqueue) -> int:
    """Hand new events to the queue; return how many were handed over.

    A missed-call alert whose message Twilio has reported but not yet settled
    stays in the outbox until it does, or ALERT_RECORDING_WAIT seconds: its
    wording is decided when it is dispatched.
    """
    now = utcnow()
    with database(app).session_scope() as session:
        outbox.record_received_calls(session, now - RECEIVED_CALL_WINDOW)
    recording_wait = timedelta(seconds=recording_wait_seconds(app.config))
    with database(app).session_scope() as session:
        ids = list(
            session.scalars(
                select(AlertEvent.id)
                .where(AlertEvent.queued_at.is_(None), outbox.ready_to_relay(now, recording_wait))
                .order_by(AlertEvent.id)
                .limit(RELAY_BATCH)
            )
        )
        if not ids:
            return 0
        # Another relay (a second worker node) may have taken some meanwhile.
        claimed = session.scalars(
            update(AlertEvent)
            .where(AlertEvent.id.in_(ids), AlertEvent.queued_at.is_(None))
            .values(queued_at=now)
            .returning(AlertEvent.id)
        ).all()
    for handed, event_id in enumerate(claimed):
        try:
            enqueue_event(event_id)
        except Exception:
            # The queue is away (Redis down): give the rest back to the next
            # relay pass, a second later, rather than to the requeue sweep.
            _unclaim(app, claimed[handed:])
            raise
    return len(claimed)


def _unclaim(app: Flask, event_ids: list[int]) -> None:
    with database(app).session_scope() as session:
        session.execute(
            update(AlertEvent).where(AlertEvent.id.in_(event_ids)).values(queued_at=None)
        )


def deliver_event(app: Flask, event_id: int, enqueue_send: Enqueue) -> None:
    """Create the event's notifications, then queue each for sending."""
    with database(app).session_scope() as session:
        ids = dispatch.dispatch_event(session, event_id, app.jinja_env, dispatch_settings(app))
    for notification_id in ids:
        enqueue_send(notification_id)


def take_call_url(app: Flask, take_id: int) -> str:
    base = app.config["PUBLIC_BASE_URL"]
    if not base:
        raise SendError("confirmation calls need PUBLIC_BASE_URL", permanent=True)
    return f"{base.rstrip('/')}/alerts/take-call?take={take_id}"


def send_notification(app: Flask, notification_id: int, enqueue_send: Enqueue) -> None:
    """Send one notification; raise RetryTask (with the backoff delay) while tries remain.

    Once it is sent or given up, the notifications held back behind it are queued.
    """
    db, policy = database(app), retry_policy(app)
    with db.session_scope() as session:
        if sending.held_back(session, notification_id):
            return  # queued again when the one it follows is done (or by the sweep)
        outgoing = sending.claim(session, notification_id, utcnow(), app.config["ALERT_SMS_FROM"])
    if outgoing is None:
        return  # sent, failed or being sent elsewhere: never twice
    try:
        reference = sending.deliver(
            app.config, outgoing, lambda take_id: take_call_url(app, take_id)
        )
    except ChannelNotConfigured as exc:
        # Nobody set the channel up (the demo, a site without SMS): nothing failed.
        with db.session_scope() as session:
            sending.record_not_configured(session, notification_id, exc)
        log.warning("notification %s not sent by %s: %s", notification_id, outgoing.channel, exc)
        release_followers(app, notification_id, enqueue_send)
        return
    except SendError as exc:
        with db.session_scope() as session:
            delay = sending.record_failure(session, notification_id, exc, policy)
        if delay is None:
            log.error("notification %s failed for good: %s", notification_id, exc)
            release_followers(app, notification_id, enqueue_send)
            return
        log.warning("notification %s failed, retry in %ss: %s", notification_id, delay, exc)
        raise RetryTask(str(exc), delay=delay) from exc
    with db.session_scope() as session:
        sending.record_sent(session, notification_id, reference, utcnow())
    log.info(
        "notification %s sent by %s to %s", notification_id, outgoing.channel, outgoing.address
    )
    release_followers(app, notification_id, enqueue_send)


def release_followers(app: Flask, notification_id: int, enqueue_send: Enqueue) -> None:
    """Queue the notifications that waited for this one (an update after its alert)."""
    with database(app).session_scope() as session:
        waiting = sending.followers(session, notification_id)
    for follower_id in waiting:
        enqueue_send(follower_id)


def watch(app: Flask, enqueue_send: Enqueue) -> None:
    """Every minute: shift reminders and takes, daily gap digests, lost work re-queued."""
    now, config = utcnow(), app.config
    db = database(app)
    with db.session_scope() as session:
        policy = shifts.ShiftPolicy(
            reminder_minutes=int(config["SHIFT_REMINDER_MINUTES"]),
            confirm_minutes=int(config["SHIFT_CONFIRM_MINUTES"]),
        )
        shifts.watch_shifts(session, now, policy)
    with db.session_scope() as session:
        coverage.record_digests(
            session, now, int(config["COVERAGE_DIGEST_HOUR"]), int(config["COVERAGE_DAYS"])
        )
    with db.session_scope() as session:
        session.execute(
            update(AlertEvent)
            .where(
                AlertEvent.dispatched_at.is_(None),
                AlertEvent.queued_at < now - REQUEUE_AFTER,
            )
            .values(queued_at=None)
        )
        sending.abandon_stuck(session, now)
        lost = sending.stale(session, now, retry_policy(app))
    for notification_id in lost:
        enqueue_send(notification_id)
