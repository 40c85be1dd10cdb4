"""Call list (filters, paging) and the per-call timeline."""

from __future__ import annotations

import pytest

from hotline.stats.calls import CallFilters, count_calls, iter_calls, list_calls
from hotline.stats.errors import StatsInputError
from hotline.stats.timeline import call_timeline
from hotline.voice.models import LegResult, Outcome

from .conftest import MARCH

NOT_DIALLED = LegResult.NOT_DIALLED


def test_list_is_newest_first_in_the_period(db_session, week):
    page = list_calls(db_session, CallFilters(MARCH, week.hotline.id))

    ids = [row.id for row in page.rows]
    expected = [11, 14, 9, 8, 7, 6, 5, 4, 3, 2, 1, 12]
    assert ids == [week.calls[n].id for n in expected]
    assert page.next_cursor is None
    first = page.rows[0]
    assert (first.outcome, first.answered_by, first.legs, first.talk_seconds) == (
        "answered",
        "Alice Martin",
        1,
        30,
    )
    assert first.answer_seconds == pytest.approx(5)
    assert first.hotline_name == week.hotline.name


def test_pages_follow_each_other_without_overlap(db_session, week):
    filters = CallFilters(MARCH, week.hotline.id)
    seen, cursor, sizes = [], None, []
    while True:
        page = list_calls(db_session, filters, page_size=5, cursor=cursor)
        sizes.append(len(page.rows))
        seen += [row.id for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert sizes == [5, 5, 2]
    assert seen == [row.id for row in list_calls(db_session, filters).rows]
    assert [row.id for row in iter_calls(db_session, filters, chunk=3)] == seen


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"outcome": "answered"}, [11, 9, 8, 7, 3, 2, 1, 12]),
        ({"outcome": "voicemail"}, [4]),
        ({"caller": "99 88"}, [5]),
        ({"caller": "+3379988"}, [5]),
    ],
)
def test_filters_by_outcome_and_caller(db_session, week, filters, expected):
    page = list_calls(db_session, CallFilters(MARCH, week.hotline.id, **filters))

    assert [row.id for row in page.rows] == [week.calls[n].id for n in expected]


def test_agent_filter_keeps_calls_they_were_rung_on(db_session, week):
    filters = CallFilters(MARCH, week.hotline.id, agent_id=week.chloe.id)

    assert [row.id for row in list_calls(db_session, filters).rows] == [
        week.calls[n].id for n in (5, 4, 3)
    ]
    assert count_calls(db_session, filters) == 3


def test_all_hotlines_list_the_fallback_call_too(db_session, week):
    rows = list_calls(db_session, CallFilters(MARCH)).rows

    assert week.calls[10].id in [row.id for row in rows]
    assert count_calls(db_session, CallFilters(MARCH)) == 13


def test_a_leg_never_dialled_is_no_ring(db_session, make_hotline, make_person, make_call):
    # The caller hung up during the greeting: the primary's phone never rang.
    hotline, alice = make_hotline(timezone="Europe/Paris"), make_person("Alice")
    call = make_call(hotline, "2026-03-24 10:00", Outcome.ABANDONED, [(alice, NOT_DIALLED)])

    [row] = list_calls(db_session, CallFilters(MARCH, hotline.id)).rows
    rung = list_calls(db_session, CallFilters(MARCH, hotline.id, agent_id=alice.id)).rows

    assert (row.id, row.legs) == (call.id, 0)
    assert rung == []


@pytest.mark.parametrize("size", [0, 201, -1])
def test_absurd_page_size_is_refused(db_session, week, size):
    with pytest.raises(StatsInputError, match="page size must be 1 to 200"):
        list_calls(db_session, CallFilters(MARCH), page_size=size)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"agent_id": 999_999}, "unknown agent 999999"),
        ({"outcome": "lost"}, "unknown outcome 'lost'"),
        ({"caller": "abc"}, "holds no digit"),
        ({"hotline_id": 999_999}, "unknown hotline"),
    ],
)
def test_bad_filters_are_refused(db_session, week, filters, message):
    with pytest.raises(StatsInputError, match=message):
        list_calls(db_session, CallFilters(MARCH, **filters))


@pytest.mark.parametrize("cursor", ["nope", "12", "1.2.3", "9" * 21 + ".1"])
def test_bad_cursor_is_refused(db_session, week, cursor):
    with pytest.raises(StatsInputError, match="cursor"):
        list_calls(db_session, CallFilters(MARCH), cursor=cursor)


def test_timeline_shows_each_leg_and_who_accepted(db_session, week):
    timeline = call_timeline(db_session, week.calls[3].id, "Europe/Paris")

    assert [(leg.name, leg.result) for leg in timeline.legs] == [
        ("Alice Martin", "busy"),
        ("Bruno Petit", "declined"),
        ("Chloé Durand", "accepted"),
    ]
    assert timeline.answered_by == "Chloé Durand"
    assert timeline.local(timeline.started_at).strftime("%d/%m %H:%M") == "24/03 23:30"
    kinds = [event.kind for event in timeline.events]
    assert kinds[0] == "started"
    assert kinds[-1] == "ended"
    assert kinds.index("leg-accepted") > kinds.index("leg-picked-up")
    assert [e.at for e in timeline.events] == sorted(e.at for e in timeline.events)
    assert timeline.duration_seconds == 50 + 60 + 1


def test_timeline_of_a_voicemail_links_the_recording(db_session, week):
    timeline = call_timeline(db_session, week.calls[4].id, "Europe/Paris")

    assert timeline.voicemail is not None
    assert timeline.voicemail.recording_url == "https://recordings.example/RE4"
    assert [e.kind for e in timeline.events][-3:] == [
        "voicemail-offered",
        "voicemail-recorded",
        "ended",
    ]


def test_timeline_of_an_unknown_call_is_a_clear_error(db_session):
    with pytest.raises(StatsInputError, match="unknown call 424242"):
        call_timeline(db_session, 424242, "Europe/Paris")


def test_masked_caller_keeps_only_the_prefix_and_last_digits():
    from hotline.stats.calls import masked_caller

    assert masked_caller("+33612345678") == "+33•••••••78"
    assert masked_caller("12345") == "•••••"
