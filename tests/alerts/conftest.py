"""Alerts under test: Twilio REST and SMTP stand-ins on 127.0.0.1, a queue driven in-process."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from hotline import create_app
from hotline.alerts import listen, tasks
from hotline.alerts.models import AlertEvent, Notification
from hotline.alerts.queue import alert_queue
from hotline.auth.models import MANAGER, User
from hotline.db import database, utcnow
from hotline.models import Hotline, Person
from tests.alerts.fakes import FakeTwilioRest, SmtpServer
from tests.conftest import app_config
from tests.voice.conftest import CallDriver

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """The embedded queue by default; tests parametrized with "redis" also run on Redis."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.sqlite3'}"
        return
    if not redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    yield REDIS_URL


def alert_settings(
    fake_twilio: FakeTwilioRest, smtp_server: SmtpServer, **overrides: Any
) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "TWILIO_API_BASE_URL": fake_twilio.url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 3,
        "MAIL_FROM": "astreinte@hotline.example.org",
        "ALERT_MAX_ATTEMPTS": 3,
        "ALERT_RETRY_DELAY": 30,
        "PUBLIC_BASE_URL": "http://localhost",
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def alert_overrides() -> dict[str, Any]:
    """Settings a test module changes (override this fixture)."""
    return {}


@pytest.fixture
def app(
    database_url: str,
    connection: Connection,
    fake_twilio: FakeTwilioRest,
    smtp_server: SmtpServer,
    queue_url: str,
    alert_overrides: dict[str, Any],
) -> Iterator[Flask]:
    settings = alert_settings(fake_twilio, smtp_server, **alert_overrides)
    # One queue name per test: Redis keeps queues between tests.
    settings.update(QUEUE_URL=queue_url, QUEUE_NAME=f"test-{uuid.uuid4().hex[:12]}")
    app = create_app(app_config(database_url, **settings))
    database(app).engine.dispose()
    database(app).bind_to(connection)
    yield app
    queue = app.extensions.get("hotline.alerts.queue")
    if queue is not None:
        queue.huey.flush()


@dataclass
class QueueDriver:
    """Runs the worker's loop in the test's thread: relay, dequeue, execute, until idle."""

    app: Flask
    retry_delays: list[float] = field(default_factory=list)

    def run(self, fast_forward: bool = False) -> int:
        """Run queued tasks until none is left; with fast_forward, scheduled retries too."""
        queue = alert_queue(self.app)
        huey = queue.huey
        executed = 0
        for _ in range(1000):
            queue.relay()
            task = huey.dequeue()
            if task is not None:
                huey.execute(task, task.eta if fast_forward and task.eta else None)
                executed += 1
                continue
            due = huey.read_schedule(datetime(2999, 1, 1) if fast_forward else None)
            if not due:
                return executed
            for scheduled in due:
                now = huey._get_timestamp()
                if scheduled.eta is not None:
                    self.retry_delays.append((scheduled.eta - now).total_seconds())
                huey.enqueue(scheduled)
        raise AssertionError("the queue never went idle")

    def tick(self) -> int:
        """What the scheduler does each minute (the periodic job), then run the queue."""
        queue = alert_queue(self.app)
        tasks.watch(self.app, queue.send_notification)
        return self.run()


@pytest.fixture
def worker(app: Flask) -> QueueDriver:
    return QueueDriver(app)


@pytest.fixture
def make_manager(make_user: Callable[..., User]) -> Callable[..., User]:
    """make_manager(hotline, person=None) -> a manager of `hotline`, linked to `person`."""

    def make(hotline: Hotline, person: Person | None = None, **fields: Any) -> User:
        if person is not None:
            fields.setdefault("name", person.name)
        return make_user(MANAGER, hotlines=(hotline,), person=person, **fields)

    return make


def logged_notification(
    event: AlertEvent, person: Person, channel: str, address: str, **fields: Any
) -> Notification:
    """A notification of `event` to `person` as the log shows it (status, error...)."""
    return Notification(
        event_id=event.id,
        recipient=f"person:{person.id}",
        recipient_name=person.name,
        person_id=person.id,
        channel=channel,
        address=address,
        language=fields.pop("language", "fr"),
        body=fields.pop("body", "..."),
        **fields,
    )


def notifications(session: Session) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def events(session: Session) -> list[AlertEvent]:
    session.expire_all()
    return list(session.scalars(select(AlertEvent).order_by(AlertEvent.id)))


def at(text: str) -> datetime:
    """An aware instant from ISO text with offset ("2026-03-29T07:30+02:00")."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


MINUTE = timedelta(minutes=1)
LISTEN_PREFIX = "http://localhost/listen/"  # PUBLIC_BASE_URL's


def listen_link_in(text: str) -> str:
    """The one listen link in `text` (an SMS ends with it, an e-mail has it on its own)."""
    [link] = re.findall(re.escape(LISTEN_PREFIX) + r"[\w.-]+", text)
    return link


def named_by(app: Flask, link: str) -> tuple[int, str]:
    """The call id and the recipient ("person:3", "user:5") a listen link names, as the app
    reads its token."""
    assert link.startswith(LISTEN_PREFIX)
    call_id, recipient, _expires = listen.read_token(app.config, link.removeprefix(LISTEN_PREFIX))
    return call_id, recipient


@pytest.fixture
def team(make_hotline, make_person, make_slot, make_manager):
    hotline = make_hotline(name="Astreinte IT")
    people = [
        make_person("Alice", email="alice@example.org", language="fr"),
        make_person("Bruno", email="bruno@example.org", language="fr"),
        make_person("Chloé", email="chloe@example.org", language="en"),
    ]
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=2), now + timedelta(hours=2), people)
    maud = make_person("Maud", email="maud@example.org", language="fr")
    make_manager(hotline, person=maud)
    return hotline, people, maud


def miss_the_call(driver: CallDriver) -> list[str]:
    """Nobody of three picks up, the caller leaves a 12-second message, hangs up."""
    answers = [driver.incoming()]
    for position in range(3):
        answers.append(driver.dial_result(position, "no-answer", bridged=False))
    answers.append(driver.voicemail_done(12))
    answers.append(driver.recording(12))
    answers.append(driver.status("completed", 70))
    return answers
