"""The call list, its filters and paging, a call's timeline, and the CSV of the list."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.stats.calls import CallFilters, count_calls
from hotline.voice.models import Call
from tests.voice.conftest import CallDriver

from .conftest import MARCH
from .page_tools import MARCH as MARCH_ARGS
from .page_tools import call_ids, csv_rows, field_errors, form_errors, text_of, url

# The week's calls to its hotline in March, newest first (see conftest).
NEWEST_FIRST = [11, 14, 9, 8, 7, 6, 5, 4, 3, 2, 1, 12]


@pytest.fixture
def supervisor(login_as, week):
    return login_as("supervisor", hotlines=(week.hotline,), language="en")


def listed(client, week, **args):
    return client.get(url("/stats/calls", **{"hotline": week.hotline.id, **MARCH_ARGS, **args}))


def numbers(week, ids):
    return [week.calls[n].id for n in ids]


def test_list_shows_the_periods_calls_newest_first(client, db_session, week, supervisor):
    response = listed(client, week)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert call_ids(page) == numbers(week, NEWEST_FIRST)
    total = count_calls(db_session, CallFilters(MARCH, week.hotline.id))
    assert text_of(page, "data-total", str(total)) == "12 calls"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"outcome": "answered"}, [11, 9, 8, 7, 3, 2, 1, 12]),
        ({"outcome": "voicemail"}, [4]),
        ({"caller": "07 99 88"}, [5]),  # typed the national way
        ({"caller": "0033 7 99"}, [5]),
        ({"caller": "99 88 77"}, [5]),
        ({"caller": "06 99"}, []),
        ({"outcome": "missed", "caller": "+3379"}, [5]),
    ],
)
def test_filters_keep_the_matching_calls(client, week, supervisor, args, expected):
    page = listed(client, week, **args).get_data(as_text=True)

    assert call_ids(page) == numbers(week, expected)


def test_agent_filter_keeps_the_calls_that_rang_them(client, week, supervisor):
    page = listed(client, week, agent=week.chloe.id).get_data(as_text=True)

    assert call_ids(page) == numbers(week, [5, 4, 3])


def test_pages_follow_each_other_without_overlap(client, week, supervisor):
    seen = []
    next_url = url("/stats/calls", hotline=week.hotline.id, page_size=5, **MARCH_ARGS)
    pages = 0
    while next_url:
        page = client.get(next_url).get_data(as_text=True)
        seen.append(call_ids(page))
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        next_url = found[1].replace("&amp;", "&") if found else None
        pages += 1
        assert pages < 5

    assert seen == [numbers(week, ids) for ids in ([11, 14, 9, 8, 7], [6, 5, 4, 3, 2], [1, 12])]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"page_size": "0"}, "page_size", "Show 1 to 200 calls a page."),
        ({"page_size": "1000000"}, "page_size", "Show 1 to 200 calls a page."),
        ({"page_size": "many"}, "page_size", "Show 1 to 200 calls a page."),
        ({"agent": "999999"}, "agent", "There is no agent 999999."),
        ({"outcome": "lost"}, "outcome", "Choose an outcome from the list."),
        ({"caller": "abc"}, "caller", "Give digits of the caller's number."),
        ({"start": "2026-04-01"}, "end", "The period ends before it starts."),
    ],
)
def test_bad_filters_are_refused_at_their_field(client, week, supervisor, args, field, message):
    response = listed(client, week, **args)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_errors(page, field)
    assert call_ids(page) == []


@pytest.mark.parametrize("typed", ["many", "2.5"])
def test_a_page_size_that_is_not_a_whole_number_in_range_gets_one_message(
    client, week, supervisor, typed
):
    response = listed(client, week, page_size=typed)

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "page_size") == [
        "Show 1 to 200 calls a page."
    ]


def test_damaged_page_link_is_refused_with_a_message(client, week, supervisor):
    response = listed(client, week, cursor="yesterday")

    assert response.status_code == 400
    assert form_errors(response.get_data(as_text=True)) == [
        "This page's link is damaged: start from the first page."
    ]


def test_supervisor_sees_callers_numbers(client, week, supervisor):
    page = listed(client, week, outcome="missed").get_data(as_text=True)

    assert '<td class="caller">07 99 88 77 66</td>' in page  # as people dial it


def test_manager_sees_callers_numbers_masked_and_cannot_search_them(client, login_as, week):
    login_as("manager", hotlines=(week.hotline,), language="en")

    page = listed(client, week, outcome="missed").get_data(as_text=True)
    assert '<td class="caller">+33•••••••66</td>' in page
    assert "+33799887766" not in page
    assert 'id="caller"' not in page  # no search field by number

    refused = listed(client, week, caller="9988")
    assert refused.status_code == 400
    assert field_errors(refused.get_data(as_text=True), "caller") == [
        "Your role does not see callers' numbers: filter otherwise."
    ]


def test_agent_sees_only_calls_that_rang_them(client, login_as, week):
    login_as("agent", person=week.chloe, language="en")

    page = listed(client, week).get_data(as_text=True)

    assert call_ids(page) == numbers(week, [5, 4, 3])
    assert 'id="agent"' not in page
    assert "+33•" in page  # agents see callers masked


def test_agent_may_not_ask_for_someone_elses_calls(client, login_as, week):
    login_as("agent", person=week.chloe, language="en")

    assert listed(client, week, agent=week.alice.id).status_code == 403
    assert listed(client, week, agent=week.chloe.id).status_code == 200


def test_agent_without_person_sees_no_call(client, login_as, week):
    login_as("agent", language="en")

    response = listed(client, week)

    assert response.status_code == 200
    assert call_ids(response.get_data(as_text=True)) == []
    assert "not linked to a person" in response.get_data(as_text=True)


def test_timeline_shows_each_leg_and_who_accepted(client, week, supervisor):
    response = client.get(f"/stats/calls/{week.calls[3].id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    results = re.findall(r'<td class="leg-result">([^<]+)</td>', page)
    assert results == ["Line busy", "Picked up without accepting", "Picked up and accepted"]
    assert text_of(page, "class", "answered-by") == "Chloé Durand (Backup 2)"
    assert text_of(page, "class", "outcome") == "Answered"
    # 23:30 local on 24 March, in the hotline's zone (22:30 UTC).
    assert "Tuesday 24 March 2026 23:30:00" in page
    assert "Chloé Durand accepted the call" in page
    assert "Call received; greeting played" in page
    assert text_of(page, "class", "duration") == "1 min 51 s"


def test_timeline_plays_the_voicemail_through_the_app(client, week, supervisor):
    call_id = week.calls[4].id
    page = client.get(f"/stats/calls/{call_id}").get_data(as_text=True)

    recording = f"/stats/calls/{call_id}/recording"
    assert re.search(rf'<audio class="voicemail-player" controls [^>]*src="{recording}"', page)
    assert f'<a href="{recording}" download="voicemail-{call_id}.mp3">Download the message' in page
    assert "recordings.example" not in page  # Twilio's own URL is never handed out
    assert "Message recorded" in page
    assert text_of(page, "class", "outcome") == "Voicemail"


def test_timeline_masks_the_caller_for_managers(client, login_as, week):
    login_as("manager", hotlines=(week.hotline,), language="en")

    page = client.get(f"/stats/calls/{week.calls[5].id}").get_data(as_text=True)

    assert text_of(page, "class", "caller") == "+33•••••••66"


def test_timeline_access(client, login_as, make_hotline, week):
    login_as("agent", person=week.chloe, language="en")
    assert client.get(f"/stats/calls/{week.calls[3].id}").status_code == 200
    assert client.get(f"/stats/calls/{week.calls[1].id}").status_code == 403  # not rung

    login_as("supervisor", hotlines=(make_hotline("+33184889999"),), language="en")
    assert client.get(f"/stats/calls/{week.calls[3].id}").status_code == 403
    # The emergency fallback's call belongs to no hotline: admins only.
    assert client.get(f"/stats/calls/{week.calls[10].id}").status_code == 403

    login_as("admin", language="en")
    assert client.get(f"/stats/calls/{week.calls[10].id}").status_code == 200
    assert client.get("/stats/calls/99999999").status_code == 404


def test_a_fallback_call_is_shown_in_the_installation_time_zone(client, login_as, week):
    login_as("admin", language="en")

    page = client.get(f"/stats/calls/{week.calls[10].id}").get_data(as_text=True)

    assert ">03:00:00</time>" in page  # as in the call list: Paris, not UTC (01:00)
    assert "(UTC)" not in page


def test_csv_in_french_uses_semicolons_and_decimal_commas(client, login_as, week):
    login_as("supervisor", hotlines=(week.hotline,), language="fr")

    response = client.get(url("/stats/calls.csv", hotline=week.hotline.id, **MARCH_ARGS))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="calls-2026-03-23-2026-03-31.csv"'
    )
    rows = csv_rows(response.get_data(as_text=True), ";")
    assert rows[0][:3] == ["Début", "Ligne", "Appelant"]
    assert len(rows) == 1 + 12
    newest = rows[1]
    assert newest[0] == "31/03/2026 23:30:00"
    assert newest[7] == "5,00"  # time to answer


def test_csv_in_english_uses_commas_and_points(client, week, supervisor):
    response = client.get(
        url("/stats/calls.csv", hotline=week.hotline.id, outcome="missed", **MARCH_ARGS)
    )

    rows = csv_rows(response.get_data(as_text=True), ",")
    assert rows[0][:3] == ["Started", "Hotline", "Caller"]
    assert rows[1][:3] == ["2026-03-25 09:00:00", "Astreinte test", "'+33799887766"]


def test_csv_masks_callers_and_keeps_agents_to_their_calls(client, login_as, week):
    login_as("agent", person=week.chloe, language="en")

    response = client.get(url("/stats/calls.csv", hotline=week.hotline.id, **MARCH_ARGS))

    rows = csv_rows(response.get_data(as_text=True), ",")
    sids = [row[-1] for row in rows[1:]]
    assert sids == [week.calls[n].call_sid for n in (5, 4, 3)]
    assert rows[1][2] == "'+33•••••••66"


def test_csv_with_bad_filters_is_the_page_with_the_message(client, week, supervisor):
    response = client.get(url("/stats/calls.csv", hotline=week.hotline.id, agent="999999"))

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "There is no agent 999999." in field_errors(response.get_data(as_text=True), "agent")


def test_a_french_list_says_numero_masque_and_writes_numbers_as_dialled(
    client, login_as, week, make_call
):
    from hotline.voice.models import Outcome

    for caller in ("anonymous", "+266696687", "+447911123456"):
        make_call(week.hotline, "2026-03-24 10:00", Outcome.MISSED, [], caller=caller)
    login_as("supervisor", hotlines=(week.hotline,), language="fr")

    page = listed(client, week).get_data(as_text=True)

    assert page.count('<td class="caller">numéro masqué</td>') == 2
    assert "anonymous" not in page
    assert '<td class="caller">+44 7911 123456</td>' in page
    assert '<td class="caller">07 99 88 77 66</td>' in page


WITHHELD = ("anonymous", "+266696687", "Restricted")  # as Twilio sends them


@pytest.mark.parametrize(
    ("role", "language", "separator", "said"),
    [
        ("supervisor", "fr", ";", "numéro masqué"),
        ("supervisor", "en", ",", "withheld number"),
        ("manager", "en", ",", "withheld number"),  # a role that sees numbers masked
    ],
)
def test_the_csv_says_a_withheld_caller_as_the_pages_do_in_its_language(
    client, login_as, week, make_call, role, language, separator, said
):
    from hotline.voice.models import Outcome

    for caller in WITHHELD:
        make_call(week.hotline, "2026-03-24 10:00", Outcome.MISSED, [], caller=caller)
    login_as(role, hotlines=(week.hotline,), language=language)

    response = client.get(url("/stats/calls.csv", hotline=week.hotline.id, **MARCH_ARGS))

    text = response.get_data(as_text=True)
    callers = [row[2] for row in csv_rows(text, separator)[1:]]
    assert callers.count(said) == 3
    assert not any(raw in text for raw in ("anonymous", "+266696687", "Restricted"))
    # The others keep their number: whole for those who call back, masked for the rest.
    assert ("'+33799887766" if role == "supervisor" else "'+33•••••••66") in callers


@pytest.fixture
def fallback_call(db_session, twilio, make_hotline, make_person, set_default_chain):
    """A call Alice let ring, then put through to the hotline's fallback number."""
    hotline = make_hotline("+33184880007", name="Secours", fallback_number="+33612345699")
    alice = make_person("Alice")
    set_default_chain(hotline, [alice])
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    driver.dial_result(0, "no-answer", bridged=False)
    driver.dial_result(1, "completed", bridged=True, parent="completed", duration=30)
    driver.status("completed", 60)
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    return hotline, alice, call


