"""GET /listen/<token>: the voicemail of a missed-call alert, played without signing in.

The token in the URL is the credential (hotline.alerts.listen): these pages are
never cached, and tell no referrer where they were, so the token stays in the
alert it was sent in.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from hotline.alerts import listen, listen_bp, messages
from hotline.auth import public
from hotline.db import get_session
from hotline.i18n import visitor_language
from hotline.voice.playback import recording_response

log = logging.getLogger("hotline.alerts")


@listen_bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """No cache keeps the page or the audio; no page sent to tells where it was linked from."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@listen_bp.get("/<token>")
@public  # the signed token in the URL is the credential: its recipient has no account
def page(token: str) -> ResponseReturnValue:
    """The message's page: hotline, when, caller, length, and a player."""
    try:
        message = listen.message_for(get_session(), current_app.config, token)
    except listen.LinkRefused as refusal:
        return _refused(refusal)
    with force_locale(_language(message.listener_language)):
        return render_template("alerts/listen.html", **_page_context(message, token))


@listen_bp.get("/<token>/audio")
@public  # as the page: the token is the credential
def audio(token: str) -> ResponseReturnValue:
    """The message's audio, streamed from Twilio as the call's page plays it."""
    try:
        message = listen.message_for(get_session(), current_app.config, token)
    except listen.LinkRefused as refusal:
        return _refused(refusal)
    voicemail = message.voicemail
    with force_locale(_language(message.listener_language)):
        return recording_response(voicemail.recording_url, voicemail.recording_sid, message.call.id)


def _language(listener_language: str) -> str:
    """As every page's (a choice, else the browser's), falling back on the listener's own."""
    return visitor_language(otherwise=messages.language_of(listener_language))


def _page_context(message: listen.Message, token: str) -> dict[str, object]:
    hotline, call = message.hotline, message.call
    language = _language(message.listener_language)
    return {
        "token": token,
        "name": message.listener_name,
        "hotline_name": hotline.name,
        "hotline_number": messages.readable_number(hotline.number, hotline.number),
        # As the alert named the caller to this person: the number to call back, or withheld.
        "caller": messages.caller_label(call.from_number, hotline.number, language),
        "when": messages.local_datetime(call.started_at, hotline.timezone, language),
        "duration": message.voicemail.duration,
        "expires": messages.local_datetime(message.expires_at, hotline.timezone, language),
        "call_id": call.id,
    }


def _refused(refusal: listen.LinkRefused) -> ResponseReturnValue:
    """A page saying why the link plays nothing: 410 when it once did, else 404."""
    # Ids only: the token itself is a credential for LISTEN_LINK_DAYS.
    log.info("listen link refused: %s", refusal)
    if isinstance(refusal, listen.LinkExpired):
        status, message = (
            410,
            _(
                "This listen link has expired. Ask your team for the message, or listen to it on"
                " the call's page in Hotline."
            ),
        )
    elif isinstance(refusal, listen.ListenerGone):
        status, message = (
            410,
            _(
                "This listen link no longer works: it was sent to someone who is no longer on the"
                " on-call team."
            ),
        )
    elif isinstance(refusal, listen.NoMessage):
        status, message = 404, _("This call has no message to play.")
    else:
        status, message = (
            404,
            _("This listen link is not valid. Open it from the alert again, without changing it."),
        )
    heading = _("The message cannot be played")
    return render_template("errors/error.html", code=status, heading=heading, message=message), (
        status
    )
