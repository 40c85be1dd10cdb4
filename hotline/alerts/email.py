"""E-mail through SMTP: host, port, STARTTLS or implicit TLS, credentials from config."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from hotline.alerts.errors import ChannelNotConfigured, Reason, SendError

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
        raise ChannelNotConfigured(f"{Reason.EMAIL_NOT_CONFIGURED}: SMTP_HOST is empty")
    if not config["MAIL_FROM"]:
        raise ChannelNotConfigured(f"{Reason.EMAIL_NOT_CONFIGURED}: MAIL_FROM is empty")
    message = build_message(config, to=to, subject=subject, body=body)
    try:
        with _connect(config) as smtp:
            _login(smtp, config)
            smtp.send_message(message)
            code, answer = smtp.noop()
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{Reason.SMTP_LOGIN_REFUSED}: {_reply(exc)}", permanent=True) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        detail = f"{code} {reply!r}"
        raise SendError(f"{Reason.RECIPIENT_REFUSED}: {detail}", permanent=code >= 500) from exc
    except smtplib.SMTPResponseException as exc:
        permanent = exc.smtp_code >= 500
        raise SendError(f"{Reason.SMTP_ERROR}: {_reply(exc)}", permanent=permanent) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{Reason.SMTP_UNFIT}: {exc}", permanent=True) from exc
    except socket.gaierror as exc:
        host = config["SMTP_HOST"]
        raise SendError(f"{Reason.UNKNOWN_SMTP_HOST} {host!r}: {exc.strerror}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        host = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
        raise SendError(f"{Reason.SMTP_UNREACHABLE}: {host}: {exc}") from exc
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
