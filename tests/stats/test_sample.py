"""The sample generator writes rows the call path could have written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hotline.stats.errors import StatsInputError
from hotline.stats.kpis import summary
from hotline.stats.periods import Period
from hotline.stats.sample import generate_sample
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome, Voicemail

from .page_tools import row_cells, url

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
FAILED = {
    LegResult.NO_ANSWER,
    LegResult.BUSY,
    LegResult.DECLINED,
    LegResult.REFUSED,
    LegResult.FAILED,
}


@pytest.fixture
def staffed(make_hotline, make_person, make_slot, set_default_chain):
    hotline = make_hotline(fallback_number="+33184889999")
    team = [make_person() for _ in range(3)]
    set_default_chain(hotline, team)
    # Days covered by a slot with a different primary, nights by the default chain.
    for d in range(8):
        day = NOW - timedelta(days=d)
        make_slot(hotline, day.replace(hour=7), day.replace(hour=19), [team[1], team[2], team[0]])
    return hotline, team


def test_sample_rows_are_consistent_call_by_call(db_session, staffed):
    hotline, team = staffed
    result = generate_sample(db_session, hotline, 400, 7, now=NOW, seed=7)

    calls = db_session.scalars(select(Call).where(Call.hotline_id == hotline.id)).all()
    assert (result.calls, len(calls)) == (400, 400)
    assert result.legs == db_session.scalar(select(func.count()).select_from(CallAttempt))
    assert {c.outcome for c in calls} == {"answered", "voicemail", "missed", "abandoned"}
    for call in calls:
        results = [a.result for a in call.attempts]
        assert NOW - timedelta(days=7) <= call.started_at < NOW
        assert call.ended_at >= call.started_at
        assert [a.position for a in call.attempts] == list(range(len(results)))
        assert [a.number for a in call.attempts] == [e["number"] for e in call.chain][
            : len(results)
        ]
        if call.outcome == Outcome.ANSWERED:
            accepted = call.attempts[call.answered_position]
            assert results[-1] == LegResult.ACCEPTED
            assert set(results[:-1]) <= FAILED
            assert accepted.person_id == call.answered_by_id
            assert call.started_at < accepted.accepted_at < accepted.ended_at <= call.ended_at
            assert accepted.talk_seconds > 0
        elif call.outcome == Outcome.ABANDONED:
            assert results[-1] == LegResult.CANCELED
            assert set(results[:-1]) <= FAILED
        else:
            assert len(results) == len(call.chain)  # the whole chain rang, fallback included
            assert set(results) <= FAILED
            assert call.voicemail_offered_at is not None
        assert (call.voicemail is not None) == (call.outcome == Outcome.VOICEMAIL)
        for leg in call.attempts:
            assert leg.created_at <= leg.ended_at


def test_sample_follows_the_planning_and_overflows_to_backups(db_session, staffed):
    hotline, team = staffed
    generate_sample(db_session, hotline, 400, 7, now=NOW, seed=11)

    routes = set(db_session.scalars(select(Call.route).distinct()))
    assert routes == {"slot", "default"}
    depths = {row.answered_position for row in db_session.execute(select(Call.answered_position))}
    assert {0, 1, 2} <= depths
    day_primaries = db_session.scalars(
        select(CallAttempt.person_id)
        .join(Call)
        .where(Call.route == "slot", CallAttempt.position == 0)
    ).all()
    assert set(day_primaries) == {team[1].id}


def test_sample_feeds_the_statistics(db_session, staffed):
    hotline, _team = staffed
    generate_sample(db_session, hotline, 300, 3, now=NOW, seed=3)
    period = Period(date(2026, 3, 16), date(2026, 3, 20), "Europe/Paris")

    kpis = summary(db_session, period, hotline.id)

    assert kpis.received == 300
    assert kpis.answered + kpis.voicemail + kpis.missed + kpis.abandoned == 300
    assert kpis.answered == db_session.scalar(
        select(func.count()).where(CallAttempt.result == LegResult.ACCEPTED)
    )
    assert kpis.voicemail == db_session.scalar(select(func.count()).select_from(Voicemail))
    assert 0 < kpis.answer_seconds_median < kpis.answer_seconds_p90


def test_sample_has_agents_refusing_calls_as_the_call_path_records_them(db_session, staffed):
    hotline, _team = staffed
    generate_sample(db_session, hotline, 1000, 7, now=NOW, seed=5)

    legs = db_session.scalars(select(CallAttempt)).all()
    refused = [leg for leg in legs if leg.result == LegResult.REFUSED]
    passed_on = [leg for leg in legs if leg.result in FAILED]
    # A few agents press another key, fewer than voicemails pick up or phones ring out.
    assert 0.03 < len(refused) / len(passed_on) < 0.12
    for leg in refused:
        # Picked up, heard the prompt, pressed a key: a leg that completed, unbridged.
        assert leg.twilio_status == "completed"
        assert leg.ring_started_at < leg.answered_at < leg.ended_at
        assert (leg.accepted_at, leg.talk_seconds) == (None, None)


def test_sample_refusals_show_on_the_dashboard(client, db_session, login_as, staffed):
    hotline, team = staffed
    generate_sample(db_session, hotline, 1000, 7, now=NOW, seed=5)
    login_as("supervisor", hotlines=(hotline,), language="en")
    refused = dict(
        db_session.execute(
            select(CallAttempt.person_id, func.count())
            .where(CallAttempt.result == LegResult.REFUSED)
            .group_by(CallAttempt.person_id)
        ).all()
    )
    args = {"period": "custom", "start": "2026-03-13", "end": "2026-03-20"}

    page = client.get(url("/stats/", hotline=hotline.id, **args)).get_data(as_text=True)

    shown = {p.id: row_cells(page, "data-agent", p.id)["refused"] for p in team}
    assert shown == {p.id: str(refused.get(p.id, 0)) for p in team}
    assert {p.id for p in team} <= set(refused)  # every agent refused a few


def test_hotline_without_planning_is_refused(db_session, make_hotline):
    with pytest.raises(StatsInputError, match="no slot and no default chain"):
        generate_sample(db_session, make_hotline(), 10, now=NOW)
    assert db_session.scalar(select(func.count()).select_from(Call)) == 0


@pytest.mark.parametrize(("calls", "days"), [(0, 30), (10, 0), (10, 400)])
def test_absurd_sizes_are_refused(db_session, staffed, calls, days):
    with pytest.raises(StatsInputError, match="must be 1 to"):
        generate_sample(db_session, staffed[0], calls, days, now=NOW)


def test_cli_sample_reports_what_it_inserted(runner, db_session, staffed):
    result = runner.invoke(args=["stats", "sample", "--calls", "120", "--days", "2"])

    assert result.exit_code == 0, result.output
    assert "inserted 120 calls" in result.output
    assert db_session.scalar(select(func.count()).select_from(Call)) == 120
    summary_out = runner.invoke(args=["stats", "summary", "--period", "7d"])
    assert "received   120" in summary_out.output


def test_cli_sample_unknown_hotline_is_a_clear_error(runner, staffed):
    result = runner.invoke(args=["stats", "sample", "--calls", "5", "--hotline", "+33999"])

    assert result.exit_code == 1
    assert "no hotline with number +33999" in result.output


def test_cli_summary_bad_period_is_a_clear_error(runner, staffed):
    result = runner.invoke(
        args=[
            "stats",
            "summary",
            "--period",
            "custom",
            "--start",
            "2026-03-10",
            "--end",
            "2026-03-01",
        ]
    )

    assert result.exit_code == 1
    assert "before it starts" in result.output


@pytest.mark.parametrize(
    ("locale", "header", "first"),
    [
        ("fr", "Mois;Agent;Astreinte semaine jour (h)", "2026-03;Alice Martin;80,0000;84,0000;"),
        ("en", "Month,Agent,On call weekday day (h)", "2026-03,Alice Martin,80.0000,84.0000,"),
    ],
)
def test_cli_astreinte_writes_the_month_as_csv_in_the_language_asked(
    runner, week, locale, header, first
):
    result = runner.invoke(
        args=["stats", "astreinte", "--month", "2026-03", "--hotline", week.hotline.number]
        + ["--locale", locale]
    )

    assert result.exit_code == 0, result.output
    lines = result.output.removeprefix("\ufeff").splitlines()
    assert lines[0].startswith(header)
    assert lines[1].startswith(first)


def test_cli_astreinte_bad_month_is_a_clear_error(runner, week):
    result = runner.invoke(args=["stats", "astreinte", "--month", "2026-3"])

    assert result.exit_code == 1
    assert "not of the form YYYY-MM" in result.output