@pytest.mark.parametrize(
    ("role", "shown"), [("admin", True), ("manager", True), ("supervisor", False)]
)
def test_a_call_page_gives_the_fallback_number_to_admins_and_the_hotlines_managers(
    client, login_as, fallback_call, role, shown
):
    hotline, _alice, call = fallback_call
    login_as(role, hotlines=(hotline,) if role != "admin" else (), language="en")

    page = client.get(f"/stats/calls/{call.id}").get_data(as_text=True)

    assert ("+33612345699" in page) is shown
    assert ("06 12 34 56 99" in page) is False  # stored E.164, never reformatted here
    assert ("<td>fallback number +33612345699</td>" in page) is shown
    if not shown:
        assert "<td>the fallback number</td>" in page
        assert "Dialling the fallback number (Backup 1)" in page


def test_an_agent_rung_for_the_call_reads_no_fallback_number(client, login_as, fallback_call):
    _hotline, alice, call = fallback_call
    login_as("agent", person=alice, language="fr")

    page = client.get(f"/stats/calls/{call.id}").get_data(as_text=True)

    assert "Alice" in page
    assert "+33612345699" not in page
    assert "<td>le numéro de secours</td>" in page
    assert "Appel vers le numéro de secours (Renfort 1)" in page
    assert "Le numéro de secours accepte l’appel" in page
