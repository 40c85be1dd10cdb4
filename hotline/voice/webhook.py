"""What every Twilio webhook shares: signature check, error fallback, parameters."""

from __future__ import annotations

import functools
import hmac
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from flask import Request, Response, abort, current_app, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from hotline.db import commit_session, discard_session, utcnow
from hotline.voice import twiml

log = logging.getLogger("hotline.voice")

TWIML = "application/xml"
# Set in the WSGI environ by hotline.voice.fast_incoming: the exception that
# stopped it answering an incoming call, which the view then answers for.
FAST_PATH_FAILED = "hotline.fast_path_failed"
WebhookView = Callable[..., str]


def public_url() -> str:
    """The URL Twilio called, as it signed it (public base or request URL)."""
    # Asked for twice per request (signature, then the TwiML's callback URLs).
    url = request.environ.get(_PUBLIC_URL)
    if url is None:
        url = request.environ[_PUBLIC_URL] = signed_url(request, current_app.config)
    return url


_PUBLIC_URL = "hotline.public_url"


def signed_url(incoming: Request, config: Mapping[str, Any]) -> str:
    """The URL of `incoming` as Twilio signed it: under PUBLIC_BASE_URL when set."""
    base = config["PUBLIC_BASE_URL"] or incoming.host_url
    # The query as sent: Werkzeug's request.url decodes its %-escapes of
    # non-ASCII characters, which Twilio signed escaped. Bytes that are not
    # UTF-8 come from no genuine request: the signature then fails, as it should.
    query = incoming.query_string.decode(errors="replace")
    url = base.rstrip("/") + incoming.script_root + incoming.path
    return f"{url}?{query}" if query else url


def signature_is_valid() -> bool:
    return signature_matches(
        current_app.config["TWILIO_AUTH_TOKEN"],
        public_url(),
        SignedParams.of(request.form),
        request.headers.get("X-Twilio-Signature", ""),
    )


class SignedParams(dict[str, list[str]]):
    """Form parameters by name, each with all its values, as RequestValidator reads them.

    RequestValidator asks for a parameter's values with `getall` first, and
    tries the next spelling on the AttributeError: on a Werkzeug MultiDict that
    is one exception per parameter, half the cost of checking a signature.
    """

    @classmethod
    def of(cls, form: MultiDict[str, str]) -> SignedParams:
        return cls(form.lists())

    def getall(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        """The parameter's first value, "" when absent (as MultiDict.get with a default)."""
        values = self.get(name)
        return values[0] if values else ""


def signature_matches(token: str, url: str, params: SignedParams, signature: str) -> bool:
    """Whether `signature` is Twilio's X-Twilio-Signature of `url` and `params` with `token`."""
    # A signature is base64: anything else is forged, and compare_digest
    # refuses to compare non-ASCII text at all.
    if not token or not signature or not signature.isascii():
        return False
    validator = RequestValidator(token)
    # validate() always signs twice (the URL with and without its port); the
    # URL as seen is nearly always the one Twilio signed, so try it alone first.
    if hmac.compare_digest(validator.compute_signature(url, params), signature):
        return True
    return validator.validate(url, params, signature)


@dataclass(frozen=True)
class Fallback:
    """What a webhook answers when it fails, and how the log line names it."""

    twiml: Callable[[], str]
    answered: str  # "webhook failed, answered with <answered>: ..." (no colon in it)


def twilio_webhook(on_error: Fallback) -> Callable[[WebhookView], Callable[..., Response]]:
    """Check the signature, then run the view; any failure answers `on_error`'s TwiML.

    A forged or unsigned request is refused before anything is read or written.
    A race on a unique key (Twilio retrying while the first try still runs) is
    settled by running the view once more, which then finds the row; so is a
    pooled connection that died with a database restart.
    """

    def decorate(view: WebhookView) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: object, **kwargs: object) -> Response:
            if not signature_is_valid():
                log.warning("refused unsigned or forged webhook %s", request.path)
                abort(403)
            failed = request.environ.pop(FAST_PATH_FAILED, None)
            if failed is not None:
                return _fallback(on_error, failed)
            for attempt in range(2):
                try:
                    body = view(*args, **kwargs)
                    commit_session()
                    return Response(body, mimetype=TWIML)
                except IntegrityError:
                    discard_session()
                    if attempt:
                        return _fallback(on_error)
                except DBAPIError as exc:
                    # A pooled connection found dead (the database restarted):
                    # the pool is invalidated, so one more try gets a fresh one.
                    if attempt or not exc.connection_invalidated:
                        return _fallback(on_error)
                    discard_session()
                except Exception:  # noqa: BLE001 - Twilio must get TwiML whatever failed
                    return _fallback(on_error)
            return _fallback(on_error)

        return wrapper

    return decorate


def _fallback(on_error: Fallback, error: BaseException | None = None) -> Response:
    """Answer `on_error`'s TwiML, logging what failed: `error`, else the exception in hand."""
    # The parameters are logged in full so a call handled while the database
    # was away can be replayed into the records afterwards (hotline.ops.replay
    # reads this line).
    log.error(
        "webhook failed, answered with %s: %s %s",
        on_error.answered,
        request.path,
        json.dumps({"query": request.args.to_dict(), "form": request.form.to_dict()}),
        exc_info=error or True,
        extra={"call_sid": request.form.get("CallSid")},
    )
    discard_session()
    return Response(on_error.twiml(), mimetype=TWIML)


def emergency_twiml() -> str:
    config = current_app.config
    return twiml.emergency(config["EMERGENCY_NUMBER"], config["FALLBACK_LANGUAGE"])


def empty_twiml() -> str:
    return twiml.bridge()


# The emergency TwiML keeps the words "with fallback" of the logs replay-calls has
# always read; the others say what the caller or Twilio actually got.
EMERGENCY_FALLBACK = Fallback(emergency_twiml, "fallback to EMERGENCY_NUMBER")
EMPTY_RESPONSE = Fallback(empty_twiml, "an empty response")


def event_time(now: datetime | None = None) -> datetime:
    """The callback's own Timestamp when Twilio sent one, else now."""
    raw = request.form.get("Timestamp")
    if raw:
        try:
            parsed = parsedate_to_datetime(raw)
            # In UTC now: a time at the edge of the calendar cannot be stored.
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except (TypeError, ValueError, OverflowError):
            log.warning("unreadable Timestamp %r", raw)
    return now or utcnow()


# What Twilio sends as a number: ASCII digits, small enough for an integer column.
_INTEGER = re.compile(r"\s*(-?[0-9]{1,9})\s*")


def int_param(source: str, name: str) -> int | None:
    """An integer from the query string or form, None when absent or malformed."""
    values = request.args if source == "args" else request.form
    match = _INTEGER.fullmatch(values.get(name, ""))
    return int(match.group(1)) if match else None
