"""Alerts by SMS and e-mail: missed calls, voicemails, shift reminders and takes, coverage gaps.

Webhooks record events (hotline.alerts.outbox); a huey worker sends them
(hotline.alerts.tasks, hotline.alerts.queue). See docs/alerts.md.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from hotline.alerts.config_check import DEFAULT_LISTEN_LINK_DAYS, DEFAULT_RECORDING_WAIT

# Pages (notification log, test alert), signed in.
bp = Blueprint("alerts", __name__, url_prefix="/alerts", template_folder="templates")
# Twilio's requests (inbound SMS, confirmation calls): signed, exempt from CSRF.
webhooks_bp = Blueprint("alert_webhooks", __name__)
# A voicemail played by the personal link of its alert, without signing in.
listen_bp = Blueprint("listen", __name__, url_prefix="/listen", template_folder="templates")

DEFAULTS: dict[str, Any] = {
    # Task queue: redis://host:6379/0 (or REDIS_URL), sqlite:///path; empty: a SQLite
    # file in the instance folder. QUEUE_IMMEDIATE runs tasks inline (debugging).
    "QUEUE_URL": "",
    "QUEUE_NAME": "hotline-alerts",
    "QUEUE_IMMEDIATE": False,
    # The Twilio number alerts come from; empty: the hotline's own number.
    "ALERT_SMS_FROM": "",
    # SMTP: SMTP_SECURITY is starttls, ssl (implicit TLS, port 465) or none.
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": "",
    # Failed sends: this many tries in all, the first retry after this many
    # seconds, each next one after twice as long.
    "ALERT_MAX_ATTEMPTS": 5,
    "ALERT_RETRY_DELAY": 30,
    # A missed-call alert whose caller left a message waits this many seconds at
    # most for Twilio's recording callback, which says whether the message was
    # kept; then it goes out as a missed call (a message kept later gets an update).
    "ALERT_RECORDING_WAIT": DEFAULT_RECORDING_WAIT,
    # Days a personal listen link (/listen/<token>) of a missed-call alert plays its
    # message without signing in; links are signed with SECRET_KEY.
    "LISTEN_LINK_DAYS": DEFAULT_LISTEN_LINK_DAYS,
    # Shift reminder this long before a shift; managers alerted when the
    # incoming agent has not confirmed this long after its start.
    "SHIFT_REMINDER_MINUTES": 30,
    "SHIFT_CONFIRM_MINUTES": 15,
    # Also place a call asking to press 1 (needs PUBLIC_BASE_URL).
    "SHIFT_CONFIRM_BY_CALL": False,
    # Daily coverage-gap digest to managers: local hour, days looked ahead.
    "COVERAGE_DIGEST_HOUR": 8,
    "COVERAGE_DAYS": 7,
}


def init_app(app: Flask) -> None:
    """Add the alert settings, pages and webhooks."""
    from hotline.alerts import views, views_listen, webhooks  # noqa: F401 - routes

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    exempt = list(app.config.get("CSRF_EXEMPT_BLUEPRINTS") or [])
    if webhooks_bp.name not in exempt:
        app.config["CSRF_EXEMPT_BLUEPRINTS"] = [*exempt, webhooks_bp.name]
    app.register_blueprint(bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(listen_bp)
    # What the settings lack is logged when a server starts
    # (hotline.log_start_up_problems), by the worker, `hotline alerts check` and
    # `hotline doctor`; not by every other command.
