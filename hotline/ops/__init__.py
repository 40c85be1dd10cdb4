"""Operations: health and readiness probes, Prometheus metrics, structured logs, doctor."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    from hotline.ops import health, logs, metrics  # noqa: F401 - registers the routes on bp

    logs.configure(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
