"""The daily coverage-gap digest to managers, at the hotline's local hour."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from hotline.alerts.coverage import coverage_gaps
from tests.alerts.fakes import body_of

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 6, 1)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def test_gaps_are_the_spans_no_staffed_slot_covers(
    make_hotline, make_person, make_slot, db_session
):
    hotline = make_hotline()
    alice = make_person("Alice")
    gone = make_person("Gone", active=False)
    make_slot(hotline, paris(DAY, 8), paris(DAY, 20), [alice])
    make_slot(hotline, paris(DAY, 20), paris(DAY + timedelta(days=1), 8), [gone])
    make_slot(
        hotline, paris(DAY + timedelta(days=1), 12), paris(DAY + timedelta(days=2), 0), [alice]
    )

    gaps = coverage_gaps(db_session, hotline.id, paris(DAY, 0), paris(DAY + timedelta(days=2), 0))

    assert gaps == [
        (paris(DAY, 0), paris(DAY, 8)),
        (paris(DAY, 20), paris(DAY + timedelta(days=1), 12)),  # nobody active at night
    ]


def test_digest_goes_to_managers_once_a_day_from_the_local_hour(
    make_hotline, make_person, make_slot, make_manager, worker, smtp_server, fake_twilio
):
    hotline = make_hotline(name="Astreinte IT", timezone="Europe/Paris")
    alice = make_person("Alice")
    maud = make_person("Maud", email="maud@example.org")
    make_manager(hotline, person=maud)
    # Covered all week except Wednesday 08:00-20:00.
    make_slot(hotline, paris(DAY, 0), paris(DAY + timedelta(days=2), 8), [alice])
    make_slot(
        hotline, paris(DAY + timedelta(days=2), 20), paris(DAY + timedelta(days=9), 0), [alice]
    )

    with time_machine.travel(paris(DAY, 7, 59), tick=False) as traveller:
        worker.tick()
        assert smtp_server.messages == []
        traveller.move_to(paris(DAY, 8, 0))
        worker.tick()
        traveller.move_to(paris(DAY, 15, 0))
        worker.tick()

    [mail] = smtp_server.messages
    assert mail["To"] == "maud@example.org"
    assert mail["Subject"] == "1 trou dans le planning Astreinte IT"
    assert "du 03/06/2026 à 08:00 au 03/06/2026 à 20:00" in body_of(mail)
    [sms] = [m for m in fake_twilio.messages if m["To"] == maud.mobile]
    assert "1 trou dans" in sms["Body"]


def test_no_digest_when_the_planning_is_complete(
    make_hotline, make_person, make_slot, make_manager, worker, smtp_server
):
    hotline = make_hotline(timezone="Europe/Paris")
    alice = make_person("Alice")
    make_manager(hotline, person=make_person("Maud", email="maud@example.org"))
    make_slot(hotline, paris(DAY, 0), paris(DAY + timedelta(days=9), 0), [alice])

    with time_machine.travel(paris(DAY, 8, 0), tick=False):
        worker.tick()

    assert smtp_server.messages == []


def test_no_digest_when_the_default_chain_takes_the_unplanned_hours(
    make_hotline, make_person, make_slot, make_manager, set_default_chain, worker, smtp_server
):
    hotline = make_hotline(timezone="Europe/Paris")
    alice = make_person("Alice")
    make_manager(hotline, person=make_person("Maud", email="maud@example.org"))
    # Wednesday 08:00-20:00 has no slot, but the default chain rings then.
    make_slot(hotline, paris(DAY, 0), paris(DAY + timedelta(days=2), 8), [alice])
    make_slot(
        hotline, paris(DAY + timedelta(days=2), 20), paris(DAY + timedelta(days=9), 0), [alice]
    )
    set_default_chain(hotline, [make_person("Bruno")])

    with time_machine.travel(paris(DAY, 8, 0), tick=False):
        worker.tick()

    assert smtp_server.messages == []


def wednesday_gap_digest(hotline, make_person, make_slot, make_manager, worker, smtp_server):
    """The digest Maud gets for a week covered except Wednesday 08:00-20:00."""
    alice = make_person("Alice")
    make_manager(hotline, person=make_person("Maud", email="maud@example.org"))
    make_slot(hotline, paris(DAY, 0), paris(DAY + timedelta(days=2), 8), [alice])
    make_slot(
        hotline, paris(DAY + timedelta(days=2), 20), paris(DAY + timedelta(days=9), 0), [alice]
    )
    with time_machine.travel(paris(DAY, 8, 0), tick=False):
        worker.tick()
    [mail] = smtp_server.messages
    return body_of(mail)


def test_digest_says_the_fallback_number_takes_the_calls_of_a_gap(
    make_hotline, make_person, make_slot, make_manager, worker, smtp_server
):
    hotline = make_hotline(timezone="Europe/Paris", fallback_number="+33612000999")

    body = wednesday_gap_digest(hotline, make_person, make_slot, make_manager, worker, smtp_server)

    assert "les appels vont au numéro de secours 06 12 00 09 99, puis à la messagerie" in body
    assert "ne sonne chez personne" not in body


def test_digest_says_the_calls_of_a_gap_go_straight_to_voicemail(
    make_hotline, make_person, make_slot, make_manager, worker, smtp_server
):
    hotline = make_hotline(timezone="Europe/Paris")

    body = wednesday_gap_digest(hotline, make_person, make_slot, make_manager, worker, smtp_server)

    assert "les appels vont directement à la messagerie" in body
    assert "secours" not in body
