"""Alert texts in the recipient's language, from templates/alerts/messages/<kind>.<lang>.txt.

Each template has the blocks `subject`, `sms` and `email` (and `voice` for the
kinds that may place a call); times are shown in the hotline's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from jinja2 import Environment

from hotline.models import LANGUAGES
from hotline.phone import format_for, is_withheld

DATETIME_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%d %b %Y %H:%M"}
WITHHELD_LABELS = {"fr": "numéro masqué", "en": "withheld number"}
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


def readable_number(e164: str, home: str) -> str:
    """A number as it is dialled from the number `home`; anything unparsable as received."""
    try:
        return format_for(e164, home)
    except phonenumbers.NumberParseException:
        return e164 or "?"


def caller_label(number: str, home: str, language: str) -> str:
    """The caller as an alert names them: the number to call back, or that it was withheld."""
    if is_withheld(number):
        return WITHHELD_LABELS[language_of(language)]
    return readable_number(number, home)
