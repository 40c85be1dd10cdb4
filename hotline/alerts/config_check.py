"""Check the alert settings: a clear message at start-up and on the test button, never a crash."""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("hotline.alerts")


def problems(config: Mapping[str, Any]) -> list[str]:
    """What is missing or inconsistent in the settings, without touching the network."""
    found = []
    if not config["TWILIO_ACCOUNT_SID"] or not config["TWILIO_AUTH_TOKEN"]:
        found.append("SMS disabled: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed")
    if not config["SMTP_HOST"]:
        found.append("e-mail disabled: SMTP_HOST is not set")
        return found
    if not config["MAIL_FROM"]:
        found.append("e-mail disabled: MAIL_FROM (the sender address) is not set")
    if bool(config["SMTP_USERNAME"]) != bool(config["SMTP_PASSWORD"]):
        missing = "SMTP_PASSWORD" if config["SMTP_USERNAME"] else "SMTP_USERNAME"
        found.append(f"e-mail credentials incomplete: {missing} is missing")
    if config["SMTP_SECURITY"] not in ("starttls", "ssl", "none"):
        found.append(
            f"SMTP_SECURITY must be starttls, ssl or none, not {config['SMTP_SECURITY']!r}"
        )
    if not str(config["SMTP_PORT"]).isdigit():
        found.append(f"SMTP_PORT must be a number, not {config['SMTP_PORT']!r}")
    return found


def probe(config: Mapping[str, Any]) -> list[str]:
    """`problems()` plus a name lookup of the SMTP host (a typo shows up here)."""
    found = problems(config)
    host = config["SMTP_HOST"]
    if host and str(config["SMTP_PORT"]).isdigit():
        try:
            socket.getaddrinfo(host, int(config["SMTP_PORT"]), type=socket.SOCK_STREAM)
        except OSError as exc:
            found.append(f"unknown SMTP host {host!r}: {exc.strerror or exc}")
    return found


def log_problems(found: list[str], where: str) -> None:
    for problem in found:
        log.warning("alerts (%s): %s", where, problem)
