"""Phone numbers: parsed at the edges with phonenumbers, E.164 strings inside."""

from __future__ import annotations

import functools

import phonenumbers

DEFAULT_REGION = "FR"


class InvalidPhoneNumber(ValueError):
    """A phone number that phonenumbers cannot parse or does not consider valid."""

    def __init__(self, raw: str, reason: str = "not a valid phone number") -> None:
        super().__init__(f"{raw!r}: {reason}")
        self.raw = raw


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise a number as typed by a person (national or international) to E.164."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhoneNumber(str(raw), "empty phone number")
    return _to_e164(raw, region)


@functools.lru_cache(maxsize=4096)
def _to_e164(raw: str, region: str) -> str:
    # Cached: the hotline's own number is parsed on every incoming call.
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(raw) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """Show an E.164 number the way people of its country write it."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def spoken_digits(e164: str) -> str:
    """Spell a number digit by digit for text-to-speech (national form)."""
    try:
        national = national_format(e164)
    except phonenumbers.NumberParseException:
        national = e164
    digits = [c for c in national if c.isdigit()]
    return " ".join(digits) if digits else e164
