"""Operations: health and readiness probes, Prometheus metrics, structured logs, doctor.

The logs are configured by create_app itself, first, before anything logs.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    from hotline.ops import health, metrics  # noqa: F401 - registers the routes on bp

    metrics.init_app(app)
    app.register_blueprint(bp)
