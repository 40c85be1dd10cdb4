"""Twilio's side of the wire: signed, form-encoded POSTs, each one kept as an exchange."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from twilio.request_validator import RequestValidator

from hotline.simulator.clock import SimulatedClock

REQUEST_TIMEOUT = 15  # seconds: about how long Twilio waits for a webhook


class WebhookFailed(RuntimeError):
    """The server did not answer a webhook with a 2xx (or could not be reached)."""


class Transport(Protocol):
    def post(self, url: str, *, data: Any, headers: Any, timeout: float) -> requests.Response: ...


@dataclass(frozen=True)
class Exchange:
    """One webhook request as sent, and the server's answer."""

    at: int  # simulated seconds since the call began
    url: str
    params: dict[str, str]
    signature: str
    status: int
    body: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "url": self.url,
            "params": self.params,
            "status": self.status,
            "body": self.body,
        }


def new_sid(prefix: str) -> str:
    """A fresh Twilio-style identifier: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


class TwilioPeer:
    """Posts webhooks the way Twilio does and records every exchange."""

    def __init__(
        self, token: str, clock: SimulatedClock, transport: Transport | None = None
    ) -> None:
        self.validator = RequestValidator(token)
        self.clock = clock
        self.own_session: requests.Session | None = None
        if transport is None:
            transport = self.own_session = requests.Session()
        self.transport = transport
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        """Close the HTTP connections we opened (a given transport is the caller's to close)."""
        if self.own_session is not None:
            self.own_session.close()

    def post(self, url: str, params: dict[str, str]) -> str:
        """POST `params` to `url`, signed over the URL exactly as requested; return the body."""
        signature = self.validator.compute_signature(url, params)
        try:
            response = self.transport.post(
                url,
                data=params,
                headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise WebhookFailed(f"cannot reach {url}: {exc}") from exc
        # TwiML is UTF-8 whatever charset the server declares (or omits).
        body = response.content.decode("utf-8", errors="replace")
        exchange = Exchange(
            self.clock.elapsed, url, dict(params), signature, response.status_code, body
        )
        self.exchanges.append(exchange)
        if not 200 <= response.status_code < 300:
            raise WebhookFailed(f"{url} answered HTTP {response.status_code}")
        return body
