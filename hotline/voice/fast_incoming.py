"""The usual incoming call, answered in front of Flask's request machinery.

Every call starts with POST /voice/incoming, and Flask's share of that request
(request context, Werkzeug's form parser, the app's request hooks) costs about
as much CPU as the call's own reads and write. This WSGI middleware answers the
usual case, a signed new call to a known hotline with someone to ring, with the
view's own functions: the same signature check, lookup, write and TwiML.

Everything else goes on to the Flask view untouched, which answers it as it
always has: a request it cannot read, a bad signature, a retried webhook, an
unknown number, nobody to ring. So does a failure; the view is then told, and
answers with the emergency fallback at once rather than wait for a database
that just failed a second time.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from flask import Flask, Response
from sqlalchemy.exc import DBAPIError, IntegrityError

from hotline.auth.web import security_headers
from hotline.db import database, utcnow
from hotline.ops.metrics import observe_webhook
from hotline.voice.views import answer, record_incoming, urls_under
from hotline.voice.webhook import (
    FAST_PATH_FAILED,
    TWIML,
    SignedParams,
    signature_matches,
    signed_url,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PATH = "/voice/incoming"
ENDPOINT = "voice.incoming"  # the view's endpoint, which the metrics are labelled with
FORM = "application/x-www-form-urlencoded"
# Twilio's incoming call is about 1 KB; anything much larger is left to Flask's limits.
MAX_BODY = 64 * 1024


class IncomingFastPath:
    """WSGI middleware: the usual POST /voice/incoming here, every other request to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
            response = self._answer(environ)
            if response is not None:
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ: WSGIEnvironment) -> Response | None:
        """The response to the usual incoming call; None hands the request to the view."""
        started = time.perf_counter()
        body = _read_form(environ)
        if body is None:
            return None
        # The view reads the body again when the request goes on to it.
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            with self.app.app_context():
                response = self._respond(environ, body)
        except (IntegrityError, UnicodeDecodeError):
            return None  # a retry racing the first try; a body Werkzeug must judge
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                environ[FAST_PATH_FAILED] = exc
            return None  # a dead pooled connection: the view's own try gets a new one
        except Exception as exc:  # noqa: BLE001 - the view answers, and logs it
            environ[FAST_PATH_FAILED] = exc
            return None
        if response is not None:
            observe_webhook(ENDPOINT, time.perf_counter() - started)
        return response

    def _respond(self, environ: WSGIEnvironment, body: bytes) -> Response | None:
        config = self.app.config
        params = _params(body)
        incoming = self.app.request_class(environ)
        if config["TRUSTED_HOSTS"] is not None:
            incoming.trusted_hosts = config["TRUSTED_HOSTS"]
        url = signed_url(incoming, config)
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if not signature_matches(config["TWILIO_AUTH_TOKEN"], url, params, signature):
            return None  # refused, and logged, by the view
        call_sid = params.first("CallSid")
        if not call_sid:
            return None
        db, now = database(self.app), utcnow()
        recorded = record_incoming(db, call_sid, params.first("From"), params.first("To"), now)
        if recorded is None or recorded[2] is None:
            return None  # an unknown number, a retry or nobody to ring
        hotline, _values, (call, step) = recorded
        document = answer(step, hotline, call, urls_under(url), greet=True)
        return security_headers(self.app.response_class(document, mimetype=TWIML))


def _read_form(environ: WSGIEnvironment) -> bytes | None:
    """The body of a form post of known, modest length; None for anything else."""
    content_type = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    length = environ.get("CONTENT_LENGTH", "")
    if content_type != FORM or not length.isdigit() or int(length) > MAX_BODY:
        return None
    return environ["wsgi.input"].read(int(length))


def _params(body: bytes) -> SignedParams:
    """The form as Werkzeug's parser reads it, every value of every name kept."""
    params = SignedParams()
    pairs = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params
