"""The call list (filters, paging, CSV) and one call's timeline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import chain, islice

from flask import (
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from hotline.auth import can_review, role_required, scoped_hotline_ids
from hotline.db import get_session
from hotline.i18n import current_language
from hotline.phone import is_withheld
from hotline.planning.contacts import fallback_number_shown
from hotline.stats import bp
from hotline.stats.calls import (
    CallFilters,
    CallPage,
    CallRow,
    count_calls,
    iter_calls,
    list_calls,
)
from hotline.stats.errors import StatsInputError
from hotline.stats.exports import calls_csv
from hotline.stats.forms import CallExportForm, CallFilterForm
from hotline.stats.timeline import CallTimeline, call_timeline, fallback_number_withheld
from hotline.stats.views_common import (
    READERS,
    Scope,
    caller_number,
    calls_told_of,
    checked_scope,
    csv_response,
    is_agent,
    offer_people,
    show_stats_error,
    shows_callers,
)
from hotline.voice.models import LegResult
from hotline.voice.playback import recording_response
from hotline.voice.voicemails import MessageState

TOLD_BATCH = 500  # CSV rows whose alerts are looked up at once


@bp.get("/calls")
@role_required(*READERS)
def calls() -> ResponseReturnValue:
    """Calls of a period, newest first, a page at a time; filters by outcome, agent, caller."""
    session = get_session()
    form, scope, filters = _read_filters(session, CallFilterForm)
    page: CallPage | None = None
    total = 0
    if filters is not None:
        try:
            page = list_calls(session, filters, form.page_size_value(), form.cursor.data or None)
            total = count_calls(session, filters)
        except StatsInputError as error:
            # The cursor is the only input the form leaves to the service to check.
            damaged = _("This page's link is damaged: start from the first page.")
            show_stats_error(form, StatsInputError(damaged) if form.cursor.data else error)
    elif scope is not None and scope.unlinked_agent and not _failed(form):
        page = CallPage([], None)
    return _list_page(form, scope, page, total, filters)


@bp.get("/calls.csv")
@role_required(*READERS)
def calls_download() -> ResponseReturnValue:
    """Every call the list's filters keep, as CSV in the user's locale."""
    session = get_session()
    form, scope, filters = _read_filters(session, CallExportForm)
    rows: Iterable[CallRow] = ()
    if filters is not None:
        found = iter_calls(session, filters)
        try:
            first = next(found, None)  # the first query runs now: an error shows as a page
        except StatsInputError as error:
            show_stats_error(form, error)
        else:
            rows = chain([first], found) if first is not None else ()
    if _failed(form) or scope is None:
        return _list_page(form, scope, None, 0, None)
    # Numbers stay E.164 for those who call back (a spreadsheet keeps the country);
    # others get them as the pages write them: masked, and withheld ones said so.
    full_numbers = shows_callers()
    rows = (
        row
        if (full_numbers or told) and not is_withheld(row.from_number)
        else replace(row, from_number=caller_number(row.from_number))
        for row, told in _with_told(rows)
    )
    period = filters.period if filters is not None else form.period_in(scope.tz)
    lines = calls_csv(rows, current_language(), scope.tz)
    return csv_response(stream_with_context(lines), "calls", period)


@bp.get("/calls/<int:call_id>")
@role_required(*READERS)
def call(call_id: int) -> ResponseReturnValue:
    """One call step by step: greeting, each ring leg, who accepted, voicemail, the end."""
    timeline = _visible_timeline(call_id)
    # The fallback number: admins and the hotline's managers (hotline.planning.contacts).
    if not fallback_number_shown(current_user, timeline.hotline_id):
        timeline = fallback_number_withheld(timeline)
    return render_template(
        "stats/call.html",
        call=timeline,
        tz=timeline.timezone,
        shows_callers=shows_callers(),
        caller_told=call_id in calls_told_of([call_id]),
        # Only a reviewer's way back is the hotline's call list; others go to their own.
        agent_view=not _reviews(timeline.hotline_id),
    )


@bp.get("/calls/<int:call_id>/recording")
@role_required(*READERS)
def call_recording(call_id: int) -> ResponseReturnValue:
    """The call's voicemail as audio, fetched from Twilio for whoever may see the call."""
    voicemail = _visible_timeline(call_id).voicemail
    if voicemail is None or voicemail.state == MessageState.NONE:
        abort(404)
    return recording_response(voicemail.recording_url, voicemail.recording_sid, call_id)


