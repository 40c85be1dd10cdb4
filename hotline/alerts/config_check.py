"""Check the alert settings: a clear message at start-up and on the test button, never a crash."""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

log = logging.getLogger("hotline.alerts")
# What a missed-call alert waits for a recording when ALERT_RECORDING_WAIT is unusable.
DEFAULT_RECORDING_WAIT = 120
# How long a personal listen link plays its message when LISTEN_LINK_DAYS is unusable.
DEFAULT_LISTEN_LINK_DAYS = 7
MAX_LISTEN_LINK_DAYS = 366  # a link is a credential: a year at most


def recording_wait_seconds(config: Mapping[str, Any]) -> float | None:
    """ALERT_RECORDING_WAIT as seconds; None when it is not a number of seconds."""
    value = config.get("ALERT_RECORDING_WAIT", DEFAULT_RECORDING_WAIT)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds < float("inf") else None


def listen_link_days(config: Mapping[str, Any]) -> float | None:
    """LISTEN_LINK_DAYS as a number of days; None when it is not a positive number."""
    try:
        days = float(config.get("LISTEN_LINK_DAYS", DEFAULT_LISTEN_LINK_DAYS))
    except (TypeError, ValueError):
        return None
    return days if 0 < days <= MAX_LISTEN_LINK_DAYS else None


def problems(config: Mapping[str, Any]) -> list[Any]:
    """What is missing or inconsistent in the settings, without touching the network.

    Lazy strings: in a request (the test button) they read in the page's language; in
    logs and the CLI, in English.
    """
    found = []
    if recording_wait_seconds(config) is None:
        found.append(
            _l(
                "ALERT_RECORDING_WAIT must be a number of seconds, not %(value)r: "
                "missed-call alerts wait %(default)s s for a recording",
                value=config.get("ALERT_RECORDING_WAIT"),
                default=DEFAULT_RECORDING_WAIT,
            )
        )
    if listen_link_days(config) is None:
        found.append(
            _l(
                "LISTEN_LINK_DAYS must be a number of days between 0 and %(most)s, not"
                " %(value)r: listen links play for %(default)s days",
                most=MAX_LISTEN_LINK_DAYS,
                value=config.get("LISTEN_LINK_DAYS"),
                default=DEFAULT_LISTEN_LINK_DAYS,
            )
        )
    if not config["TWILIO_ACCOUNT_SID"] or not config["TWILIO_AUTH_TOKEN"]:
        found.append(_l("SMS disabled: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed"))
    if not config["SMTP_HOST"]:
        found.append(_l("e-mail disabled: SMTP_HOST is not set"))
        return found
    if not config["MAIL_FROM"]:
        found.append(_l("e-mail disabled: MAIL_FROM (the sender address) is not set"))
    if bool(config["SMTP_USERNAME"]) != bool(config["SMTP_PASSWORD"]):
        missing = "SMTP_PASSWORD" if config["SMTP_USERNAME"] else "SMTP_USERNAME"
        found.append(_l("e-mail credentials incomplete: %(setting)s is missing", setting=missing))
    if config["SMTP_SECURITY"] not in ("starttls", "ssl", "none"):
        found.append(
            _l(
                "SMTP_SECURITY must be starttls, ssl or none, not %(value)r",
                value=config["SMTP_SECURITY"],
            )
        )
    if not str(config["SMTP_PORT"]).isdigit():
        found.append(_l("SMTP_PORT must be a number, not %(value)r", value=config["SMTP_PORT"]))
    return found


def probe(config: Mapping[str, Any]) -> list[Any]:
    """`problems()` plus a name lookup of the SMTP host (a typo shows up here)."""
    found = problems(config)
    host = config["SMTP_HOST"]
    if host and str(config["SMTP_PORT"]).isdigit():
        try:
            socket.getaddrinfo(host, int(config["SMTP_PORT"]), type=socket.SOCK_STREAM)
        except OSError as exc:
            error = exc.strerror or str(exc)
            found.append(_l("unknown SMTP host %(host)r: %(error)s", host=host, error=error))
    return found


def log_problems(found: list[Any], where: str) -> None:
    for problem in found:
        log.warning("alerts (%s): %s", where, problem)
