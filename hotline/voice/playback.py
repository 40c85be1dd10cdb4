"""A voicemail played in the browser: its audio streamed from Twilio, or why it cannot be.

Shared by the call's page (signed in) and the personal listen link of the alerts:
both answer the player the same way, so a message plays, seeks and fails alike.
"""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.voice.recordings import (
    RangeNotSatisfiable,
    RecordingEncrypted,
    RecordingUnavailable,
    SimulatedRecording,
    TwilioUnreachable,
    open_recording,
)

log = logging.getLogger("hotline.voice")


def recording_response(
    recording_url: str | None, recording_sid: str | None, call_id: int
) -> ResponseReturnValue:
    """Call `call_id`'s message as the request's Range asks for it, or a page saying why not."""
    if not recording_url:
        abort(404)
    try:
        stream = open_recording(recording_url, current_app.config, request.headers.get("Range"))
    except RangeNotSatisfiable:
        abort(416)
    except SimulatedRecording:
        return _unplayable(404, _("This message was left in the call simulator: it has no audio."))
    except RecordingUnavailable as error:
        log.error("voicemail of call %s not served: %s", call_id, error)
        return _unplayable(502, _unavailable_message(error, recording_sid))
    response = Response(stream, status=stream.status, mimetype=stream.content_type)
    response.content_length = stream.content_length
    response.headers.update(stream.range_headers)  # a player seeks with them
    response.headers["Content-Disposition"] = f'inline; filename="voicemail-{call_id}.mp3"'
    return response


def _unavailable_message(error: RecordingUnavailable, recording_sid: str | None) -> str:
    """Why Twilio did not give the message, and where it is, for whoever wanted to listen."""
    if isinstance(error, RecordingEncrypted):
        return _(
            "This message is encrypted with your Twilio account's public key (voice recording"
            " encryption): it cannot be played here. Download recording %(sid)s from Twilio and"
            " decrypt it with your organisation's private key to listen to it.",
            sid=recording_sid or "?",
        )
    if isinstance(error, TwilioUnreachable):
        return _(
            "Twilio could not be reached. The message is kept at Twilio: please try again in a"
            " few minutes."
        )
    return _("The message could not be fetched from Twilio. Please try again later.")


def _unplayable(status: int, message: str) -> ResponseReturnValue:
    """Say why the message cannot be played: a page, or JSON for the page's player."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    ):
        return jsonify(message=message), status
    heading = _("The message cannot be played")
    return render_template("errors/error.html", code=status, heading=heading, message=message), (
        status
    )
