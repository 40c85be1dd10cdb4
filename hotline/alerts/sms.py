"""SMS and confirmation calls through Twilio's REST API (twilio's Client)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from hotline.alerts.errors import ChannelNotConfigured, Reason, SendError

# Twilio answers in well under a second; a worker must not hang on a dead network.
REST_TIMEOUT_SECONDS = 10
# Twilio's refusal of an SMS to a number it knows cannot take one (a landline, mostly).
# The SMS is still attempted: phonenumbers cannot always tell a landline (see
# hotline.phone.is_fixed_line), Twilio's carrier lookup can.
NOT_A_MOBILE_CODE = 21614


class RedirectedHttpClient(TwilioHttpClient):
    """Send Twilio's REST requests to another base URL (a Twilio-compatible stand-in)."""

    def __init__(self, base_url: str, timeout: float = REST_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url)
        self.scheme, self.netloc = parts.scheme, parts.netloc

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit((self.scheme, self.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def client(config: Mapping[str, Any]) -> Client:
    """A Twilio REST client from the configuration; raise ChannelNotConfigured without one."""
    sid, token = config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]
    if not sid or not token:
        raise ChannelNotConfigured(
            f"{Reason.SMS_NOT_CONFIGURED}: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set"
        )
    base = config.get("TWILIO_API_BASE_URL") or ""
    http = RedirectedHttpClient(base) if base else TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS)
    return Client(sid, token, http_client=http)


def send_sms(config: Mapping[str, Any], *, to: str, from_: str, body: str) -> str:
    """Send one SMS; return Twilio's message SID or raise SendError."""
    if not from_:
        raise ChannelNotConfigured(
            f"{Reason.SMS_NOT_CONFIGURED}: set ALERT_SMS_FROM (a Twilio number)"
        )
    try:
        message = client(config).messages.create(to=to, from_=from_, body=body)
    except TwilioRestException as exc:
        if exc.code == NOT_A_MOBILE_CODE:
            raise SendError(f"{Reason.NOT_A_MOBILE}: {_rest_error(exc)}", permanent=True) from exc
        raise _rest_error(exc) from exc
    except requests.RequestException as exc:
        raise SendError(f"{Reason.TWILIO_UNREACHABLE}: {exc}") from exc
    return str(message.sid)


def place_call(config: Mapping[str, Any], *, to: str, from_: str, url: str) -> str:
    """Place a call whose TwiML comes from `url`; return the call SID or raise SendError."""
    if not from_:
        raise ChannelNotConfigured(
            f"{Reason.CALLS_NOT_CONFIGURED}: set ALERT_SMS_FROM (a Twilio number)"
        )
    try:
        call = client(config).calls.create(to=to, from_=from_, url=url, timeout=30)
    except TwilioRestException as exc:
        raise _rest_error(exc) from exc
    except requests.RequestException as exc:
        raise SendError(f"{Reason.TWILIO_UNREACHABLE}: {exc}") from exc
    return str(call.sid)


def _rest_error(exc: TwilioRestException) -> SendError:
    # 4xx are our fault (wrong number, bad credentials): retrying repeats them.
    # 429 and 5xx are Twilio's passing trouble.
    transient = exc.status == 429 or exc.status >= 500
    detail = f"{Reason.TWILIO_ANSWERED} {exc.status}"
    if exc.code:
        detail += f" (error {exc.code})"
    if exc.msg:
        detail += f": {exc.msg}"
    return SendError(detail, permanent=not transient)
