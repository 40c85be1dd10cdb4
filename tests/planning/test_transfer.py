"""The planning file: all-or-nothing import, lossless export, DST-correct slot times, CLI."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline import create_app
from hotline.db import database
from hotline.demo import demo_planning
from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, AuditLog, DefaultResponder, Slot, SlotResponder
from hotline.planning.oncall import Route, resolve_chain
from hotline.planning.transfer import (
    PlanningFileError,
    export_planning,
    import_planning,
)
from hotline.planning.unavailability import add_unavailability
from tests.conftest import app_config

NUMBER = "+33184881234"
TABLES = (Person, Hotline, Slot, SlotResponder, DefaultResponder)


def planning(slots: list[dict[str, Any]] | None = None, **hotline: Any) -> dict[str, Any]:
    """A small valid planning file; tests spoil one row of it."""
    if slots is None:
        slots = [
            {"start": "2026-11-23T08:00", "end": "2026-11-23T20:00", "chain": ["alice", "bruno"]},
            {"start": "2026-11-23T20:00", "end": "2026-11-24T08:00", "chain": ["bruno", "alice"]},
            {
                "start": "2026-11-23T12:00",
                "end": "2026-11-23T14:00",
                "chain": ["chloe"],
                "override": True,
                "note": "Alice at the dentist",
            },
        ]
    return {
        "format": "hotline-planning/1",
        "people": [
            {"ref": "alice", "name": "Alice Martin", "mobile": "06 12 34 56 01"},
            {"ref": "bruno", "name": "Bruno Petit", "mobile": "+33612345602", "language": "fr"},
            {
                "ref": "chloe",
                "name": "Chloé Durand",
                "mobile": "+33 6 12 34 56 03",
                "email": "chloe@example.org",
                "language": "en",
                "active": True,
            },
        ],
        "hotlines": [
            {
                "number": NUMBER,
                "name": "Astreinte",
                "timezone": "Europe/Paris",
                "language": "fr",
                "ring_timeout": 20,
                "screening": True,
                "default_chain": ["alice", "bruno", "chloe"],
                "slots": slots,
                **hotline,
            }
        ],
    }


def counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def slot_times(session: Session) -> list[tuple[datetime, datetime]]:
    rows = session.execute(select(Slot.starts_at, Slot.ends_at).order_by(Slot.starts_at))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def rejected(session: Session, document: Any) -> list[str]:
    """Import a bad file, check it wrote nothing, and return its error lines."""
    before = counts(session)
    with pytest.raises(PlanningFileError) as excinfo:
        import_planning(session, document)
    assert counts(session) == before
    return excinfo.value.errors


# -- a valid file ---------------------------------------------------------------------------


def test_import_creates_people_hotline_and_slots(db_session):
    summary = import_planning(db_session, planning())

    assert str(summary) == "3 people, 1 hotline, 3 slots imported"
    assert counts(db_session) == {
        "person": 3,
        "hotline": 1,
        "slot": 3,
        "slot_responder": 5,
        "default_responder": 3,
    }
    alice = db_session.scalar(select(Person).where(Person.ref == "alice"))
    assert (alice.mobile, alice.language, alice.active) == ("+33612345601", "fr", True)
    hotline = db_session.scalar(select(Hotline))
    assert (hotline.number, hotline.timezone, hotline.ring_timeout) == (NUMBER, "Europe/Paris", 20)
    # November: Paris is UTC+1.
    assert slot_times(db_session)[0] == (utc(2026, 11, 23, 7), utc(2026, 11, 23, 19))
    override = db_session.scalar(select(Slot).where(Slot.kind == OVERRIDE))
    assert override.note == "Alice at the dentist"
    assert [r.person.ref for r in override.responders] == ["chloe"]


def test_imported_planning_routes_calls(db_session):
    import_planning(db_session, planning())
    hotline_id = db_session.scalar(select(Hotline.id))

    def on_call(at: datetime) -> list[str]:
        return [r.name for r in resolve_chain(db_session, hotline_id, at).responders]

    assert on_call(utc(2026, 11, 23, 10)) == ["Alice Martin", "Bruno Petit"]
    assert on_call(utc(2026, 11, 23, 12)) == ["Chloé Durand"]  # the override
    assert on_call(utc(2026, 11, 23, 20)) == ["Bruno Petit", "Alice Martin"]
    assert resolve_chain(db_session, hotline_id, utc(2026, 12, 1)).route is Route.DEFAULT


def test_import_replaces_the_slots_of_listed_hotlines_only(
    db_session, make_hotline, make_person, make_slot
):
    other = make_hotline("+33184889999", name="Other hotline")
    listed = make_hotline(NUMBER, name="Old name")
    dora = make_person("Dora", ref="dora", mobile="+33612345699")
    make_slot(other, utc(2026, 11, 1), utc(2026, 11, 2), [dora])
    make_slot(listed, utc(2026, 11, 1), utc(2026, 11, 2), [dora])
    make_slot(listed, utc(2026, 11, 2), utc(2026, 11, 3), [dora])

    summary = import_planning(db_session, planning())

    assert str(summary) == "3 people, 1 hotline, 3 slots imported (2 earlier slots replaced)"
    db_session.expire_all()
    assert listed.name == "Astreinte"
    listed_slots = db_session.scalars(select(Slot).where(Slot.hotline_id == listed.id)).all()
    assert len(listed_slots) == 3
    assert utc(2026, 11, 1) not in [s.starts_at for s in listed_slots]
    other_slots = db_session.scalars(select(Slot).where(Slot.hotline_id == other.id)).all()
    assert [(s.starts_at, s.responders[0].person_id) for s in other_slots] == [
        (utc(2026, 11, 1), dora.id)
    ]


def test_import_logs_the_default_chain_when_it_creates_or_changes_it(db_session):
    def chain_lines() -> list[tuple[str, list[str] | None, list[str]]]:
        lines = db_session.scalars(
            select(AuditLog).where(AuditLog.entity == "default_chain").order_by(AuditLog.id)
        )
        return [
            (
                line.action,
                None if line.before is None else [p["name"] for p in line.before["chain"]],
                [p["name"] for p in line.after["chain"]],
            )
            for line in lines
        ]

    import_planning(db_session, planning(default_chain=["alice"]))
    import_planning(db_session, planning(default_chain=["alice"]))  # the same: nothing to log
    import_planning(db_session, planning(default_chain=["bruno", "alice"]))

    assert chain_lines() == [
        ("create", [], ["Alice Martin"]),
        ("update", ["Alice Martin"], ["Bruno Petit", "Alice Martin"]),
    ]


def test_import_updates_people_by_ref(db_session):
    import_planning(db_session, planning())
    document = planning()
    document["people"][0].update(name="Alice Dupont", mobile="+33612345699", active=False)

    import_planning(db_session, document)

    alice = db_session.scalar(select(Person).where(Person.ref == "alice"))
    assert (alice.name, alice.mobile, alice.active) == ("Alice Dupont", "+33612345699", False)
    assert counts(db_session)["person"] == 3


def test_chain_may_name_a_person_already_in_the_database(db_session, make_person):
    make_person("Dora", ref="dora")
    document = planning(
        slots=[{"start": "2026-11-23T08:00", "end": "2026-11-23T20:00", "chain": ["dora"]}],
        default_chain=["dora"],
    )
    document["people"] = []

    assert str(import_planning(db_session, document)) == "0 people, 1 hotline, 1 slot imported"


def test_adjacent_slots_and_overrides_over_regular_slots_are_accepted(db_session):
    # The fixture file has both: 08-20 then 20-08, and an override at noon.
    import_planning(db_session, planning())
    assert counts(db_session)["slot"] == 3


# -- export ---------------------------------------------------------------------------------


def wipe(session: Session) -> None:
    for model in (SlotResponder, DefaultResponder, Slot, Hotline, Person):
        session.execute(delete(model))
    assert set(counts(session).values()) == {0}


def rich_planning() -> dict[str, Any]:
    document = planning(
        fallback_number="01 84 88 00 00",
        greeting="Bonjour, vous êtes sur l'astreinte.",
        voice="Polly.Lea",
        voicemail_max_seconds=300,
        screening=False,
    )
    document["people"].append(
        {"ref": "old-timer", "name": "Retired", "mobile": "+33612345604", "active": False}
    )
    document["hotlines"].append(
        {
            "number": "+442071838750",
            "name": "London desk",
            "timezone": "Europe/London",
            "language": "en",
            "ring_timeout": 30,
            "screening": True,
            "default_chain": [],
            "slots": [
                {"start": "2026-03-29T00:30", "end": "2026-03-29T09:00", "chain": ["chloe"]},
            ],
        }
    )
    return document


def test_export_then_import_into_an_empty_database_gives_the_same_file(db_session):
    import_planning(db_session, rich_planning())
    exported = export_planning(db_session)
    wipe(db_session)

    import_planning(db_session, copy.deepcopy(exported))

    assert export_planning(db_session) == exported


def test_export_writes_every_setting_and_local_times_with_offsets(db_session):
    import_planning(db_session, rich_planning())

    exported = export_planning(db_session)

    paris = exported["hotlines"][0]
    assert exported["format"] == "hotline-planning/1"
    assert [p["ref"] for p in exported["people"]] == ["alice", "bruno", "chloe", "old-timer"]
    assert exported["people"][3]["active"] is False
    assert paris["fallback_number"] == "+33184880000"
    assert (paris["voice"], paris["voicemail_max_seconds"], paris["screening"]) == (
        "Polly.Lea",
        300,
        False,
    )
    assert paris["default_chain"] == ["alice", "bruno", "chloe"]
    assert paris["slots"][0] == {
        "start": "2026-11-23T08:00:00+01:00",
        "end": "2026-11-23T20:00:00+01:00",
        "chain": ["alice", "bruno"],
        "override": False,
    }
    assert paris["slots"][1]["note"] == "Alice at the dentist"
    assert paris["slots"][1]["override"] is True
    # London springs forward at 01:00 on 2026-03-29: 09:00 is already BST.
    assert exported["hotlines"][1]["slots"][0]["end"] == "2026-03-29T09:00:00+01:00"


def test_demo_planning_round_trips(db_session):
    import_planning(db_session, demo_planning(date(2026, 3, 23)))
    exported = export_planning(db_session)
    wipe(db_session)

    summary = import_planning(db_session, copy.deepcopy(exported))

    assert str(summary) == "3 people, 1 hotline, 28 slots imported"
    assert export_planning(db_session) == exported


# -- daylight saving time -------------------------------------------------------------------


def test_slot_times_on_spring_forward_day_convert_to_the_right_instants(db_session):
    slots = [
        {"start": "2026-03-28T20:00", "end": "2026-03-29T08:00", "chain": ["alice"]},
        {"start": "2026-03-29T08:00", "end": "2026-03-29T20:00", "chain": ["bruno"]},
    ]
    import_planning(db_session, planning(slots))

    # 20:00 is still UTC+1; 08:00 the next morning is already UTC+2: an 11-hour night.
    assert slot_times(db_session) == [
        (utc(2026, 3, 28, 19), utc(2026, 3, 29, 6)),
        (utc(2026, 3, 29, 6), utc(2026, 3, 29, 18)),
    ]
    starts = [s["start"] for s in export_planning(db_session)["hotlines"][0]["slots"]]
    assert starts == ["2026-03-28T20:00:00+01:00", "2026-03-29T08:00:00+02:00"]


def test_slot_times_on_fall_back_day_convert_to_the_right_instants(db_session):
    slots = [
        {"start": "2026-10-24T20:00", "end": "2026-10-25T08:00", "chain": ["alice"]},
        {"start": "2026-10-25T08:00", "end": "2026-10-25T20:00", "chain": ["bruno"]},
    ]
    import_planning(db_session, planning(slots))

    # 20:00 is still UTC+2; 08:00 the next morning is back to UTC+1: a 13-hour night.
    assert slot_times(db_session) == [
        (utc(2026, 10, 24, 18), utc(2026, 10, 25, 7)),
        (utc(2026, 10, 25, 7), utc(2026, 10, 25, 19)),
    ]
    hotline_id = db_session.scalar(select(Hotline.id))
    night = resolve_chain(db_session, hotline_id, utc(2026, 10, 25, 6, 59))
    day = resolve_chain(db_session, hotline_id, utc(2026, 10, 25, 7))
    assert [r.name for r in night.responders] == ["Alice Martin"]
    assert [r.name for r in day.responders] == ["Bruno Petit"]


def test_time_skipped_by_spring_forward_is_rejected(db_session):
    slots = [{"start": "2026-03-29T02:30", "end": "2026-03-29T08:00", "chain": ["alice"]}]

    assert rejected(db_session, planning(slots)) == [
        "hotlines[0].slots[0] (2026-03-29T02:30 -> 2026-03-29T08:00): start 2026-03-29T02:30 "
        "does not exist in Europe/Paris: the clocks jump forward over it that day"
    ]


def test_time_repeated_by_fall_back_is_rejected_asking_for_an_offset(db_session):
    slots = [{"start": "2026-10-24T20:00", "end": "2026-10-25T02:30", "chain": ["alice"]}]

    (error,) = rejected(db_session, planning(slots))

    assert error.startswith("hotlines[0].slots[0] (2026-10-24T20:00 -> 2026-10-25T02:30): end ")
    assert "happens twice in Europe/Paris" in error
    assert "2026-10-25T02:30+02:00 or 2026-10-25T02:30+01:00" in error


def test_repeated_time_with_its_offset_is_accepted(db_session):
    slots = [
        {"start": "2026-10-24T20:00", "end": "2026-10-25T02:30+02:00", "chain": ["alice"]},
        {"start": "2026-10-25T02:30+02:00", "end": "2026-10-25T02:30+01:00", "chain": ["bruno"]},
        {"start": "2026-10-25T01:30Z", "end": "2026-10-25T08:00", "chain": ["chloe"]},
    ]
    import_planning(db_session, planning(slots))

    assert slot_times(db_session) == [
        (utc(2026, 10, 24, 18), utc(2026, 10, 25, 0, 30)),
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 7)),
    ]


# -- bad files: the row is named, nothing is written ----------------------------------------


def spoil_slot(index: int, **fields: Any) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        document["hotlines"][0]["slots"][index].update(fields)

    return spoil


def spoil_hotline(**fields: Any) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        document["hotlines"][0].update(fields)

    return spoil


def spoil_person(index: int, **fields: Any) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        document["people"][index].update(fields)

    return spoil


def drop_hotline_field(name: str) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        del document["hotlines"][0][name]

    return spoil


def add_hotline(**fields: Any) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        document["hotlines"].append({**copy.deepcopy(document["hotlines"][0]), **fields})

    return spoil


def add_person(**fields: Any) -> Any:
    def spoil(document: dict[str, Any]) -> None:
        document["people"].append({"name": "Someone", "mobile": "+33612345670", **fields})

    return spoil


HOTLINE = f"hotlines[0] ({NUMBER})"
DAY = "hotlines[0].slots[0] (2026-11-23T08:00 -> 2026-11-23T20:00)"
NIGHT = "hotlines[0].slots[1] (2026-11-23T20:00 -> 2026-11-24T08:00)"

BAD_FILES = {
    "bad hotline number": (
        spoil_hotline(number="+33 1 23"),
        "hotlines[0] (+33 1 23): number '+33 1 23': not a valid phone number",
    ),
    "bad mobile": (
        spoil_person(1, mobile="0612"),
        "people[1] (bruno): mobile '0612': not a valid phone number",
    ),
    "bad fallback number": (
        spoil_hotline(fallback_number="emergency"),
        f"{HOTLINE}: fallback_number 'emergency': not a valid phone number",
    ),
    "fallback is the hotline itself": (
        spoil_hotline(fallback_number=NUMBER),
        f"{HOTLINE}: fallback_number is the hotline's own number: the call would ring it again",
    ),
    "end before start": (
        spoil_slot(0, end="2026-11-23T07:00"),
        "hotlines[0].slots[0] (2026-11-23T08:00 -> 2026-11-23T07:00): end is before start",
    ),
    "end equals start": (
        spoil_slot(0, end="2026-11-23T08:00"),
        "hotlines[0].slots[0] (2026-11-23T08:00 -> 2026-11-23T08:00): "
        "end equals start: a slot must last",
    ),
    "slot longer than a month": (
        spoil_slot(1, end="2027-11-24T08:00"),
        "hotlines[0].slots[1] (2026-11-23T20:00 -> 2027-11-24T08:00): slot is longer than 31 days",
    ),
    "not a time": (
        spoil_slot(0, start="23/11/2026 08:00"),
        "hotlines[0].slots[0] (23/11/2026 08:00 -> 2026-11-23T20:00): start '23/11/2026 08:00' "
        "is not a date and time like 2026-03-29T08:00",
    ),
    "unknown person in chain": (
        spoil_slot(1, chain=["bruno", "zoe"]),
        f"{NIGHT}: chain names unknown person zoe",
    ),
    "unknown person in default chain": (
        spoil_hotline(default_chain=["alice", "yann", "zoe"]),
        f"{HOTLINE}: default_chain names unknown people yann, zoe",
    ),
    "person twice in a chain": (
        spoil_slot(0, chain=["alice", "bruno", "alice"]),
        f"{DAY}: chain names alice more than once",
    ),
    "empty chain": (
        spoil_slot(0, chain=[]),
        f"{DAY}: chain is empty: a slot needs at least one person",
    ),
    "overlapping regular slots": (
        spoil_slot(1, start="2026-11-23T19:00"),
        f"hotlines[0].slots[1] (2026-11-23T19:00 -> 2026-11-24T08:00): overlaps regular slot {DAY}",
    ),
    "overlapping overrides": (
        lambda d: d["hotlines"][0]["slots"].append(
            {"start": "2026-11-23T13:00", "end": "2026-11-23T15:00", "chain": ["bruno"]}
            | {"override": True}
        ),
        "hotlines[0].slots[3] (2026-11-23T13:00 -> 2026-11-23T15:00): overlaps override slot "
        "hotlines[0].slots[2] (2026-11-23T12:00 -> 2026-11-23T14:00)",
    ),
    "unknown time zone": (
        spoil_hotline(timezone="Europe/Pariss"),
        f"{HOTLINE}: timezone 'Europe/Pariss' is not a known IANA time zone (like Europe/Paris)",
    ),
    "unknown hotline language": (
        spoil_hotline(language="de"),
        f"{HOTLINE}: language 'de' is not one of fr, en",
    ),
    "unknown person language": (
        spoil_person(0, language="es"),
        "people[0] (alice): language 'es' is not one of fr, en",
    ),
    "ring timeout too short": (
        spoil_hotline(ring_timeout=4),
        f"{HOTLINE}: ring_timeout 4 is outside 5..600",
    ),
    "ring timeout too long": (
        spoil_hotline(ring_timeout=601),
        f"{HOTLINE}: ring_timeout 601 is outside 5..600",
    ),
    "ring timeout as text": (
        spoil_hotline(ring_timeout="20"),
        f"{HOTLINE}: ring_timeout must be a whole number, got a string",
    ),
    "screening as text": (
        spoil_hotline(screening="yes"),
        f"{HOTLINE}: screening must be true or false, got a string",
    ),
    "override as a number": (
        spoil_slot(2, override=1),
        "hotlines[0].slots[2] (2026-11-23T12:00 -> 2026-11-23T14:00): "
        "override must be true or false, got the number 1",
    ),
    "missing hotline name": (drop_hotline_field("name"), f"{HOTLINE}: name is missing"),
    "missing slots": (drop_hotline_field("slots"), f"{HOTLINE}: slots is missing"),
    "misspelt field": (
        spoil_hotline(ring_timout=30),
        f"{HOTLINE}: unknown field 'ring_timout'",
    ),
    "duplicate ref": (
        add_person(ref="alice"),
        "people[3] (alice): ref 'alice' already appears at people[0]",
    ),
    "bad ref": (
        add_person(ref="Zoé"),
        "people[3] (Zoé): ref 'Zoé' must be lowercase letters, digits, '-' or '_'",
    ),
    "same number written twice": (
        add_hotline(number="01 84 88 12 34"),
        "hotlines[1] (01 84 88 12 34): number +33184881234 already appears at hotlines[0]",
    ),
    "unknown format": (
        lambda d: d.update(format="hotline-planning/2"),
        "file: format 'hotline-planning/2' is not supported (expected 'hotline-planning/1')",
    ),
    "people not a list": (
        lambda d: d.update(people={"alice": {}}),
        "file: people must be a list, got an object",
    ),
}


@pytest.mark.parametrize(("spoil", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_row_rejects_the_whole_file_naming_the_row(db_session, spoil, message):
    document = planning()
    spoil(document)

    errors = rejected(db_session, document)

    assert message in errors
    assert set(counts(db_session).values()) == {0}


def test_rejected_file_leaves_the_existing_planning_untouched(db_session):
    import_planning(db_session, planning())
    before = export_planning(db_session)
    document = planning()
    document["people"][0]["name"] = "Renamed"
    document["hotlines"][0]["name"] = "Renamed"
    document["hotlines"][0]["slots"].pop(0)
    document["hotlines"][0]["slots"][0]["end"] = "2026-11-23T19:00"

    rejected(db_session, document)

    assert export_planning(db_session) == before


def test_every_bad_row_is_reported_at_once(db_session):
    document = planning()
    document["people"][1]["mobile"] = "12"
    document["hotlines"][0]["slots"][0]["end"] = "2026-11-23T07:00"
    document["hotlines"][0]["slots"][1]["chain"] = ["nobody"]

    errors = rejected(db_session, document)

    assert errors == [
        "people[1] (bruno): mobile '12': not a valid phone number",
        "hotlines[0].slots[0] (2026-11-23T08:00 -> 2026-11-23T07:00): end is before start",
        f"{NIGHT}: chain names unknown person nobody",
    ]


def test_a_document_that_is_not_an_object_is_rejected(db_session):
    assert rejected(db_session, ["format"]) == ["file: expected an object, got a list"]


# -- command line ---------------------------------------------------------------------------


def test_cli_import_prints_the_summary(runner, db_session, tmp_path):
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(planning()), encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout == "3 people, 1 hotline, 3 slots imported\n"
    assert counts(db_session)["slot"] == 3


def test_cli_import_of_a_bad_file_lists_every_error_and_exits_1(runner, db_session, tmp_path):
    document = planning()
    document["people"][0]["mobile"] = "0612"
    document["hotlines"][0]["slots"][1]["end"] = "2026-11-23T19:00"
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: rejected, nothing imported (2 errors):",
        "  people[0] (alice): mobile '0612': not a valid phone number",
        "  hotlines[0].slots[1] (2026-11-23T20:00 -> 2026-11-23T19:00): end is before start",
    ]
    assert set(counts(db_session).values()) == {0}


def test_cli_import_of_a_file_that_is_not_json_exits_1(runner, db_session, tmp_path):
    path = tmp_path / "planning.json"
    path.write_text("format: hotline-planning/1\n", encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 1
    assert "not a JSON file: Expecting value: line 1 column 1" in result.stderr
    assert set(counts(db_session).values()) == {0}


def test_cli_export_writes_the_planning_to_stdout_or_a_file(runner, db_session, tmp_path):
    import_planning(db_session, planning())

    to_stdout = runner.invoke(args=["planning", "export"])
    path = tmp_path / "out.json"
    to_file = runner.invoke(args=["planning", "export", str(path)])

    assert to_stdout.exit_code == 0, to_stdout.output
    assert to_file.exit_code == 0, to_file.output
    assert json.loads(to_stdout.stdout) == export_planning(db_session)
    assert path.read_text(encoding="utf-8") == to_stdout.stdout
    assert "Chloé Durand" in to_stdout.stdout  # written as UTF-8, not \\u escapes
    # One line per slot, so that a planning reads and diffs slot by slot.
    assert (
        '        {"start": "2026-11-23T08:00:00+01:00", "end": "2026-11-23T20:00:00+01:00", '
        '"chain": ["alice", "bruno"], "override": false},'
    ) in to_stdout.stdout.splitlines()


def test_cli_export_of_an_empty_database_is_a_valid_empty_file(runner, db_session):
    result = runner.invoke(args=["planning", "export"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "format": "hotline-planning/1",
        "people": [],
        "hotlines": [],
    }


def test_cli_export_then_import_round_trips(runner, db_session, tmp_path):
    import_planning(db_session, rich_planning())
    path = tmp_path / "out.json"
    assert runner.invoke(args=["planning", "export", str(path)]).exit_code == 0
    exported = json.loads(path.read_text(encoding="utf-8"))
    wipe(db_session)

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.stdout == "4 people, 2 hotlines, 4 slots imported\n"
    assert export_planning(db_session) == exported


def test_seed_demo_loads_the_demo_planning_and_can_run_again(tmp_path):
    # A database of its own: seed-demo migrates and commits like a real first run.
    app = create_app(app_config(f"sqlite:///{tmp_path / 'demo.sqlite3'}"))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    exported = runner.invoke(args=["planning", "export"])
    database(app).engine.dispose()

    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("3 people, 1 hotline, 28 slots imported")
    assert second.stdout == ("3 people, 1 hotline, 28 slots imported (28 earlier slots replaced)\n")
    document = json.loads(exported.stdout)
    assert [p["ref"] for p in document["people"]] == ["alice", "bruno", "chloe"]
    assert len(document["hotlines"][0]["slots"]) == 28


def test_cli_import_warns_of_slots_ringing_somebody_away_and_imports_them(
    runner, db_session, tmp_path
):
    import_planning(db_session, planning(slots=[]))
    bruno = db_session.scalar(select(Person).where(Person.ref == "bruno"))
    # Bruno is off sick on the night of 23 November, when he is the night's primary.
    add_unavailability(db_session, bruno.id, starts_at=datetime(2026, 11, 23, 22, tzinfo=UTC),
                       ends_at=datetime(2026, 11, 24, 3, tzinfo=UTC), kind="sickness",
                       user_id=None)  # fmt: skip
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(planning()), encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "3 people, 1 hotline, 3 slots imported",
        "warning: hotlines[0].slots[1] (2026-11-23T20:00 -> 2026-11-24T08:00): Bruno Petit is "
        "recorded as unavailable from 2026-11-23T23:00:00+01:00 to 2026-11-24T04:00:00+01:00 "
        "and is on call then as primary",
    ]
    assert counts(db_session)["slot"] == 3


def test_cli_import_warns_of_a_landline_and_a_shared_number_and_imports_them(
    runner, db_session, make_person, tmp_path
):
    make_person("Daniel Roux", mobile="+33612345602")  # already in the database
    document = planning()
    document["people"][0]["mobile"] = "01 84"  # a number too short is still refused
    path = tmp_path / "planning.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    refused = runner.invoke(args=["planning", "import", str(path)])
    assert refused.exit_code == 1
    assert "warning:" not in refused.output
    assert counts(db_session)["person"] == 1
    document["people"][0]["mobile"] = "01 84 88 12 35"  # Alice's desk phone
    path.write_text(json.dumps(document), encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "3 people, 1 hotline, 3 slots imported",
        "warning: people[0] (alice): 01 84 88 12 35 is a landline: calls can ring it, but SMS "
        "alerts (missed calls, voicemails, shift reminders) cannot reach it.",
        "warning: people[1] (bruno): 06 12 34 56 02 is also the number of Daniel Roux: both "
        "ring the same phone, it gets the SMS alerts of each, and the call records cannot tell "
        "which of them answered.",
    ]
    mobiles = dict(db_session.execute(select(Person.ref, Person.mobile)).all())
    assert (mobiles["alice"], mobiles["bruno"]) == ("+33184881235", "+33612345602")
