"""Hotline: an on-call phone hotline router."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline import db
from hotline.config import DEFAULTS
from hotline.urls import IdConverter


def load_settings(app: Flask, config_file: str) -> None:
    """Read the instance folder's `config_file`, then the environment, which wins over it."""
    app.config.from_pyfile(config_file, silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("HOTLINE")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the Flask application."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        load_settings(app, "config.py")
    else:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'hotline.sqlite3'}"

    # Before anything logs, so that every line comes out in the configured format.
    from hotline.ops import logs

    logs.configure(app)

    db.init_app(app)

    from hotline import alerts, api, cli, i18n, ops, planning, stats
    from hotline.auth import web
    from hotline.voice import bp as voice_bp

    app.register_blueprint(voice_bp)
    i18n.init_app(app)
    web.init_app(app)  # sign-in, CSRF, error pages, layout; registers the auth blueprint
    alerts.init_app(app)  # alert settings, notification log, SMS webhook
    planning.init_app(app)  # planning pages: calendar, people, rotations, overrides
    stats.init_app(app)  # statistics pages: dashboard, calls, timeline, CSV, on-call report
    api.init_app(app)  # /api/v1: the planning as JSON, with bearer tokens
    ops.init_app(app)  # /healthz, /readyz, /metrics
    cli.init_app(app)
    _wrap_wsgi(app)
    # Every model is imported by now: set the mappers up at start rather than
    # in the first request each worker serves.
    configure_mappers()
    return app


def _wrap_wsgi(app: Flask) -> None:
    """The usual incoming call answered before Flask; the proxy's headers read before both."""
    from hotline.voice.fast_incoming import IncomingFastPath

    app.wsgi_app = IncomingFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def log_start_up_problems(app: Flask) -> None:
    """Log what the settings lack, when a server starts (not on every CLI command)."""
    from hotline.alerts import config_check
    from hotline.auth import sessions, web
    from hotline.stats import charting

    config_check.log_problems(config_check.problems(app.config), "start-up")
    if problem := web.secret_key_problem(app.config):
        logging.getLogger("hotline.auth").error("web (start-up): %s", problem)
    for problem in sessions.settings_problems(app.config):
        logging.getLogger("hotline.auth").warning("web sessions (start-up): %s", problem)
    charting.log_charts_problem()  # reads the charting library now, not on a first request
