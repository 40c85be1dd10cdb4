"""The planning file: import (all or nothing) and lossless export of people, hotlines and slots."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import LANGUAGES, Hotline, Person
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.planning import audit
from hotline.planning.absences import absent_responders
from hotline.planning.errors import PlanningError
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder
from hotline.planning.number_checks import number_warnings
from hotline.planning.validation import (
    InvalidLocalTime,
    check_span,
    known_zone,
    overlapping,
    parse_slot_time,
    repeated,
)

FORMAT = "hotline-planning/1"
REF_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
RING_TIMEOUT = (5, 600)
VOICEMAIL_SECONDS = (5, 3600)

PERSON_KEYS = {"ref", "name", "mobile", "email", "language", "active"}
HOTLINE_KEYS = {
    "number",
    "name",
    "timezone",
    "language",
    "ring_timeout",
    "screening",
    "fallback_number",
    "greeting",
    "voice",
    "voicemail_max_seconds",
    "default_chain",
    "slots",
}
SLOT_KEYS = {"start", "end", "chain", "override", "note"}


class PlanningFileError(ValueError):
    """A planning file that cannot be imported; `errors` names every bad row."""

    def __init__(self, errors: list[str]) -> None:
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__(f"planning file rejected ({len(errors)} {noun}): " + "; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote; `mobiles` names the people whose mobile is a landline or
    another active person's, `absent` the slots ringing somebody recorded as away."""

    people: int
    hotlines: int
    slots: int
    slots_replaced: int = 0
    absent: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (
            f"{_count(self.people, 'person', 'people')}, "
            f"{_count(self.hotlines, 'hotline', 'hotlines')}, "
            f"{_count(self.slots, 'slot', 'slots')} imported"
        )
        if self.slots_replaced:
            text += f" ({_count(self.slots_replaced, 'earlier slot', 'earlier slots')} replaced)"
        warnings = (*self.mobiles, *self.absent)
        return "\n".join([text, *(f"warning: {line}" for line in warnings)])


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- the file once read: plain values, times in UTC ----------------------------------------
# Rows are kept even when some of their fields are bad (those are None), so that every
# problem of the file is reported at once; nothing is written unless there is none.


@dataclass
class PersonRow:
    where: str
    ref: str | None
    name: str | None
    mobile: str | None
    email: str | None
    language: str
    active: bool


@dataclass
class SlotRow:
    where: str
    starts_at: datetime | None
    ends_at: datetime | None
    chain: list[str]
    override: bool
    note: str | None


@dataclass
class HotlineRow:
    where: str
    settings: dict[str, Any]
    default_chain: list[str]
    slots: list[SlotRow] = field(default_factory=list)


@dataclass
class Plan:
    people: list[PersonRow]
    hotlines: list[HotlineRow]


# -- local times (read with hotline.planning.validation.parse_slot_time) ----------------------


def format_slot_time(moment: datetime, zone: ZoneInfo) -> str:
    """Write a UTC instant as the hotline's local time with its explicit offset."""
    return moment.astimezone(zone).isoformat()


# -- reading and checking -------------------------------------------------------------------


