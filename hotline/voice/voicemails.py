"""What a call's voicemail amounts to, as Twilio has told it so far.

The Record action reports a recording as soon as the caller stops speaking;
only the recording status callback says whether Twilio kept it. A message
counts once that callback said `completed` for a recording that is not empty.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, exists, or_, select

from hotline.voice.models import Voicemail

# RecordingStatus values after which Twilio says nothing more of a recording.
SETTLED_RECORDING = frozenset({"completed", "failed", "absent"})
LOST_RECORDING = frozenset({"failed", "absent"})  # Twilio kept no recording


class MessageState(StrEnum):
    """What a reported recording amounts to, as the call's page tells it."""

    KEPT = "kept"  # a message: the call is a voicemail
    UNCONFIRMED = "unconfirmed"  # reported, not (yet) confirmed: the call is missed
    NONE = "none"  # Twilio could not keep it, or it is empty: no message


def is_message(voicemail: Voicemail | None) -> bool:
    """Whether Twilio confirmed a message anyone can listen to."""
    return (
        voicemail is not None
        and voicemail.status == "completed"
        and (voicemail.duration or 0) > 0
        and bool(voicemail.recording_url)
    )


def message_state(voicemail: Voicemail) -> MessageState:
    if is_message(voicemail):
        return MessageState.KEPT
    if voicemail.status in LOST_RECORDING or voicemail.duration == 0:
        return MessageState.NONE
    return MessageState.UNCONFIRMED


def awaiting_recording(call_id: ColumnElement[int | None]) -> ColumnElement[bool]:
    """True while the call `call_id` has a message reported that Twilio has not settled.

    A SQL condition, so the alert relay can leave such calls' alerts waiting
    without loading them.
    """
    return exists(
        select(Voicemail.id).where(
            Voicemail.call_id == call_id,
            Voicemail.duration > 0,
            or_(Voicemail.status.is_(None), Voicemail.status.not_in(SETTLED_RECORDING)),
        )
    )
