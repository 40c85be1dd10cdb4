"""The task queue (huey): SQLite in the instance folder by default, Redis when configured.

The consumer's scheduler also relays the outbox every second, so a webhook's
event is picked up within a second without the webhook touching the queue.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer, Scheduler

from hotline.alerts import tasks
from hotline.stats.rollup_build import rollup_closed_days

log = logging.getLogger("hotline.alerts")
EXTENSION = "hotline.alerts.queue"
QUEUE_NAME = "hotline-alerts"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class QueueConfigError(ValueError):
    """QUEUE_URL names no backend we know."""


@dataclass
class AlertQueue:
    """The app's huey instance and its registered tasks."""

    huey: Huey
    deliver_event: TaskWrapper
    send_notification: TaskWrapper
    watch: TaskWrapper
    app: Flask

    def relay(self) -> int:
        """Hand new outbox events to the queue (the scheduler calls this every second)."""
        return tasks.relay_outbox(self.app, self.deliver_event)


def make_huey(app: Flask) -> Huey:
    """The queue backend named by QUEUE_URL (or REDIS_URL); SQLite file by default."""
    url = str(app.config["QUEUE_URL"] or app.config.get("REDIS_URL") or "")
    name = str(app.config["QUEUE_NAME"])
    options: dict[str, Any] = {"results": False, "immediate": bool(app.config["QUEUE_IMMEDIATE"])}
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey(name, url=url, **options)
    if url == "memory://":
        return MemoryHuey(name, **options)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), **options)
    if url:
        raise QueueConfigError(
            f"QUEUE_URL {url!r} is not understood: use redis://host:6379/0, "
            "sqlite:///path/queue.sqlite3 or leave it empty for the instance folder"
        )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(Path(app.instance_path) / "queue.sqlite3"), **options)


def init_queue(app: Flask) -> AlertQueue:
    """Create the queue and register the alert tasks on it (one per app)."""
    huey = make_huey(app)
    retries = 10**6  # the task decides when to stop (RetryTask); huey just requeues
    send = huey.task(retries=retries, name="alerts.send_notification")(
        # `send` itself queues what waited for the notification it sent.
        lambda notification_id: tasks.send_notification(app, notification_id, send)
    )
    deliver = huey.task(retries=3, retry_delay=10, name="alerts.deliver_event")(
        lambda event_id: tasks.deliver_event(app, event_id, send)
    )
    watch = huey.periodic_task(crontab(minute="*"), name="alerts.watch")(
        lambda: tasks.watch(app, send)
    )
    # Not an alert, but the worker is the app's one scheduler: the statistics'
    # rollups of the day that just closed (and of days a late change touched).
    huey.periodic_task(crontab(minute="7"), name="stats.rollup")(lambda: rollup_closed_days(app))
    queue = AlertQueue(huey, deliver, send, watch, app)
    app.extensions[EXTENSION] = queue
    return queue


def alert_queue(app: Flask) -> AlertQueue:
    """The app's queue, created on first use (web requests never need it)."""
    queue = app.extensions.get(EXTENSION)
    return queue if queue is not None else init_queue(app)


class OutboxScheduler(Scheduler):
    """Huey's scheduler, which also relays the outbox on each of its ticks."""

    relay: Any = None

    def loop(self, now: Any = None) -> None:
        try:
            self.relay()
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the scheduler
            log.exception("relaying alert events failed; retrying next second")
        super().loop(now)


class AlertConsumer(Consumer):
    """A huey consumer whose scheduler relays the outbox."""

    scheduler_class = OutboxScheduler

    def __init__(self, queue: AlertQueue, **options: Any) -> None:
        self._queue = queue
        super().__init__(queue.huey, **options)

    def _create_scheduler(self) -> Scheduler:
        scheduler = super()._create_scheduler()
        scheduler.relay = self._queue.relay  # type: ignore[attr-defined]
        return scheduler

    def _set_signal_handlers(self) -> None:
        # Signals can only be caught on the main thread; a consumer started in
        # a thread (the demo, tests) is stopped with stop() instead.
        if threading.current_thread() is threading.main_thread():
            super()._set_signal_handlers()


def start_consumer(app: Flask, workers: int = 2, install_signals: bool = False) -> AlertConsumer:
    """Start a worker in threads of this process (the demo); stop it with `.stop()`."""
    consumer = AlertConsumer(
        alert_queue(app), workers=workers, worker_type="thread", initial_delay=0.05, max_delay=1.0
    )
    if not install_signals:
        consumer._set_signal_handlers = lambda: None  # type: ignore[method-assign]
    consumer.start()
    return consumer
