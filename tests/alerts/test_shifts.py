"""Shift reminders across DST; shift takes confirmed by SMS reply or key press, or escalated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from hotline.alerts import preferences
from hotline.alerts.models import AlertKind, ShiftTake
from tests.alerts.conftest import MINUTE
from tests.alerts.fakes import body_of
from tests.voice.conftest import CallDriver

PARIS = ZoneInfo("Europe/Paris")
SPRING_FORWARD = date(2026, 3, 29)  # 02:00 -> 03:00 in Paris
FALL_BACK = date(2026, 10, 25)  # 03:00 -> 02:00 in Paris


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


@pytest.fixture
def rota(make_hotline, make_person, make_slot, make_manager):
    """Bruno holds the night before `day`; Alice takes over at 08:00 local, Chloé backs her up."""

    def build(day: date):
        hotline = make_hotline(name="Astreinte IT", timezone="Europe/Paris")
        alice = make_person("Alice", email="alice@example.org", language="fr")
        bruno = make_person("Bruno", email="bruno@example.org", language="fr")
        chloe = make_person("Chloé", email="chloe@example.org", language="en")
        maud = make_person("Maud", email="maud@example.org", language="fr")
        make_manager(hotline, person=maud)
        eve = day - timedelta(days=1)
        make_slot(hotline, paris(eve, 20), paris(day, 8), [bruno, chloe])
        make_slot(hotline, paris(day, 8), paris(day, 20), [alice, chloe])
        return hotline, alice, bruno, chloe, maud

    return build


def sms_to(fake_twilio, person) -> list[str]:
    return [m["Body"] for m in fake_twilio.messages if m["To"] == person.mobile]


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK], ids=["spring-forward", "fall-back"])
def test_shift_reminder_fires_once_at_the_right_local_time_across_dst(
    rota, worker, fake_twilio, smtp_server, day
):
    _hotline, alice, *_ = rota(day)
    arrivals = []
    # From before midnight to the shift start, through the change of offset: every
    # half hour, then every minute from 07:00 to 07:45, then every five minutes
    # (an hour off either way, or a second reminder, would show).
    start = paris(day - timedelta(days=1), 23, 50)
    with time_machine.travel(start, tick=False) as traveller:
        moment = start
        while moment <= paris(day, 8) - MINUTE:
            traveller.move_to(moment)
            worker.tick()
            if sms_to(fake_twilio, alice) and not arrivals:
                arrivals.append(moment)
            moment += MINUTE

    assert [a.astimezone(PARIS).strftime("%H:%M") for a in arrivals] == ["07:30"]
    reminders = sms_to(fake_twilio, alice)
    assert len(reminders) == 1
    assert "commence dans 30 min" in reminders[0]
    assert f"{day:%d/%m/%Y} à 08:00" in reminders[0]
    mails = [m for m in smtp_server.messages if m["To"] == alice.email]
    assert [m["Subject"] for m in mails] == ["Votre astreinte Astreinte IT commence à 08:00"]
    assert "confirmation de prise de poste vous sera demandée" in body_of(mails[0])


def test_a_reminder_promises_no_confirmation_where_the_hotline_asks_none(
    rota, worker, smtp_server, db_session
):
    hotline, alice, *_ = rota(SPRING_FORWARD)
    preferences.set_hotline_alert(db_session, hotline.id, AlertKind.SHIFT_TAKE, False)
    db_session.flush()

    with time_machine.travel(paris(SPRING_FORWARD, 7, 30), tick=False):
        worker.tick()

    [mail] = [m for m in smtp_server.messages if m["To"] == alice.email]
    assert "c’est votre téléphone qui sonne en premier." in body_of(mail)
    assert "confirmation" not in body_of(mail)


def test_shift_take_confirmed_by_sms_reply(rota, worker, twilio, fake_twilio, db_session):
    hotline, alice, bruno, chloe, maud = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 0), tick=False) as traveller:
        worker.tick()
        [request] = [b for b in sms_to(fake_twilio, alice) if "Répondez OK" in b]

        # A call while Alice has not confirmed: Bruno, going off shift, is first backup.
        first = CallDriver(twilio, hotline, call_sid="CA" + "1" * 32)
        assert alice.mobile in first.incoming()
        assert bruno.mobile in first.dial_result(0, "no-answer", bridged=False)

        traveller.shift(timedelta(minutes=3))
        reply = twilio.post(
            "/sms/incoming",
            {"From": alice.mobile, "To": hotline.number, "Body": "Ok !", "MessageSid": "SM1"},
        )
        assert reply.status_code == 200
        assert "prise de poste confirmée sur Astreinte IT" in reply.get_data(as_text=True)

        # Confirmed: the chain is the planned one again.
        second = CallDriver(twilio, hotline, call_sid="CA" + "2" * 32)
        second.incoming()
        assert chloe.mobile in second.dial_result(0, "no-answer", bridged=False)

        traveller.shift(timedelta(minutes=20))
        worker.tick()

    take = db_session.scalar(select(ShiftTake).where(ShiftTake.person_id == alice.id))
    assert take.confirmed_via == "sms"
    assert take.confirmed_at == paris(SPRING_FORWARD, 8, 3)
    assert take.escalated_at is None
    assert not any("confirm" in b for b in sms_to(fake_twilio, maud))
    assert request.startswith("[Astreinte IT] Votre astreinte a commencé")


def test_unconfirmed_shift_alerts_the_managers_and_keeps_the_outgoing_agent(
    rota, worker, twilio, fake_twilio, smtp_server, db_session
):
    hotline, alice, bruno, chloe, maud = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 0), tick=False) as traveller:
        worker.tick()
        traveller.move_to(paris(SPRING_FORWARD, 8, 14))
        worker.tick()
        assert not [b for b in sms_to(fake_twilio, maud) if "confirm" in b]

        traveller.move_to(paris(SPRING_FORWARD, 8, 15))
        worker.tick()
        traveller.move_to(paris(SPRING_FORWARD, 9, 0))
        worker.tick()

        # An hour later, still unconfirmed: a call rings Alice, then Bruno, then Chloé.
        driver = CallDriver(twilio, hotline)
        assert alice.mobile in driver.incoming()
        assert bruno.mobile in driver.dial_result(0, "no-answer", bridged=False)
        assert chloe.mobile in driver.dial_result(1, "no-answer", bridged=False)

    [to_manager] = [b for b in sms_to(fake_twilio, maud) if "confirm" in b]
    assert "Alice n'a pas confirmé sa prise de poste" in to_manager
    assert "Bruno reste 1er renfort" in to_manager
    [mail] = [
        m for m in smtp_server.messages if m["To"] == maud.email and "confirm" in m["Subject"]
    ]
    assert "Bruno reste premier renfort" in body_of(mail)
    assert any("Bruno stays" in b or "Bruno reste" in b for b in sms_to(fake_twilio, bruno))


def test_shift_take_confirmed_by_key_press_on_the_confirmation_call(
    rota, worker, twilio, fake_twilio, db_session
):
    hotline, alice, *_ = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 1), tick=False):
        worker.tick()
    [call] = fake_twilio.calls
    assert call["To"] == alice.mobile
    assert call["From"] == hotline.number
    take = db_session.scalar(select(ShiftTake).where(ShiftTake.person_id == alice.id))
    assert call["Url"] == f"http://localhost/alerts/take-call?take={take.id}"

    answered = twilio.post(
        "/alerts/take-call", {"CallSid": "CA9", "To": alice.mobile}, {"take": take.id}
    )
    assert "<Gather" in answered.get_data(as_text=True)
    assert "Appuyez sur 1" in answered.get_data(as_text=True)
    pressed = twilio.post(
        "/alerts/take-call-result", {"CallSid": "CA9", "Digits": "1"}, {"take": take.id}
    )

    assert "confirmée" in pressed.get_data(as_text=True)
    db_session.expire_all()
    assert take.confirmed_via == "call"


@pytest.fixture
def alert_overrides(request):
    if request.node.name.startswith("test_shift_take_confirmed_by_key_press"):
        return {"SHIFT_CONFIRM_BY_CALL": True}
    return {}


def test_forged_sms_reply_is_refused_and_confirms_nothing(rota, worker, twilio, db_session):
    hotline, alice, *_ = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 0), tick=False):
        worker.tick()
        answer = twilio.post(
            "/sms/incoming", {"From": alice.mobile, "Body": "OK"}, signature="forged"
        )
    assert answer.status_code == 403
    take = db_session.scalar(select(ShiftTake).where(ShiftTake.person_id == alice.id))
    assert take.confirmed_at is None


def test_sms_reply_that_is_not_a_confirmation_gets_help(rota, worker, twilio, db_session):
    hotline, alice, *_ = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 0), tick=False):
        worker.tick()
        answer = twilio.post("/sms/incoming", {"From": alice.mobile, "Body": "qui est-ce ?"})
    assert "répondez OK" in answer.get_data(as_text=True)
    take = db_session.scalar(select(ShiftTake).where(ShiftTake.person_id == alice.id))
    assert take.confirmed_at is None


def test_a_text_with_no_shift_waiting_gets_no_instructions(rota, worker, twilio):
    hotline, alice, bruno, chloe, maud = rota(SPRING_FORWARD)
    with time_machine.travel(paris(SPRING_FORWARD, 8, 0), tick=False):
        worker.tick()  # Alice's take waits; Chloé has none
        answer = twilio.post("/sms/incoming", {"From": chloe.mobile, "Body": "hello"})

    assert answer.status_code == 200
    assert "OK" not in answer.get_data(as_text=True)
    assert "<Message" not in answer.get_data(as_text=True)
