"""Stand-ins on 127.0.0.1: Twilio's REST API over HTTP, and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


@dataclass
class RestRequest:
    method: str
    path: str
    params: dict[str, str]
    authorization: str


@dataclass
class FakeTwilioRest:
    """Answers POST .../Messages.json and .../Calls.json as Twilio does; records each request.

    GET serves recording media (`media`: path -> bytes) to `media_credentials`
    only, as an account whose media need HTTP basic authentication does.
    """

    requests: list[RestRequest] = field(default_factory=list)
    # Status codes to answer before succeeding again ("500" twice, then 201).
    failures: list[int] = field(default_factory=list)
    always_fail: int | None = None
    server: ThreadingHTTPServer | None = None
    media: dict[str, bytes] = field(default_factory=dict)
    media_credentials: tuple[str, str] = ("", "")
    media_type: str = "audio/mpeg"

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def messages(self) -> list[dict[str, str]]:
        return [r.params for r in self.requests if r.path.endswith("/Messages.json")]

    @property
    def calls(self) -> list[dict[str, str]]:
        return [r.params for r in self.requests if r.path.endswith("/Calls.json")]

    def media_answer(self, path: str, authorization: str) -> tuple[int, bytes, str]:
        """Status, body and content type of a GET, as Twilio's media URLs answer."""
        expected = base64.b64encode(":".join(self.media_credentials).encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, b'{"code": 20003, "message": "Authenticate"}', "application/json"
        if self.always_fail:
            return self.always_fail, b'{"code": 20500}', "application/json"
        if path not in self.media:
            return 404, b'{"code": 20404}', "application/json"
        return 200, self.media[path], self.media_type

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                authorization = self.headers.get("Authorization", "")
                fake.requests.append(RestRequest("GET", self.path, {}, authorization))
                status, body, content_type = fake.media_answer(self.path, authorization)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                params = {k: v[0] for k, v in form.items()}
                fake.requests.append(
                    RestRequest("POST", self.path, params, self.headers.get("Authorization", ""))
                )
                status = fake.always_fail or (fake.failures.pop(0) if fake.failures else 201)
                body: dict[str, Any]
                if status >= 400:
                    body = {"code": 20500, "message": "Internal Server Error", "status": status}
                else:
                    prefix = "SM" if self.path.endswith("/Messages.json") else "CA"
                    body = {"sid": f"{prefix}{len(fake.requests):032d}", "status": "queued"}
                    body.update({k.lower(): v for k, v in params.items()})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives; stop() makes it "down"."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = _Mailbox()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Message]:
        return self.mailbox.messages

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")
