"""Instants at the API's edge: read in the hotline's zone, written with their UTC offset."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.api.errors import bad_request, english
from hotline.planning.validation import InvalidLocalTime, parse_slot_time

# An unescaped "+" in a query string arrives as a space: 2026-03-29T08:00:00 02:00.
_SPACE_FOR_PLUS = re.compile(r"(.*\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)")


def parse_instant(raw: str, zone: ZoneInfo, field: str) -> datetime:
    """Read an ISO 8601 date and time; without an offset it is a wall-clock time in `zone`.

    Wall-clock times skipped or repeated by a DST change are refused with the
    two offsets to choose from (the same rule as the planning file).
    """
    text = raw.strip()
    repaired = _SPACE_FOR_PLUS.fullmatch(text)
    if repaired:
        text = f"{repaired.group(1)}+{repaired.group(2)}"
    try:
        return parse_slot_time(text, zone, field)
    except InvalidLocalTime as error:
        raise bad_request(f"{field}: {english(error)}", field) from None


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant as the hotline's wall clock shows it, offset included."""
    return moment.astimezone(zone)
