"""The audit log as people read it: who, when, what, and each changed field before and after."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hotline.i18n import format_local, format_local_date
from hotline.planning.audit import PERSON
from hotline.planning.forms import days_text, editable_number
from hotline.planning.models import AuditLog

ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("removed"),
    "generate": _l("generated"),
    "override": _l("replaced"),
    "swap": _l("swapped"),
    "rotate": _l("renewed"),
    "baseline": _l("first recorded"),
}
ENTITIES = {
    "slot": _l("slot"),
    "rotation": _l("rotation"),
    "unavailability": _l("unavailability"),
    "labour_rules": _l("labour rules"),
    "feed_token": _l("calendar feed link"),
    "default_chain": _l("default chain"),
    "person": _l("person"),
}
FIELDS = {
    "kind": _l("Kind"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "chain": _l("Chain"),
    "note": _l("Note"),
    "name": _l("Name"),
    "members": _l("Members"),
    "backups": _l("Backups"),
    "shift_hours": _l("Shift length (hours)"),
    "handoff": _l("Handoff time"),
    "start_date": _l("Start date"),
    "timezone": _l("Time zone"),
    "weekdays": _l("Days"),
    "backup_count": _l("Backups next in line"),
    "max_consecutive_days": _l("Most on-call days in a row"),
    "min_rest_hours": _l("Least rest between two shifts (hours)"),
    "in_force": _l("On call until then"),
    "window": _l("Covered hours"),
    "start": _l("From"),
    "end": _l("To"),
    "created": _l("Slots written"),
    "updated": _l("Slots updated"),
    "deleted": _l("Slots removed"),
    "conflicts": _l("Shifts in the way of other slots"),
    "skips": _l("Members skipped"),
    "active": _l("Status"),
    "mobile": _l("Mobile"),
    "email": _l("E-mail"),
    "language": _l("Language"),
}
KINDS = {
    "regular": _l("regular slot"),
    "override": _l("override"),
    "leave": _l("Leave"),
    "sickness": _l("Sickness"),
    "other": _l("Other"),
    "inactive": _l("inactive"),
}
# Values that are lists of person ids.
PEOPLE_FIELDS = {"members", "backups"}
# Bookkeeping that changes with every edit and tells a reader nothing.
HIDDEN_FIELDS = {"version", "rotation_id", "person_id", "hotline_id"}
# Fields shown even unchanged, to say whom the line is about.
NAMING_FIELDS = {"person": {"name"}}
STATUSES = {True: _l("active"), False: _l("inactive")}
LANGUAGE_NAMES = {"fr": _l("French"), "en": _l("English")}
# A person's contact details, shown only to who may see them (hotline.planning.contacts):
# what the others read instead.
CONTACT_FIELDS = {"mobile": _l("number withheld"), "email": _l("address withheld")}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    action: str
    entity: str
    entity_id: int | None
    changes: tuple[Change, ...]


def audit_line(
    entry: AuditLog,
    zone: ZoneInfo,
    names: dict[int, str] | None = None,
    contacts_shown: Container[int] = frozenset(),
) -> AuditLine:
    """One audit row, its values written for people in `zone` and the page's language.

    `names` maps the person ids some snapshots hold (rotation members) to names;
    `contacts_shown` holds the people whose mobile and e-mail the reader may see
    (contacts.numbers_shown): the others' are withheld.
    """
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_FIELDS]
    shown = _Shown(zone, names or {})
    if entry.entity == PERSON and entry.entity_id not in contacts_shown:
        shown = _Withheld(zone, names or {})
    naming = NAMING_FIELDS.get(entry.entity, set())
    changes = tuple(
        Change(str(FIELDS.get(k, k)), shown(k, before.get(k)), shown(k, after.get(k)))
        for k in keys
        if before.get(k) != after.get(k) or k in naming
    )
    return AuditLine(
        at=entry.at,
        who=entry.user.name if entry.user is not None else _("command line or job"),
        action=str(ACTIONS.get(entry.action, entry.action)),
        entity=str(ENTITIES.get(entry.entity, entry.entity)),
        entity_id=entry.entity_id,
        changes=changes,
    )


def person_ids(entries: list[AuditLog]) -> set[int]:
    """The person ids held in the entries' id lists (to look their names up once)."""
    found: set[int] = set()
    for entry in entries:
        for snapshot in (entry.before or {}, entry.after or {}):
            for key in PEOPLE_FIELDS:
                found.update(v for v in snapshot.get(key) or () if isinstance(v, int))
    return found


class _Shown:
    """Write a snapshot value for people: local times, names, translated kinds."""

    def __init__(self, zone: ZoneInfo, names: dict[int, str]) -> None:
        self.zone, self.names = zone, names

    def __call__(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if key in PEOPLE_FIELDS and isinstance(value, list):
            return ", ".join(self.names.get(v, f"#{v}") for v in value)
        if key == "weekdays" and isinstance(value, list):
            return days_text(frozenset(d for d in value if isinstance(d, int) and 1 <= d <= 7))
        if key == "window" and isinstance(value, list):
            return "–".join(str(v) for v in value)
        if key == "in_force" and isinstance(value, list):
            return "; ".join(self.piece(p) for p in value if isinstance(p, dict))
        if key == "skips" and isinstance(value, list):
            return "; ".join(self.skip(s) for s in value if isinstance(s, list) and len(s) >= 3)
        if key == "kind":
            return str(KINDS.get(value, value))
        if key == "active" and isinstance(value, bool):
            return str(STATUSES[value])
        if key == "mobile" and isinstance(value, str):
            return editable_number(value)
        if key == "language" and isinstance(value, str):
            return str(LANGUAGE_NAMES.get(value, value))
        return self.plain(value)

    def plain(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self.item(v) for v in value)
        if isinstance(value, str):
            moment = _instant(value)
            if moment is not None:
                return format_local(moment, self.zone, "short")
            day = _day(value)
            return format_local_date(day, None, "short") if day is not None else value
        return str(value)

    def item(self, value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get("name") or value.get("person_id") or value)
        return self.plain(value)

    def piece(self, piece: dict[str, Any]) -> str:
        span = f"{self.plain(piece.get('starts_at'))}–{self.plain(piece.get('ends_at'))}"
        return _("%(place)s: %(who)s", place=span, who=self.plain(piece.get("chain") or []))

    def skip(self, skip: list[Any]) -> str:
        when, name, reason = skip[0], skip[1], skip[2]
        return f"{self.plain(when)} {name} ({KINDS.get(reason, reason)})"


def _day(text: str) -> date | None:
    """An ISO day (how snapshots store a rotation's start date), else None."""
    if len(text) != len("2026-05-04") or text[4] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class _Withheld(_Shown):
    """As _Shown, a person's contact details withheld (those set, not the empty ones)."""

    def __call__(self, key: str, value: Any) -> str:
        if key in CONTACT_FIELDS and value:
            return str(CONTACT_FIELDS[key])
        return super().__call__(key, value)


def _instant(text: str) -> datetime | None:
    """An ISO time with its offset (how snapshots store instants), else None."""
    if len(text) < 16 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
