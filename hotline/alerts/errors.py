"""Errors of the alert channels, each carrying a message fit for the notification log."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a notification went unsent: the stable English start of its stored error
    ("reason" or "reason: detail"), which the log page shows translated."""

    NO_EMAIL_ADDRESS = "no e-mail address"
    NO_MOBILE_NUMBER = "no mobile number"
    EMAIL_NOT_CONFIGURED = "e-mail not configured"
    SMS_NOT_CONFIGURED = "SMS not configured"
    CALLS_NOT_CONFIGURED = "calls not configured"
    TWILIO_UNREACHABLE = "Twilio unreachable"
    TWILIO_ANSWERED = "Twilio answered"
    NOT_A_MOBILE = "not a mobile number"
    UNKNOWN_SMTP_HOST = "unknown SMTP host"
    SMTP_UNREACHABLE = "SMTP server unreachable"
    SMTP_UNFIT = "SMTP server cannot do what is configured"
    SMTP_LOGIN_REFUSED = "SMTP login refused"
    RECIPIENT_REFUSED = "recipient refused"
    SMTP_ERROR = "SMTP error"
    WORKER_STOPPED = "the worker stopped while sending"


def split_reason(error: str) -> tuple[Reason | None, str]:
    """A stored error as its known reason (None if it has none) and the rest, its detail."""
    for reason in Reason:
        if error.startswith(reason):
            return reason, error[len(reason) :].lstrip(": ")
    return None, error


class SendError(Exception):
    """A message could not be handed over; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelNotConfigured(SendError):
    """The channel lacks settings (no SMTP host, no Twilio credentials...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
