"""Planning pages: the hotlines overview, a hotline's page with the dry run, my shifts.

The other pages live in views_<page>.py, imported at the bottom so their routes
register on the same blueprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hotline.auth import AGENT, ROLES, role_required, scoped_hotline_ids
from hotline.db import get_session, utcnow
from hotline.models import Hotline
from hotline.planning import bp
from hotline.planning.calendar_grid import person_shifts
from hotline.planning.coverage import coverage_gaps
from hotline.planning.forms import DEFAULT_GAP_WEEKS, DryRunForm
from hotline.planning.hotline_settings import list_hotlines
from hotline.planning.oncall import Chain, resolve_chain
from hotline.planning.views_common import READERS, may_manage, readable_hotline

# How far "my shifts" looks ahead.
MY_SHIFTS_DAYS = 90


@dataclass(frozen=True)
class HotlineSummary:
    hotline: Hotline
    chain: Chain
    gaps: int


@bp.get("/")
@role_required(*READERS)
def index() -> ResponseReturnValue:
    """The hotlines I may read, with who is on call now and the gaps ahead."""
    session = get_session()
    now = utcnow()
    # Agents read every hotline's planning (read-only); others their scope.
    scope = None if current_user.role == AGENT else scoped_hotline_ids(current_user)
    ahead = now + timedelta(weeks=DEFAULT_GAP_WEEKS)
    summaries = [
        HotlineSummary(
            hotline=h,
            chain=resolve_chain(session, h.id, now),
            gaps=len(coverage_gaps(session, h.id, now, ahead)),
        )
        for h in list_hotlines(session, scope)
    ]
    return render_template("planning/index.html", summaries=summaries, weeks=DEFAULT_GAP_WEEKS)


@bp.get("/hotlines/<int:hotline_id>")
@role_required(*READERS)
def hotline(hotline_id: int) -> ResponseReturnValue:
    """On call now, and the dry run: who would the phone ring at a local date and time."""
    hotline = readable_hotline(hotline_id)
    session = get_session()
    zone = ZoneInfo(hotline.timezone)
    now = utcnow()
    asked = "at" in request.args
    form = DryRunForm(formdata=request.args if asked else None, zone=zone)
    answers: list[tuple[datetime, Chain]] = []
    status = 200
    if asked:
        if form.validate():
            # The very lookup the call path runs: a dry run cannot disagree with a real call.
            answers = [(at, resolve_chain(session, hotline.id, at)) for at in form.instants]
        else:
            status = 400
    return render_template(
        "planning/hotline.html",
        hotline=hotline,
        now=now,
        chain=resolve_chain(session, hotline.id, now),
        form=form,
        answers=answers,
        may_manage=may_manage(hotline),
    ), status


@bp.get("/mine")
@role_required(*ROLES)
def my_shifts() -> ResponseReturnValue:
    """My own shifts of the coming weeks, on every hotline."""
    now = utcnow()
    shifts = []
    if current_user.person_id is not None:
        shifts = person_shifts(
            get_session(), current_user.person_id, now, now + timedelta(days=MY_SHIFTS_DAYS)
        )
    return render_template(
        "planning/mine.html", shifts=shifts, days=MY_SHIFTS_DAYS, person_id=current_user.person_id
    )


from hotline.planning import (  # noqa: E402,F401 - the other pages register on bp
    views_audit,
    views_calendar,
    views_fairness,
    views_hotlines,
    views_overrides,
    views_people,
    views_rotations,
    views_slots,
)
