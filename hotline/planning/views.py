"""Planning pages: the hotlines overview, a hotline's page with the dry run, my shifts.

The other pages live in views_<page>.py, imported at the bottom so their routes
register on the same blueprint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hotline.alerts.shifts import takes_between
from hotline.api.feeds import feed_url
from hotline.auth import AGENT, ROLES, role_required, scoped_hotline_ids
from hotline.db import get_session, utcnow
from hotline.models import Hotline, Person
from hotline.planning import bp
from hotline.planning.absences import absent_responders
from hotline.planning.contacts import numbers_shown
from hotline.planning.coverage import chain_at, coverage
from hotline.planning.forms import DEFAULT_GAP_WEEKS, DryRunForm
from hotline.planning.hotline_settings import list_hotlines
from hotline.planning.ical import (
    issue_hotline_feed,
    issue_person_feed,
    person_feed,
    revoke_person_feed,
    stopped_hotline_feed,
    stopped_person_feed,
)
from hotline.planning.oncall import Chain, resolve_chain
from hotline.planning.shifts import person_cover
from hotline.planning.views_common import (
    EDITORS,
    READERS,
    absence_labels,
    managed_hotline,
    may_manage,
    person_names,
    readable_hotline,
)

# How far "my shifts" looks ahead.
MY_SHIFTS_DAYS = 90
# The hotline page lists the shift takes ("prises de poste") of the last week.
SHIFT_TAKES_SHOWN = timedelta(days=7)


@dataclass(frozen=True)
class HotlineSummary:
    hotline: Hotline
    chain: Chain
    gaps: int  # spans where a call rings nobody
    default_only: int  # spans no slot covers, where the default chain rings


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
            gaps=len(found.gaps),
            default_only=len(found.default_only),
        )
        for h in list_hotlines(session, scope)
        for found in [coverage(session, h.id, now, ahead)]
    ]
    return render_template(
        "planning/index.html",
        summaries=summaries,
        weeks=DEFAULT_GAP_WEEKS,
        shown=_numbers_shown([s.chain for s in summaries]),
    )


def _numbers_shown(chains: Iterable[Chain]) -> frozenset[int]:
    """The people of these chains whose number the signed-in user may see."""
    people = (r.person_id for chain in chains for r in chain.responders)
    return numbers_shown(get_session(), current_user, people, now=utcnow())


@bp.get("/hotlines/<int:hotline_id>")
@role_required(*READERS)
def hotline(hotline_id: int) -> ResponseReturnValue:
    """On call now, and the dry run: who would the phone ring at a local date and time."""
    hotline = readable_hotline(hotline_id)
    session = get_session()
    zone = ZoneInfo(hotline.timezone)
    asked = "at" in request.args
    form = DryRunForm(formdata=request.args if asked else None, zone=zone)
    answers: list[tuple[datetime, Chain]] = []
    status = 200
    if asked:
        if form.validate():
            # The very lookup the call path runs: a dry run cannot disagree with a real call.
            # A past moment no slot covered gets the default chain in force then.
            now = utcnow()
            answers = [(at, chain_at(session, hotline.id, at, now)) for at in form.instants]
        else:
            status = 400
    return _hotline_page(hotline, form, answers, status, None)


def _absent_at(hotline: Hotline, chain: Chain, at: datetime) -> dict[int, str]:
    """The people of `chain`, rung at `at`, who are unavailable then: id -> mark."""
    if chain.slot_id is None:
        return {}
    labels = absence_labels(hotline)
    places = absent_responders(
        get_session(), at, at + timedelta(seconds=1), hotline_ids=[hotline.id]
    )
    return {
        p.person_id: labels.get(p.period.kind, p.period.kind)
        for p in places
        if p.slot.id == chain.slot_id and p.starts_at <= at < p.ends_at
    }


def _hotline_page(
    hotline: Hotline,
    form: DryRunForm,
    answers: list[tuple[datetime, Chain]],
    status: int,
    new_feed_url: str | None,
) -> ResponseReturnValue:
    now = utcnow()
    takes = takes_between(get_session(), hotline.id, now - SHIFT_TAKES_SHOWN, now + timedelta(1))
    managing = may_manage(hotline)
    chain = resolve_chain(get_session(), hotline.id, now)
    return render_template(
        "planning/hotline.html",
        hotline=hotline,
        now=now,
        chain=chain,
        absent_now=_absent_at(hotline, chain, now),
        absent_then=[_absent_at(hotline, answer, at) for at, answer in answers],
        shown=_numbers_shown([chain, *(answer for _at, answer in answers)]),
        takes=takes,
        takes_days=SHIFT_TAKES_SHOWN.days,
        names=person_names(get_session(), {t.person_id for t in takes}),
        form=form,
        answers=answers,
        may_manage=managing,
        new_feed_url=new_feed_url,
        # Only managers hold this link: they alone are told why it stopped.
        stopped_feed=stopped_hotline_feed(get_session(), hotline.id) if managing else None,
    ), status


@bp.post("/hotlines/<int:hotline_id>/feed")
@role_required(*EDITORS)
def hotline_feed(hotline_id: int) -> ResponseReturnValue:
    """Give the hotline's calendar (iCal) a new link; the previous one stops working."""
    hotline = managed_hotline(hotline_id)
    session = get_session()
    secret = issue_hotline_feed(session, hotline, user_id=current_user.id)
    session.commit()
    return _hotline_page(
        hotline,
        DryRunForm(formdata=None, zone=ZoneInfo(hotline.timezone)),
        [],
        200,
        feed_url(secret),
    )


@bp.get("/mine")
@role_required(*ROLES)
def my_shifts() -> ResponseReturnValue:
    """My own shifts of the coming weeks, on every hotline (the hours a default chain rings
    me included), and my calendar link."""
    return _my_shifts_page(None)


@bp.post("/mine/feed")
@role_required(*ROLES)
def my_feed() -> ResponseReturnValue:
    """Give me a new calendar (iCal) link; the previous one stops working."""
    session = get_session()
    person = session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        abort(404)
    secret = issue_person_feed(session, person, user_id=current_user.id)
    session.commit()
    # Shown once, in this answer only: only a hash of it is kept.
    return _my_shifts_page(feed_url(secret))


@bp.post("/mine/feed/delete")
@role_required(*ROLES)
def my_feed_delete() -> ResponseReturnValue:
    """Stop my calendar link."""
    session = get_session()
    person = session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        abort(404)
    if revoke_person_feed(session, person, user_id=current_user.id):
        session.commit()
        flash(_("Your calendar link is stopped."), "success")
    else:  # a second click, or a page left open: nothing was running
        flash(_("You have no calendar link to stop."), "info")
    return redirect(url_for("planning.my_shifts"))


def _my_shifts_page(new_feed_url: str | None) -> ResponseReturnValue:
    now = utcnow()
    session = get_session()
    person_id = current_user.person_id
    shifts = []
    has_feed = False
    stopped_feed = None
    if person_id is not None:
        shifts = person_cover(
            session, person_id, now, now + timedelta(days=MY_SHIFTS_DAYS), now=now
        )
        has_feed = person_feed(session, person_id) is not None
        # Told as on the hotline page: a link that stopped answering says why.
        stopped_feed = None if has_feed else stopped_person_feed(session, person_id)
    return render_template(
        "planning/mine.html",
        now=now,
        shifts=shifts,
        days=MY_SHIFTS_DAYS,
        person_id=person_id,
        has_feed=has_feed,
        stopped_feed=stopped_feed,
        new_feed_url=new_feed_url,
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
