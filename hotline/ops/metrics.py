"""Prometheus metrics at /metrics.

Counts of calls, ring legs and notifications are read from the database at
scrape time, so every node reports the same shared truth and a restart loses
nothing. Webhook latency is measured in each process; under gunicorn, set
PROMETHEUS_MULTIPROC_DIR (see deploy/gunicorn.conf.py) so all workers add up.
While the database is away the totals are left out, the latency histogram is
still served and `hotline_database_up` is 0.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.auth import public
from hotline.db import DatabaseUrlError, database, describe_error
from hotline.ops import bp

log = logging.getLogger("hotline.ops")

# Twilio's webhook timeout is about 15 s; the interesting range is milliseconds.
WEBHOOK_SECONDS = Histogram(
    "hotline_webhook_seconds",
    "Time to answer a Twilio webhook, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
)
TIMED_BLUEPRINTS = frozenset({"voice", "alert_webhooks"})


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)


def _start_timer() -> None:
    if request.blueprint in TIMED_BLUEPRINTS:
        g.webhook_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("webhook_started", None)
    if started is not None:
        observe_webhook(request.endpoint or "unknown", time.perf_counter() - started)
    return response


def observe_webhook(endpoint: str, seconds: float) -> None:
    """Count one webhook answered by `endpoint` in `seconds`."""
    WEBHOOK_SECONDS.labels(endpoint).observe(seconds)


class RecordsCollector(Collector):
    """Totals from the shared database: calls by outcome, legs by result, sends, queue."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "hotline_database_up", "1 when the database answered this scrape, 0 when not."
        )
        try:
            # Read everything before yielding anything: a failure halfway through
            # must not leave half the totals in the scrape.
            totals = list(self._totals())
        except (SQLAlchemyError, DatabaseUrlError) as exc:
            log.warning("metrics: database unreachable, totals left out: %s", describe_error(exc))
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        yield from totals

    def _totals(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        from hotline.alerts.models import AlertEvent, Notification
        from hotline.voice.models import Call, CallAttempt

        with database(self.app).sessionmaker() as session:
            yield _counter_by(
                "hotline_calls",
                "Calls received, by outcome.",
                "outcome",
                session.execute(select(Call.outcome, func.count()).group_by(Call.outcome)),
            )
            yield _counter_by(
                "hotline_ring_legs",
                "Ring legs, by result.",
                "result",
                session.execute(
                    select(CallAttempt.result, func.count()).group_by(CallAttempt.result)
                ),
            )
            yield _counter_by(
                "hotline_notifications",
                "Alert notifications, by status.",
                "status",
                session.execute(
                    select(Notification.status, func.count()).group_by(Notification.status)
                ),
            )
            pending = session.scalar(select(func.count()).where(AlertEvent.dispatched_at.is_(None)))
        depth = GaugeMetricFamily(
            "hotline_alert_queue_depth", "Alert events not yet turned into notifications."
        )
        depth.add_metric([], float(pending or 0))
        yield depth


def _counter_by(name: str, doc: str, label: str, rows: object) -> CounterMetricFamily:
    family = CounterMetricFamily(name, doc, labels=[label])
    for value, count in rows:  # type: ignore[attr-defined]
        family.add_metric([str(value)], float(count))
    return family


@bp.get("/metrics")
@public
def metrics() -> Response:
    """Prometheus text format; optional bearer token METRICS_TOKEN."""
    token = current_app.config.get("METRICS_TOKEN")
    if token and not _bearer_matches(str(token)):
        return Response("metrics token required\n", status=401, mimetype="text/plain")
    registry = CollectorRegistry()
    if multiprocess_dir_is_set():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(WEBHOOK_SECONDS)
    registry.register(RecordsCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _bearer_matches(token: str) -> bool:
    # Constant time, so the answer's timing tells nothing of the token; bytes, as
    # compare_digest refuses non-ASCII text and a header may hold anything.
    sent = request.headers.get("Authorization", "").encode()
    return hmac.compare_digest(sent, f"Bearer {token}".encode())


def multiprocess_dir_is_set() -> bool:
    # prometheus_client's own switch: with it, each worker writes its samples to
    # files there and a scrape adds them up.
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
