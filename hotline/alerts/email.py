"""E-mail through SMTP: host, port, STARTTLS or implicit TLS, credentials from config."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from hotline.alerts.errors import ChannelNotConfigured, SendError

SECURITY_MODES = ("starttls", "ssl", "none")


def build_message(config: Mapping[str, Any], *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    # Tells auto-responders not to answer an alert.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send_email(config: Mapping[str, Any], *, to: str, subject: str, body: str) -> str:
    """Send one e-mail; return the server's final answer or raise SendError."""
    if not config["SMTP_HOST"]:
        raise ChannelNotConfigured("e-mail not configured: SMTP_HOST is empty")
    if not config["MAIL_FROM"]:
        raise ChannelNotConfigured("e-mail not configured: MAIL_FROM is empty")
    message = build_message(config, to=to, subject=subject, body=body)
    try:
        with _connect(config) as smtp:
            _login(smtp, config)
            smtp.send_message(message)
            code, answer = smtp.noop()
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"SMTP login refused: {_reply(exc)}", permanent=True) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        raise SendError(f"recipient refused: {code} {reply!r}", permanent=code >= 500) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"SMTP error: {_reply(exc)}", permanent=exc.smtp_code >= 500) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"SMTP server cannot do what is configured: {exc}", permanent=True) from exc
    except socket.gaierror as exc:
        raise SendError(f"unknown SMTP host {config['SMTP_HOST']!r}: {exc.strerror}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        host = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
        raise SendError(f"SMTP server {host} unreachable: {exc}") from exc
    return f"{code} {answer.decode(errors='replace')}"


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
    timeout = float(config["SMTP_TIMEOUT"])
    security = config["SMTP_SECURITY"]
    if security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _login(smtp: smtplib.SMTP, config: Mapping[str, Any]) -> None:
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])


def _reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {text}"


def check_security(mode: str) -> None:
    if mode not in SECURITY_MODES:
        raise ChannelNotConfigured(
            f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {mode!r}"
        )