class _Row:
    """One object of the file, read field by field; each problem is noted with the row's name."""

    def __init__(
        self, data: Any, where: str, errors: list[str], allowed: set[str] | None = None
    ) -> None:
        self.where = where
        self.errors = errors
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if self.ok else {}
        if not self.ok:
            self.error(f"expected an object, got {_kind(data)}")
            return
        unknown = sorted(set(data) - allowed) if allowed is not None else []
        if unknown:
            self.error("unknown field " + ", ".join(repr(k) for k in unknown))

    def error(self, message: str) -> None:
        self.errors.append(f"{self.where}: {message}")

    def value(self, key: str, types: tuple[type, ...], type_name: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None:
            if required and self.ok:
                self.error(f"{key} is missing")
            return None
        # bool is an int in Python; a JSON true is never a number here, nor 1 a flag.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            self.error(f"{key} must be {type_name}, got {_kind(value)}")
            return None
        return value

    def text(self, key: str, max_length: int, required: bool = True) -> str | None:
        value = self.value(key, (str,), "a string", required)
        if value is None:
            return None
        if required and not value.strip():
            self.error(f"{key} is empty")
            return None
        if len(value) > max_length:
            self.error(f"{key} is longer than {max_length} characters")
            return None
        return value

    def number(self, key: str, bounds: tuple[int, int], required: bool = True) -> int | None:
        value = self.value(key, (int,), "a whole number", required)
        low, high = bounds
        if value is not None and not low <= value <= high:
            self.error(f"{key} {value} is outside {low}..{high}")
            return None
        return value

    def flag(self, key: str, required: bool = True) -> bool | None:
        return self.value(key, (bool,), "true or false", required)

    def items(self, key: str, required: bool = True) -> list[Any] | None:
        return self.value(key, (list,), "a list", required)

    def phone(self, key: str, required: bool = True) -> str | None:
        raw = self.text(key, 40, required)
        if raw is None:
            return None
        try:
            return to_e164(raw)
        except InvalidPhoneNumber as exc:
            self.error(f"{key} {exc}")
            return None

    def language(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, 40, required)
        if value is not None and value not in LANGUAGES:
            self.error(f"{key} {value!r} is not one of {', '.join(LANGUAGES)}")
            return None
        return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    return names.get(type(value), type(value).__name__)


def read_planning(session: Session, document: Any) -> Plan:
    """Check a whole planning document; raise PlanningFileError listing every bad row."""
    errors: list[str] = []
    top = _Row(document, "file", errors, {"format", "people", "hotlines"})
    fmt = top.value("format", (str,), "a string", required=True)
    if fmt is not None and fmt != FORMAT:
        top.error(f"format {fmt!r} is not supported (expected {FORMAT!r})")
    people = _read_people(top.items("people") or [], errors)
    hotlines = _read_hotlines(top.items("hotlines") or [], errors)
    _check_refs(session, people, hotlines, errors)
    if errors:
        raise PlanningFileError(errors)
    return Plan(people=people, hotlines=hotlines)


def _read_people(rows: list[Any], errors: list[str]) -> list[PersonRow]:
    people: list[PersonRow] = []
    seen: dict[str, str] = {}
    for i, data in enumerate(rows):
        ref = data.get("ref") if isinstance(data, dict) else None
        where = f"people[{i}]" + (f" ({ref})" if isinstance(ref, str) else "")
        row = _Row(data, where, errors, PERSON_KEYS)
        if not row.ok:
            continue
        person = _read_person(row)
        if person.ref in seen:
            row.error(f"ref {person.ref!r} already appears at {seen[person.ref]}")
        elif person.ref is not None:
            seen[person.ref] = f"people[{i}]"
        people.append(person)
    return people


def _read_person(row: _Row) -> PersonRow:
    ref = row.text("ref", 40)
    if ref is not None and not REF_PATTERN.fullmatch(ref):
        row.error(f"ref {ref!r} must be lowercase letters, digits, '-' or '_'")
    email = row.text("email", 254, required=False)
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        row.error(f"email {email!r} is not an e-mail address")
    active = row.flag("active", required=False)
    return PersonRow(
        where=row.where,
        ref=ref,
        name=row.text("name", 120),
        mobile=row.phone("mobile"),
        email=email,
        language=row.language("language", required=False) or "fr",
        active=True if active is None else active,
    )


def _read_hotlines(rows: list[Any], errors: list[str]) -> list[HotlineRow]:
    hotlines: list[HotlineRow] = []
    seen: dict[str, str] = {}
    for i, data in enumerate(rows):
        number = data.get("number") if isinstance(data, dict) else None
        where = f"hotlines[{i}]" + (f" ({number})" if isinstance(number, str) else "")
        row = _Row(data, where, errors, HOTLINE_KEYS)
        if not row.ok:
            continue
        hotline = _read_hotline(row, f"hotlines[{i}]")
        normalised = hotline.settings["number"]
        if normalised in seen:
            row.error(f"number {normalised} already appears at {seen[normalised]}")
        elif normalised is not None:
            seen[normalised] = f"hotlines[{i}]"
        hotlines.append(hotline)
    return hotlines


def _read_hotline(row: _Row, prefix: str) -> HotlineRow:
    settings = {
        "number": row.phone("number"),
        "name": row.text("name", 120),
        "timezone": row.text("timezone", 64),
        "language": row.language("language"),
        "ring_timeout": row.number("ring_timeout", RING_TIMEOUT),
        "screening": row.flag("screening"),
        "fallback_number": row.phone("fallback_number", required=False),
        "greeting": row.text("greeting", 500, required=False),
        "voice": row.text("voice", 40, required=False),
        "voicemail_max_seconds": row.number(
            "voicemail_max_seconds", VOICEMAIL_SECONDS, required=False
        )
        or 120,
    }
    if settings["fallback_number"] and settings["fallback_number"] == settings["number"]:
        row.error("fallback_number is the hotline's own number: the call would ring it again")
    zone = _zone(row, settings["timezone"])
    hotline = HotlineRow(
        where=row.where,
        settings=settings,
        default_chain=_read_chain(row, "default_chain", allow_empty=True),
    )
    for i, data in enumerate(row.items("slots") or []):
        slot = _read_slot(data, f"{prefix}.slots[{i}]", zone, row.errors)
        if slot is not None:
            hotline.slots.append(slot)
    _check_overlaps(hotline.slots, row.errors)
    return hotline


def _zone(row: _Row, name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return known_zone(name)
    except PlanningError as exc:
        row.error(str(exc))
        return None


def _read_chain(row: _Row, key: str, allow_empty: bool) -> list[str]:
    """Return the refs of a chain; what cannot be read is reported and left out."""
    refs = row.items(key)
    if refs is None:
        return []
    if not refs and not allow_empty:
        row.error(f"{key} is empty: a slot needs at least one person")
    if not all(isinstance(ref, str) for ref in refs):
        row.error(f"{key} must list person refs (strings)")
        return []
    doubles = sorted(repeated(refs))
    if doubles:
        row.error(f"{key} names {', '.join(doubles)} more than once")
    return refs


def _read_slot(data: Any, prefix: str, zone: ZoneInfo | None, errors: list[str]) -> SlotRow | None:
    times = (data.get("start"), data.get("end")) if isinstance(data, dict) else (None, None)
    label = f" ({times[0]} -> {times[1]})" if all(isinstance(t, str) for t in times) else ""
    row = _Row(data, prefix + label, errors, SLOT_KEYS)
    if not row.ok:
        return None
    slot = SlotRow(
        where=row.where,
        starts_at=_slot_time(row, "start", zone),
        ends_at=_slot_time(row, "end", zone),
        chain=_read_chain(row, "chain", allow_empty=False),
        override=bool(row.flag("override", required=False)),
        note=row.text("note", 200, required=False),
    )
    if slot.starts_at is None or slot.ends_at is None:
        return slot
    try:
        check_span(slot.starts_at, slot.ends_at)
    except PlanningError as exc:
        row.error(str(exc))
    return slot


def _slot_time(row: _Row, key: str, zone: ZoneInfo | None) -> datetime | None:
    raw = row.text(key, 40)
    if raw is None or zone is None:
        return None
    try:
        return parse_slot_time(raw, zone)
    except InvalidLocalTime as exc:
        row.error(f"{key} {exc}")
        return None


def _check_overlaps(slots: list[SlotRow], errors: list[str]) -> None:
    # Regular slots never overlap each other, nor overrides each other; an override
    # lies over regular slots by design. Slots whose times are bad are already reported.
    for override in (False, True):
        timed = [
            (s.starts_at, s.ends_at, s.where)
            for s in slots
            if s.override is override
            and s.starts_at is not None
            and s.ends_at is not None
            and s.ends_at > s.starts_at
        ]
        kind = "override" if override else "regular"
        for where, earlier in overlapping(timed):
            errors.append(f"{where}: overlaps {kind} slot {earlier}")


def _check_refs(
    session: Session, people: list[PersonRow], hotlines: list[HotlineRow], errors: list[str]
) -> None:
    in_file = {p.ref for p in people if p.ref is not None}
    wanted = {ref for h in hotlines for ref in _chains(h)} - in_file
    known = in_file | _existing_refs(session, wanted)
    for hotline in hotlines:
        unknown = sorted(set(hotline.default_chain) - known)
        if unknown:
            errors.append(f"{hotline.where}: default_chain names unknown {_refs(unknown)}")
        for slot in hotline.slots:
            unknown = sorted(set(slot.chain) - known)
            if unknown:
                errors.append(f"{slot.where}: chain names unknown {_refs(unknown)}")


def _chains(hotline: HotlineRow) -> Iterable[str]:
    yield from hotline.default_chain
    for slot in hotline.slots:
        yield from slot.chain


def _refs(refs: list[str]) -> str:
    return ("person " if len(refs) == 1 else "people ") + ", ".join(refs)


def _existing_refs(session: Session, refs: set[str]) -> set[str]:
    if not refs:
        return set()
    return set(session.scalars(select(Person.ref).where(Person.ref.in_(refs))))


# -- writing --------------------------------------------------------------------------------


def import_planning(session: Session, document: Any) -> ImportSummary:
    """Upsert people and hotlines and replace each listed hotline's slots, all or nothing."""
    plan = read_planning(session, document)
    person_ids, added = _upsert_people(session, plan.people)
    mobiles = _mobile_warnings(session, plan.people, person_ids)
    wanted = {ref for h in plan.hotlines for ref in _chains(h)} - set(person_ids)
    if wanted:
        rows = session.execute(select(Person.ref, Person.id).where(Person.ref.in_(wanted)))
        person_ids.update((ref, person_id) for ref, person_id in rows)
    slots = replaced = 0
    absent: list[str] = []
    for row in plan.hotlines:
        hotline, action = _upsert_hotline(session, row.settings)
        before = _default_chain_ids(session, hotline.id)
        replaced += _delete_planning(session, hotline.id)
        chain = [person_ids[ref] for ref in row.default_chain]
        _add_default_chain(session, hotline.id, chain)
        audit.record_default_chain_change(
            session, hotline.id, action=action, before=before, after=chain, user_id=None
        )
        written = _add_slots(session, hotline.id, row, person_ids)
        absent += _absent_on_call(session, hotline, written)
        slots += len(row.slots)
    session.flush()
    _record_people_added(session, added)
    return ImportSummary(
        len(plan.people), len(plan.hotlines), slots, replaced, tuple(absent), tuple(mobiles)
    )


def _upsert_people(session: Session, rows: list[PersonRow]) -> tuple[dict[str, int], list[Person]]:
    """Write the file's people; return every ref's id, and the people added."""
    existing = {
        p.ref: p
        for p in session.scalars(select(Person).where(Person.ref.in_([r.ref for r in rows])))
    }
    # Imported here: people.py reads REF_PATTERN from this module.
    from hotline.planning.people import record_person_change

    before = {ref: audit.person_snapshot(person) for ref, person in existing.items()}
    added: list[Person] = []
    for row in rows:
        person = existing.get(row.ref)
        if person is None:
            person = Person(ref=row.ref)
            added.append(person)
        for name in ("name", "mobile", "email", "language", "active"):
            setattr(person, name, getattr(row, name))
        session.add(person)
        existing[row.ref] = person
    session.flush()
    for ref, snapshot in before.items():
        # Before the hotlines' chains are replaced: the lines go to the teams they left.
        record_person_change(session, existing[ref], before=snapshot, user_id=None)
    return {ref: person.id for ref, person in existing.items()}, added


def _mobile_warnings(
    session: Session, rows: list[PersonRow], person_ids: dict[str, int]
) -> list[str]:
    """A line per warning on the mobile of a person of the file (see number_checks).

    The import is not refused for it: a desk phone or a shared on-call phone is the
    team's choice; the lines say what it costs.
    """
    lines = []
    with force_locale("en"):  # the file's messages are in English, as its errors
        for row in rows:
            person = session.get(Person, person_ids[str(row.ref)])
            if person is not None:
                lines += [f"{row.where}: {w}" for w in number_warnings(session, person)]
    return lines


def _record_people_added(session: Session, added: list[Person]) -> None:
    """Log the people the file added, once the chains are written: each line goes to the
    hotlines they joined."""
    from hotline.planning.people import record_person_change

    for person in added:
        record_person_change(session, person, before=None, user_id=None)


def _upsert_hotline(session: Session, settings: dict[str, Any]) -> tuple[Hotline, str]:
    """The hotline with this number, updated or added, and which of the two (audit action)."""
    found = session.scalar(select(Hotline).where(Hotline.number == settings["number"]))
    hotline = found or Hotline()
    for name, value in settings.items():
        setattr(hotline, name, value)
    session.add(hotline)
    session.flush()
    return hotline, audit.UPDATE if found is not None else audit.CREATE


def _delete_planning(session: Session, hotline_id: int) -> int:
    """Remove a hotline's slots and default chain; return how many slots went."""
    slot_ids = select(Slot.id).where(Slot.hotline_id == hotline_id).scalar_subquery()
    # The default session synchronisation also drops the deleted rows from the
    # session, so new rows reusing their ids (SQLite does) do not clash with them.
    session.execute(delete(SlotResponder).where(SlotResponder.slot_id.in_(slot_ids)))
    result = session.execute(delete(Slot).where(Slot.hotline_id == hotline_id))
    session.execute(delete(DefaultResponder).where(DefaultResponder.hotline_id == hotline_id))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def _default_chain_ids(session: Session, hotline_id: int) -> list[int]:
    # hotline_settings.default_chain_ids, which cannot be imported from here (it imports us).
    return list(
        session.scalars(
            select(DefaultResponder.person_id)
            .where(DefaultResponder.hotline_id == hotline_id)
            .order_by(DefaultResponder.position)
        )
    )


def _add_default_chain(session: Session, hotline_id: int, chain: list[int]) -> None:
    session.add_all(
        DefaultResponder(hotline_id=hotline_id, position=i, person_id=pid)
        for i, pid in enumerate(chain)
    )


def _add_slots(
    session: Session, hotline_id: int, row: HotlineRow, ids: dict[str, int]
) -> dict[int, SlotRow]:
    """Insert the hotline's slots; return each file row by the id of its slot."""
    if not row.slots:
        return {}
    # Bulk INSERT ... RETURNING: a long planning loads in one round trip per table,
    # not one ORM object per slot and responder.
    slot_ids = session.scalars(
        insert(Slot).returning(Slot.id, sort_by_parameter_order=True),
        [
            {
                "hotline_id": hotline_id,
                "kind": OVERRIDE if slot.override else REGULAR,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "note": slot.note,
            }
            for slot in row.slots
        ],
    ).all()
    session.execute(
        insert(SlotResponder),
        [
            {"slot_id": slot_id, "position": i, "person_id": ids[ref]}
            for slot_id, slot in zip(slot_ids, row.slots, strict=True)
            for i, ref in enumerate(slot.chain)
        ],
    )
    return dict(zip(slot_ids, row.slots, strict=True))


def _absent_on_call(session: Session, hotline: Hotline, written: dict[int, SlotRow]) -> list[str]:
    """A line per place of the imported slots ringing somebody recorded as unavailable then.

    The import is not refused for it (the file is the planning wanted): the lines say
    what to fix.
    """
    if not written:
        return []
    start = min(row.starts_at for row in written.values() if row.starts_at is not None)
    end = max(row.ends_at for row in written.values() if row.ends_at is not None)
    zone = ZoneInfo(hotline.timezone)
    lines = []
    for found in absent_responders(session, start, end, hotline_ids=[hotline.id]):
        place = "primary" if found.position == 0 else f"backup {found.position}"
        lines.append(
            f"{written[found.slot.id].where}: {found.person_name} is recorded as unavailable "
            f"from {format_slot_time(found.starts_at, zone)} "
            f"to {format_slot_time(found.ends_at, zone)} and is on call then as {place}"
        )
    return lines


# -- export ---------------------------------------------------------------------------------


def export_planning(session: Session) -> dict[str, Any]:
    """Return the whole planning as a planning file that imports back to the same rows."""
    people = session.scalars(select(Person).order_by(Person.ref)).all()
    refs = {p.id: p.ref for p in people}
    hotlines = session.scalars(select(Hotline).order_by(Hotline.number)).all()
    return {
        "format": FORMAT,
        "people": [_export_person(p) for p in people],
        "hotlines": [_export_hotline(session, h, refs) for h in hotlines],
    }


def _export_person(person: Person) -> dict[str, Any]:
    return {"ref": person.ref, **audit.person_snapshot(person)}


def _export_hotline(session: Session, hotline: Hotline, refs: dict[int, str]) -> dict[str, Any]:
    zone = ZoneInfo(hotline.timezone)
    default_chain = _default_chain_ids(session, hotline.id)
    slots = session.scalars(
        select(Slot).where(Slot.hotline_id == hotline.id).options(selectinload(Slot.responders))
    ).all()
    # Regular slots never overlap each other, nor overrides: (start, kind) orders them fully.
    slots = sorted(slots, key=lambda s: (s.starts_at, s.kind != REGULAR))
    return {
        "number": hotline.number,
        "name": hotline.name,
        "timezone": hotline.timezone,
        "language": hotline.language,
        "ring_timeout": hotline.ring_timeout,
        "screening": hotline.screening,
        "fallback_number": hotline.fallback_number,
        "greeting": hotline.greeting,
        "voice": hotline.voice,
        "voicemail_max_seconds": hotline.voicemail_max_seconds,
        "default_chain": [refs[pid] for pid in default_chain],
        "slots": [_export_slot(s, zone, refs) for s in slots],
    }


def _export_slot(slot: Slot, zone: ZoneInfo, refs: dict[int, str]) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "start": format_slot_time(slot.starts_at, zone),
        "end": format_slot_time(slot.ends_at, zone),
        "chain": [refs[r.person_id] for r in slot.responders],
        "override": slot.kind == OVERRIDE,
    }
    if slot.note is not None:
        exported["note"] = slot.note
    return exported
