"""Alert pages: the notification log and the "send me a test alert" button."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hotline.alerts import bp, config_check, history, messages
from hotline.alerts.models import AlertKind, Channel, Status
from hotline.alerts.outbox import request_test_alert
from hotline.auth import ADMIN, MANAGER, scoped_hotline_ids, signed_in
from hotline.db import get_session
from hotline.i18n import current_language
from hotline.models import Person

STATUS_LABELS = {
    Status.PENDING: _l("waiting"),
    Status.SENDING: _l("sending"),
    Status.RETRYING: _l("to retry"),
    Status.SENT: _l("sent"),
    Status.FAILED: _l("failed"),
    Status.SKIPPED: _l("not sent"),
}
CHANNEL_LABELS = {
    Channel.SMS: _l("SMS"),
    Channel.EMAIL: _l("e-mail"),
    Channel.VOICE: _l("phone call"),
}


def _kind_labels() -> dict[str, str]:
    # Kept with the alert texts (templates/alerts/messages), in the page's language.
    language = current_language()
    env = current_app.jinja_env
    return {
        k.value: messages.render_block(env, "kind_labels", language, k.value, {}) for k in AlertKind
    }


def _may_test_others() -> bool:
    return current_user.role in (ADMIN, MANAGER)


@bp.get("/")
@signed_in
def log() -> ResponseReturnValue:
    """The notification log: when, who, what, channel, status, error."""
    status = request.args.get("status") or None
    if status not in (None, *(s.value for s in Status)):
        flash(_("Unknown status %(status)s: showing every notification.", status=status), "error")
        status = None
    session = get_session()
    lines = history.notification_log(
        session,
        hotline_ids=scoped_hotline_ids(current_user),
        person_id=current_user.person_id,
        user_id=current_user.id,
        status=status,
    )
    people = history.testable_people(session) if _may_test_others() else []
    return render_template(
        "alerts/log.html",
        lines=lines,
        status=status,
        statuses=[s.value for s in Status],
        kind_labels=_kind_labels(),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        people=people,
    )


@bp.post("/test")
@signed_in
def send_test() -> ResponseReturnValue:
    """Queue a test alert to me, or (admins, managers) to the person chosen."""
    session = get_session()
    raw = request.form.get("person_id", "")
    person = None
    if raw:
        person = session.get(Person, int(raw)) if raw.isdigit() and _may_test_others() else None
        if person is None or not person.active:
            flash(_("No such person: no test alert was sent."), "error")
            return redirect(url_for("alerts.log"))
    elif current_user.person_id is not None:
        person = session.get(Person, current_user.person_id)
    for problem in config_check.probe(current_app.config):
        flash(_("Alert settings: %(problem)s", problem=problem), "error")
    if person is not None:
        request_test_alert(session, person=person, timezone=current_app.config["TIMEZONE"])
        name = person.name
    else:
        request_test_alert(
            session,
            user_id=current_user.id,
            name=current_user.name,
            email=current_user.email,
            language=current_user.language or "fr",
            timezone=current_app.config["TIMEZONE"],
        )
        name = current_user.name
    session.commit()
    flash(_("Test alert queued for %(name)s: it appears below once sent.", name=name), "success")
    return redirect(url_for("alerts.log"))
