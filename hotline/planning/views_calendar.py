"""Calendar pages: a hotline's month or week, and the list of coverage gaps ahead."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.i18n import format_local_time
from hotline.planning import bp
from hotline.planning.absences import absent_responders
from hotline.planning.calendar_grid import (
    MONTH,
    WEEK,
    Absence,
    BadPeriod,
    PastView,
    PeriodOutOfRange,
    build_days,
    clocks,
    local_midnight,
    month_period,
    week_period,
    weeks_of,
)
from hotline.planning.contacts import fallback_number_shown
from hotline.planning.coverage import (
    Coverage,
    PastHistory,
    active_chain,
    coverage,
    past_history,
    people_today,
    unplanned_spans,
)
from hotline.planning.forms import GapsForm
from hotline.planning.slots import slots_between
from hotline.planning.validation import FIRST_YEAR, LAST_YEAR
from hotline.planning.views_common import (
    READERS,
    absence_labels,
    bad_request,
    may_manage,
    readable_hotline,
)


@bp.get("/hotlines/<int:hotline_id>/calendar")
@role_required(*READERS)
def calendar(hotline_id: int) -> ResponseReturnValue:
    """The month (?month=YYYY-MM) or week (?week=YYYY-Www) in the hotline's time zone."""
    hotline = readable_hotline(hotline_id)
    zone = ZoneInfo(hotline.timezone)
    now = utcnow()
    today = now.astimezone(zone).date()
    try:
        if "week" in request.args:
            period = week_period(request.args["week"], today)
        else:
            period = month_period(request.args.get("month"), today)
    except PeriodOutOfRange as far:
        return bad_request(
            _(
                "%(value)s is out of range: choose a month or a week between the years"
                " %(first)s and %(last)s.",
                value=str(far),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    except BadPeriod as bad:
        return bad_request(
            _(
                "%(value)s is not a month like 2026-03 nor a week like 2026-W14.",
                value=str(bad),
            )
        )
    start = local_midnight(period.shown_first, zone)
    end = local_midnight(period.shown_last + timedelta(days=1), zone)
    session = get_session()
    slots = slots_between(session, hotline.id, start, end)
    absences = [
        Absence(a.slot.id, a.position, a.starts_at, a.ends_at, a.period.kind)
        for a in absent_responders(session, start, end, hotline_ids=[hotline.id])
    ]
    # Past hours show the default chain and the flags of their time; a page all ahead
    # needs no history.
    history = PastHistory()
    if start < now:
        history = past_history(session, hotline.id, start, min(end, now))
    then = {pid for chain in history.chains for pid, _name in chain.people or ()}
    people = people_today(session, hotline.id, then)
    found = Coverage(
        unplanned_spans(session, hotline.id, start, end),
        default_chain=active_chain(people.chain),
    )
    past = PastView(history, people.chain, people.flags)
    days = build_days(period, zone, slots, found, now, absences, past)
    manage = may_manage(hotline)
    may_edit_slots = manage and "planning.slot_edit" in current_app.view_functions
    return render_template(
        "planning/calendar.html",
        hotline=hotline,
        period=period,
        weeks=weeks_of(days),
        MONTH=MONTH,
        WEEK=WEEK,
        may_manage=manage,
        may_edit_slots=may_edit_slots,
        # Formatted once each: a month shows the same few times hundreds of times.
        clock={t: format_local_time(t) for t in clocks(days)},
        edit_urls={
            s.id: url_for("planning.slot_edit", hotline_id=hotline.id, slot_id=s.id)
            for s in (slots if may_edit_slots else ())
        },
        absent_labels=absence_labels(hotline),
        week_of_month=week_period(None, min(max(today, period.first), period.last)).param,
        # An ISO week belongs to the month of its Thursday.
        month_of_week=month_period(None, period.first + timedelta(days=3)).param,
    )


@bp.get("/hotlines/<int:hotline_id>/gaps")
@role_required(*READERS)
def gaps(hotline_id: int) -> ResponseReturnValue:
    """The spans of the next N weeks (?weeks=N, 1 to 52) when a call rings nobody, or only
    the default chain; from now on, as past hours cannot be filled any more."""
    hotline = readable_hotline(hotline_id)
    asked = "weeks" in request.args
    form = GapsForm(formdata=request.args if asked else None)
    if asked and not form.validate():
        return render_template("planning/gaps.html", hotline=hotline, form=form, found=None), 400
    now = utcnow()
    end = now + timedelta(weeks=form.weeks.data)
    session = get_session()
    found = coverage(session, hotline.id, now, end)
    return render_template(
        "planning/gaps.html",
        hotline=hotline,
        form=form,
        found=found,
        start=now,
        end=end,
        # Not gaps (the phone rings somebody) but a person who will not answer.
        absent=absent_responders(session, now, end, hotline_ids=[hotline.id]),
        absent_labels=absence_labels(hotline),
        may_manage=may_manage(hotline),
        fallback_shown=fallback_number_shown(current_user, hotline.id),
    )
