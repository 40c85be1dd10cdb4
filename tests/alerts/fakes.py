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
    failure_code: int = 20500  # Twilio's error code in a failure's body
    server: ThreadingHTTPServer | None = None
    media: dict[str, bytes] = field(default_factory=dict)
    media_credentials: tuple[str, str] = ("", "")
    media_type: str = "audio/mpeg"
    media_ranges: list[str] = field(default_factory=list)  # the Range of each GET, "" if none
    # A Twilio error code every media GET is refused with (HTTP 400), as 16109 for an
    # account whose recordings are encrypted.
    media_refusal: int | None = None

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

    def media_answer(
        self, path: str, authorization: str, byte_range: str = ""
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """Status, body, content type and headers of a GET, as Twilio's media URLs answer."""
        expected = base64.b64encode(":".join(self.media_credentials).encode()).decode()
        if authorization != f"Basic {expected}":
            challenge = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            return 401, b'{"code": 20003, "message": "Authenticate"}', "application/json", challenge
        if self.always_fail:
            return self.always_fail, b'{"code": 20500}', "application/json", {}
        if self.media_refusal:
            refusal = {"code": self.media_refusal, "message": "Refused", "status": 400}
            return 400, json.dumps(refusal).encode(), "application/json", {}
        if path not in self.media:
            return 404, b'{"code": 20404}', "application/json", {}
        audio = self.media[path]
        if not byte_range:
            return 200, audio, self.media_type, {"Accept-Ranges": "bytes"}
        return _byte_range(audio, byte_range, self.media_type)

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                authorization = self.headers.get("Authorization", "")
                fake.requests.append(RestRequest("GET", self.path, {}, authorization))
                byte_range = self.headers.get("Range", "")
                fake.media_ranges.append(byte_range)
                status, body, content_type, headers = fake.media_answer(
                    self.path, authorization, byte_range
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
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
                    body = {"code": fake.failure_code, "message": "Refused", "status": status}
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


def _byte_range(
    audio: bytes, byte_range: str, media_type: str
) -> tuple[int, bytes, str, dict[str, str]]:
    """A 206 with the span `byte_range` (bytes=a-b, a- or -n) asks for, or a 416."""
    first, _, last = byte_range.removeprefix("bytes=").partition("-")
    size = len(audio)
    start = max(size - int(last), 0) if not first else int(first)
    end = size - 1 if not first or not last else min(int(last), size - 1)
    if start >= size:
        return 416, b"", "application/json", {"Content-Range": f"bytes */{size}"}
    headers = {"Content-Range": f"bytes {start}-{end}/{size}", "Accept-Ranges": "bytes"}
    return 206, audio[start : end + 1], media_type, headers


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
