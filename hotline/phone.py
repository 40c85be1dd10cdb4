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


def is_fixed_line(e164: str) -> bool:
    """True for a number phonenumbers knows to be a landline, which no SMS can reach."""
    # Only a sure landline counts. FIXED_LINE_OR_MOBILE (the North American plan
    # cannot tell them apart), VOIP (many take SMS) and UNKNOWN are given the benefit
    # of the doubt: a warning on a number that does get SMS would teach managers to
    # ignore the warning.
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE


def national_format(e164: str) -> str:
    """Show an E.164 number the way people of its country write it."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


# Twilio's digit forms of a withheld caller ID (ANONYMOUS, RESTRICTED, BLOCKED,
# UNKNOWN, UNAVAILABLE spelt on a phone keypad); newer calls carry the words.
WITHHELD_CALLER_IDS = frozenset(
    {"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"}
)


def is_withheld(number: str) -> bool:
    """True for a caller ID that gives no number to call back."""
    plausible = number.startswith("+") and number[1:].isdigit()
    return not plausible or number in WITHHELD_CALLER_IDS


def format_for(e164: str, home: str) -> str:
    """`e164` as it is dialled from the number `home`: national form within its
    country calling code, international form from abroad."""
    parsed = phonenumbers.parse(e164, None)
    abroad = parsed.country_code != phonenumbers.parse(home, None).country_code
    styles = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(parsed, styles.INTERNATIONAL if abroad else styles.NATIONAL)


def spoken_digits(e164: str, home: str) -> str:
    """Spell a number digit by digit for text-to-speech, as dialled from `home`."""
    try:
        written = format_for(e164, home)
    except phonenumbers.NumberParseException:
        written = e164
    # "+" is read out ("plus") by the voices of both languages.
    spoken = [c for c in written if c.isdigit() or c == "+"]
    return " ".join(spoken) if spoken else e164
