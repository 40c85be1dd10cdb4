"""A load balancer in front of several app nodes, as a transport for `simulate_call`.

Twilio only knows the public URL; a balancer (nginx, an ALB) hands each request
to one of the nodes behind it and tells the node, with X-Forwarded-Proto and
X-Forwarded-Host, which URL the client asked for, so that the node (run with
PROXY_COUNT=1) checks the signature against the public URL Twilio signed.

`RoundRobin` does the same from the simulator: each webhook of a call goes to the
next node in turn, and a node that refuses the connection is skipped, as nginx's
`proxy_next_upstream error` does for a request it could not send. A request that
reached a node which then died is not sent again (POST is not idempotent); the
call fails as it would with Twilio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError


@dataclass(frozen=True)
class Hop:
    """One webhook as the balancer passed it on: the public URL and the node that got it."""

    url: str
    node: str
    skipped: tuple[str, ...] = ()  # nodes tried first that refused the connection


def never_reached(exc: requests.ConnectionError) -> bool:
    """True when the request could not be sent at all (connection refused or unroutable)."""
    reason: Any = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


@dataclass
class RoundRobin:
    """Send each request to the next of `nodes` (base URLs), skipping refused connections."""

    nodes: Sequence[str]
    start: int = 0
    session: requests.Session | None = None
    hops: list[Hop] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError("a balancer needs at least one node")
        self._turn = self.start

    def post(self, url: str, *, data: Any, headers: Any, timeout: float) -> requests.Response:
        public = urlsplit(url)
        forwarded = {
            **dict(headers or {}),
            "X-Forwarded-Proto": public.scheme,
            "X-Forwarded-Host": public.netloc,
            "X-Forwarded-For": "127.0.0.1",
        }
        sender = self.session or requests
        skipped: list[str] = []
        for _ in range(len(self.nodes)):
            node = self.nodes[self._turn % len(self.nodes)]
            self._turn += 1
            try:
                response = sender.post(
                    self.target(node, url), data=data, headers=forwarded, timeout=timeout
                )
            except requests.ConnectionError as exc:
                if not never_reached(exc):
                    raise
                skipped.append(node)
                continue
            self.hops.append(Hop(url, node, tuple(skipped)))
            return response
        raise requests.ConnectionError(f"no node answers for {url}: tried {', '.join(skipped)}")

    @staticmethod
    def target(node: str, url: str) -> str:
        """The node's address with the path and query the client asked for."""
        base, asked = urlsplit(node), urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, asked.path, asked.query, ""))
