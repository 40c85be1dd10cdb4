"""Alert texts in the recipient's language, from templates/alerts/messages/<kind>.txt.

Each template has the blocks `subject`, `sms` and `email` (and `voice` for the
kinds that may place a call), written in English in `{% trans %}` blocks: the app's
catalog has their French. Times are shown in the hotline's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_datetime
from jinja2 import Environment, Template
from jinja2.runtime import Context

from hotline.i18n import catalog, formatting_locale
from hotline.models import LANGUAGES
from hotline.phone import format_for, is_withheld

# CLDR patterns: "28/11/2026 à 08:00" reads as French; "28 Nov 2026 08:00".
DATETIME_FORMATS = {"fr": "dd/MM/y 'à' HH:mm", "en": "dd MMM y HH:mm"}
WITHHELD_LABELS = {"fr": "numéro masqué", "en": "withheld number"}

# An SMS is at most three concatenated segments: more is cut, the e-mail has the rest.
# A segment of a long message holds 153 GSM-7 characters, or only 67 UTF-16 units once
# a single character is outside GSM-7 (ê, ç, ’...): the limit depends on the text.
SMS_SEGMENTS = 3
GSM7_SEGMENT, UCS2_SEGMENT = 153, 67
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each
# Typography that would switch a whole SMS to UCS-2 for nothing: the plain forms
# (the pages and e-mails keep the typographic ones).
SMS_PLAIN = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "\u00a0": " ",
     "\u202f": " ", "–": "-", "—": "-", "…": "..."}
)  # fmt: skip


@dataclass(frozen=True)
class Message:
    subject: str
    sms: str
    email: str
    voice: str


def language_of(raw: str | None) -> str:
    return raw if raw in LANGUAGES else "fr"


@cache
def gettext_in(language: str) -> dict[str, Callable[..., str]]:
    """The functions `{% trans %}` blocks call, translating into `language`.

    Given with each render rather than installed in the environment: the app's Jinja
    environment translates pages into the page's language, an alert is in its
    recipient's. They format as Jinja's "newstyle" gettext does (Flask-Babel's setting).
    """
    translations = catalog(language_of(language))

    def gettext(message: str, **variables: Any) -> str:
        return translations.gettext(message) % variables

    def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
        return translations.ngettext(singular, plural, num) % {"num": num, **variables}

    def pgettext(context: str, message: str, **variables: Any) -> str:
        return translations.pgettext(context, message) % variables

    def npgettext(context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
        text = translations.npgettext(context, singular, plural, num)
        return text % {"num": num, **variables}

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def _blocks(
    env: Environment, name: str, language: str, context: dict[str, Any]
) -> tuple[Template, Context]:
    """The template `name` and what its blocks render with, in `language`."""
    template = env.get_template(f"alerts/messages/{name}.txt")
    return template, template.new_context({**context, **gettext_in(language)})


def render(env: Environment, kind: str, language: str, context: dict[str, Any]) -> Message:
    """Render the message of `kind` in `language` (French when the language is unknown)."""
    template, rendering = _blocks(env, kind, language, context)
    parts = {}
    for block in ("subject", "sms", "email", "voice"):
        render_block = template.blocks.get(block)
        text = "".join(render_block(rendering)) if render_block else ""
        parts[block] = text.strip()
    subject = " ".join(parts["subject"].split())
    # The one link an SMS carries: the reader's own listen link, else the call's page.
    link = context.get("listen_url") or context.get("call_url")
    sms = fit_sms(" ".join(parts["sms"].split()), keep=link)
    return Message(subject=subject, sms=sms, email=parts["email"] + "\n", voice=parts["voice"])


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def sms_length(text: str) -> int:
    """What `text` uses of an SMS: septets in GSM-7, else UTF-16 code units (UCS-2)."""
    if is_gsm7(text):
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """How many SMS segments carry `text`."""
    gsm7, length = is_gsm7(text), sms_length(text)
    if length <= (160 if gsm7 else 70):
        return 1
    per_segment = GSM7_SEGMENT if gsm7 else UCS2_SEGMENT
    return -(-length // per_segment)


def fit_sms(text: str, keep: str | None = None) -> str:
    """`text` in plain typography, cut to SMS_SEGMENTS segments with a "..." at the cut.

    `keep` (the link the SMS carries) is never cut: the text before it is.
    """
    text = text.translate(SMS_PLAIN)
    if sms_segments(text) <= SMS_SEGMENTS:
        return text
    at = text.rfind(keep) if keep else -1
    head, tail = (text[:at], " " + text[at:]) if at > 0 else (text, "")
    if sms_segments("..." + tail) > SMS_SEGMENTS:
        head, tail = text, ""  # no room for anything before it: cut it like any text
    cut = head
    # Measured with the tail: one character outside GSM-7 anywhere decides the encoding.
    while cut and sms_segments(cut.rstrip() + "..." + tail) > SMS_SEGMENTS:
        cut = cut[:-1]
    return cut.rstrip() + "..." + tail


def render_block(
    env: Environment, name: str, language: str, block: str, context: dict[str, Any]
) -> str:
    """One block of a message template, whitespace collapsed (SMS replies, spoken text)."""
    template, rendering = _blocks(env, name, language, context)
    return " ".join("".join(template.blocks[block](rendering)).split())


def local_datetime(moment: datetime, timezone: str, language: str) -> str:
    """`moment` as people of the hotline read it: local time, their language's order."""
    local = moment.astimezone(ZoneInfo(timezone))
    language = language_of(language)
    return format_datetime(
        local, DATETIME_FORMATS[language], tzinfo=local.tzinfo, locale=formatting_locale(language)
    )


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
