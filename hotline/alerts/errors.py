"""Errors of the alert channels, each carrying a message fit for the notification log."""

from __future__ import annotations


class SendError(Exception):
    """A message could not be handed over; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelNotConfigured(SendError):
    """The channel lacks settings (no SMTP host, no Twilio credentials...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
