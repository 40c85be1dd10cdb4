"""The audit log as people read it: who, when, what, and each changed field before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hotline.i18n import format_local
from hotline.planning.models import AuditLog

ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("removed"),
    "generate": _l("generated"),
    "override": _l("replaced"),
    "swap": _l("swapped"),
    "rotate": _l("renewed"),
}
ENTITIES = {
    "slot": _l("slot"),
    "rotation": _l("rotation"),
    "unavailability": _l("unavailability"),
    "labour_rules": _l("labour rules"),
    "feed_token": _l("calendar feed link"),
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
}
# Bookkeeping that changes with every edit and tells a reader nothing.
HIDDEN_FIELDS = {"version", "rotation_id", "person_id", "hotline_id"}


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


def audit_line(entry: AuditLog, zone: ZoneInfo) -> AuditLine:
    """One audit row, its values written for people in `zone` and the page's language."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_FIELDS]
    changes = tuple(
        Change(str(FIELDS.get(k, k)), _value(before.get(k), zone), _value(after.get(k), zone))
        for k in keys
        if before.get(k) != after.get(k)
    )
    return AuditLine(
        at=entry.at,
        who=entry.user.name if entry.user is not None else _("command line or job"),
        action=str(ACTIONS.get(entry.action, entry.action)),
        entity=str(ENTITIES.get(entry.entity, entry.entity)),
        entity_id=entry.entity_id,
        changes=changes,
    )


def _value(value: Any, zone: ZoneInfo) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_item(v, zone) for v in value)
    if isinstance(value, str):
        moment = _instant(value)
        return format_local(moment, zone, "short") if moment is not None else value
    return str(value)


def _item(value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("person_id") or value)
    return _value(value, zone)


def _instant(text: str) -> datetime | None:
    """An ISO time with its offset (how snapshots store instants), else None."""
    if len(text) < 16 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
