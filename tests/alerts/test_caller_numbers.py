"""A caller's number on the calls pages: in full to whoever an alert gave it to call back.

Managers and agents see callers masked (STATS_UNMASKED_ROLES), but the missed-call
alert sends them the number in full: on that call's page, its row in the list and
the CSV they see it as the alert wrote it, and every other caller stays masked.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.alerts.models import AlertKind, Channel, PersonAlertSetting
from hotline.auth.models import User
from hotline.voice.models import Call
from tests.alerts.conftest import miss_the_call
from tests.conftest import sign_in_client
from tests.voice.conftest import CallDriver

MISSED_CALLER, ANSWERED_CALLER = "+33699887766", "+33611223344"


def answer_a_call(twilio, hotline) -> CallDriver:
    """Another caller, whom the primary answers: nobody is alerted."""
    driver = CallDriver(twilio, hotline, call_sid="CA" + "2" * 32, caller=ANSWERED_CALLER)
    driver.incoming()
    driver.press(0, "1")
    driver.dial_result(0, "completed", bridged=True, duration=30)
    driver.status("completed", 40)
    return driver


def call_id(db_session, driver: CallDriver) -> int:
    return db_session.scalar(select(Call.id).where(Call.call_sid == driver.call_sid))


def shown_callers(client, db_session, hotline, *drivers: CallDriver) -> list[tuple[str, ...]]:
    """For each call: its caller on its page, in the call list, and in the CSV."""
    listed = client.get(f"/stats/calls?hotline={hotline.id}").get_data(as_text=True)
    csv = client.get(f"/stats/calls.csv?hotline={hotline.id}").get_data(as_text=True)
    shown = []
    for driver in drivers:
        calls_id = call_id(db_session, driver)
        page = client.get(f"/stats/calls/{calls_id}").get_data(as_text=True)
        [on_page] = re.findall(r'<dd class="caller">([^<]*)</dd>', page)
        [row] = re.findall(
            rf'data-call="{calls_id}".*?<td class="caller">([^<]*)</td>', listed, re.S
        )
        in_csv = [line.split(";")[2] for line in csv.splitlines()[1:]]
        shown.append((on_page, row, *(c for c in in_csv if c.endswith(driver.caller[-2:]))))
    return shown


@pytest.fixture
def calls(twilio, team, worker):
    """A missed call (with a message) and an answered one, the alerts sent."""
    hotline, *_ = team
    missed = CallDriver(twilio, hotline, caller=MISSED_CALLER)
    miss_the_call(missed)
    answered = answer_a_call(twilio, hotline)
    worker.run()
    return missed, answered


def test_the_manager_sees_in_full_the_caller_the_alert_named_and_no_other(
    team, calls, fake_twilio, db_session, client
):
    hotline, _people, maud = team
    manager = db_session.scalar(select(User).where(User.person_id == maud.id))
    [alert] = [m["Body"] for m in fake_twilio.messages if m["To"] == maud.mobile]
    assert "06 99 88 77 66" in alert
    sign_in_client(client, db_session, manager)

    missed, answered = shown_callers(client, db_session, hotline, *calls)

    assert missed == ("06 99 88 77 66", "06 99 88 77 66", "'+33699887766")
    assert answered == ("+33•••••••44", "+33•••••••44", "'+33•••••••44")


def test_an_agent_rung_sees_the_caller_only_when_an_alert_named_them(
    team, twilio, worker, db_session, client, make_user
):
    hotline, people, _maud = team
    alice, bruno = people[0], people[1]
    for channel in (Channel.SMS, Channel.EMAIL):  # Bruno wants no missed-call alert at all
        db_session.add(
            PersonAlertSetting(
                person_id=bruno.id, kind=AlertKind.MISSED_CALL, channel=channel, enabled=False
            )
        )
    db_session.flush()
    missed = CallDriver(twilio, hotline, caller=MISSED_CALLER)
    miss_the_call(missed)
    worker.run()
    page = f"/stats/calls/{call_id(db_session, missed)}"

    sign_in_client(client, db_session, make_user("agent", person=alice))
    told = client.get(page).get_data(as_text=True)
    sign_in_client(client, db_session, make_user("agent", person=bruno))
    not_told = client.get(page).get_data(as_text=True)

    assert '<dd class="caller">06 99 88 77 66</dd>' in told
    assert re.findall(r'<dd class="caller">([^<]*)</dd>', not_told) == ["+33•••••••66"]