def _with_told(rows: Iterable[CallRow]) -> Iterator[tuple[CallRow, bool]]:
    """Each row, and whether an alert to the user named its caller (looked up a batch at a
    time as the CSV streams)."""
    remaining = iter(rows)
    while batch := list(islice(remaining, TOLD_BATCH)):
        told = calls_told_of(row.id for row in batch)
        for row in batch:
            yield row, row.id in told


def _visible_timeline(call_id: int) -> CallTimeline:
    """The call's timeline, or abort: 404 for no such call, 403 when the user may not see it."""
    try:
        timeline = call_timeline(get_session(), call_id, current_app.config["TIMEZONE"])
    except StatsInputError:
        abort(404)
    if not _may_see(timeline):
        abort(403)
    return timeline


def _may_see(timeline: CallTimeline) -> bool:
    return may_open_call(timeline.hotline_id, _was_rung(timeline))


def may_open_call(hotline_id: int | None, was_rung: bool) -> bool:
    """Whether the user may open a call's page: reviewers, calls of their hotlines
    (admins: all); anyone, the calls they were rung for."""
    # Whatever their role: the missed-call alert sends everyone rung to this page,
    # a manager of another hotline standing in on this one's chain included.
    return was_rung or _reviews(hotline_id)


def _reviews(hotline_id: int | None) -> bool:
    """Whether the user sees every call of this hotline."""
    if hotline_id is None:
        return scoped_hotline_ids(current_user) is None  # fallback calls: admins only
    return can_review(current_user, hotline_id)


def _was_rung(timeline: CallTimeline) -> bool:
    person = current_user.person_id
    return person is not None and any(
        leg.person_id == person and leg.result != LegResult.NOT_DIALLED for leg in timeline.legs
    )


def _read_filters(
    session: Session, form_class: type[CallFilterForm]
) -> tuple[CallFilterForm, Scope | None, CallFilters | None]:
    """The list's form, its scope and, when all is well, the filters to query with."""
    form = form_class(request.args)
    offer_people(form.agent, session, _("Anyone"))
    scope, valid = checked_scope(session, form)
    if valid and form.caller.data and not shows_callers():
        form.caller.errors = [_("Your role does not see callers' numbers: filter otherwise.")]
        valid = False
    if valid and is_agent() and form.agent.data and form.agent_id() != current_user.person_id:
        abort(403)  # agents see their own calls only
    if not valid or scope is None or scope.unlinked_agent:
        return form, scope, None
    try:
        period = form.period_in(scope.tz)
    except StatsInputError as error:
        show_stats_error(form, error)
        return form, scope, None
    agent_id = scope.own_calls_of if scope.agent else form.agent_id()
    filters = CallFilters(
        period=period,
        hotline_id=scope.hotline_id,
        outcome=form.outcome.data or None,
        agent_id=agent_id,
        caller=form.caller_part(),
    )
    return form, scope, filters


def _failed(form: CallFilterForm) -> bool:
    return bool(form.errors or form.form_errors)


def _list_args(form: CallFilterForm) -> dict[str, object]:
    """The filters as query arguments (for the next page and the CSV link)."""
    args = form.period_args()
    for name in ("outcome", "agent", "caller"):
        value = getattr(form, name).data
        if value:
            args[name] = value
    if form.page_size.data:
        args["page_size"] = form.page_size.data
    return args


def _list_page(
    form: CallFilterForm,
    scope: Scope | None,
    page: CallPage | None,
    total: int,
    filters: CallFilters | None,
) -> ResponseReturnValue:
    return render_template(
        "stats/calls.html",
        form=form,
        scope=scope,
        page=page,
        total=total,
        filters=filters,
        shows_callers=shows_callers(),
        told_calls=calls_told_of(row.id for row in page.rows) if page else set(),
        args=_list_args(form),
    ), (400 if _failed(form) else 200)
