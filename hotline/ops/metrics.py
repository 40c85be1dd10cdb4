"""Prometheus metrics at /metrics.

Counts of calls, ring legs and notifications are read from the database at
scrape time, so every node reports the same shared truth and a restart loses
nothing. Webhook latency is measured in each process; under gunicorn, set
PROMETHEUS_MULTIPROC_DIR (see deploy/gunicorn.conf.py) so all workers add up.
"""

from __future__ import annotations

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

from hotline.auth import public
from hotline.db import database
from hotline.ops import bp

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
        WEBHOOK_SECONDS.labels(request.endpoint or "unknown").observe(time.perf_counter() - started)
    return response


class RecordsCollector(Collector):
    """Totals from the shared database: calls by outcome, legs by result, sends, queue."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
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
                "Alert notifications, by channel and status.",
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
    if token and request.headers.get("Authorization") != f"Bearer {token}":
        return Response("metrics token required\n", status=401, mimetype="text/plain")
    registry = CollectorRegistry()
    if multiprocess_dir_is_set():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(WEBHOOK_SECONDS)
    registry.register(RecordsCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def multiprocess_dir_is_set() -> bool:
    # prometheus_client's own switch: with it, each worker writes its samples to
    # files there and a scrape adds them up.
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
