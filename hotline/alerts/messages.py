"""Alert texts in the recipient's language, from templates/alerts/messages/<kind>.<lang>.txt.

Each template has the blocks `subject`, `sms` and `email` (and `voice` for the
kinds that may place a call); times are shown in the hotline's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from hotline.models import LANGUAGES
from hotline.phone import national_format

DATETIME_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%d %b %Y %H:%M"}
SMS_MAX_CHARS = 480  # three concatenated SMS segments: more is cut, the e-mail has the rest


@dataclass(frozen=True)
class Message:
    subject: str
    sms: str
    email: str
    voice: str


def language_of(raw: str | None) -> str:
    return raw if raw in LANGUAGES else "fr"


def render(env: Environment, kind: str, language: str, context: dict[str, Any]) -> Message:
    """Render the message of `kind` in `language` (French when the language is unknown)."""
    template = env.get_template(f"alerts/messages/{kind}.{language_of(language)}.txt")
    parts = {}
    for block in ("subject", "sms", "email", "voice"):
        render_block = template.blocks.get(block)
        text = "".join(render_block(template.new_context(context))) if render_block else ""
        parts[block] = text.strip()
    subject = " ".join(parts["subject"].split())
    sms = " ".join(parts["sms"].split())
    if len(sms) > SMS_MAX_CHARS:
        sms = sms[: SMS_MAX_CHARS - 1] + "…"
    return Message(subject=subject, sms=sms, email=parts["email"] + "\n", voice=parts["voice"])


def render_block(
    env: Environment, name: str, language: str, block: str, context: dict[str, Any]
) -> str:
    """One block of a message template, whitespace collapsed (SMS replies, spoken text)."""
    template = env.get_template(f"alerts/messages/{name}.{language_of(language)}.txt")
    return " ".join("".join(template.blocks[block](template.new_context(context))).split())


def local_datetime(moment: datetime, timezone: str, language: str) -> str:
    """`moment` as people of the hotline read it: local time, their language's order."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime(DATETIME_FORMATS[language_of(language)])


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def readable_number(e164: str) -> str:
    """A number in its national form; anything unparsable is shown as received."""
    try:
        return national_format(e164)
    except Exception:  # noqa: BLE001 - "anonymous", "+266696687": show it as Twilio sent it
        return e164 or "?"
