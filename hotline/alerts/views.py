"""Alert pages: the notification log and the "send me a test alert" button."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hotline.alerts import bp, config_check, history, messages
from hotline.alerts.errors import Reason, split_reason
from hotline.alerts.models import AlertKind, Channel, Status
from hotline.alerts.outbox import request_test_alert
from hotline.auth import ADMIN, MANAGER, scoped_hotline_ids, signed_in
from hotline.db import get_session, utcnow
from hotline.i18n import current_language
from hotline.models import Person
from hotline.planning.contacts import numbers_shown, unlinked_address_shown
from hotline.stats.calls import calls_rung_for
from hotline.stats.views_calls import may_open_call

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

REASON_LABELS = {
    Reason.NO_EMAIL_ADDRESS: _l("no e-mail address"),
    Reason.NO_MOBILE_NUMBER: _l("no mobile number"),
    Reason.EMAIL_NOT_CONFIGURED: _l("e-mail sending is not set up"),
    Reason.SMS_NOT_CONFIGURED: _l("SMS sending is not set up"),
    Reason.CALLS_NOT_CONFIGURED: _l("confirmation calls are not set up"),
    Reason.TWILIO_UNREACHABLE: _l("Twilio could not be reached"),
    Reason.TWILIO_ANSWERED: _l("Twilio refused the message"),
    Reason.NOT_A_MOBILE: _l("this number cannot receive SMS (a landline?)"),
    Reason.UNKNOWN_SMTP_HOST: _l("unknown mail server"),
    Reason.SMTP_UNREACHABLE: _l("the mail server could not be reached"),
    Reason.SMTP_UNFIT: _l("the mail server does not support the settings"),
    Reason.SMTP_LOGIN_REFUSED: _l("the mail server refused the login"),
    Reason.RECIPIENT_REFUSED: _l("the mail server refused the address"),
    Reason.SMTP_ERROR: _l("the mail server answered with an error"),
    Reason.WORKER_STOPPED: _l("interrupted while sending: it may have gone out"),
}
# A provider's raw answer can be long (a URL, a stack of exceptions): admins see its start.
DETAIL_LENGTH = 120
# Reasons whose detail is the app's own English words, not a provider's answer: the page
# names the settings to fill in (in its language) rather than show that English.
SETTINGS_REASONS = frozenset(
    {Reason.EMAIL_NOT_CONFIGURED, Reason.SMS_NOT_CONFIGURED, Reason.CALLS_NOT_CONFIGURED}
)
SETTING_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


@dataclass(frozen=True)
class ErrorText:
    label: str  # in the page's language
    detail: str | None  # the provider's own words, for admins


def _error_text(error: str | None) -> ErrorText | None:
    if not error:
        return None
    reason, detail = split_reason(error)
    label = str(REASON_LABELS[reason]) if reason else None
    if current_user.role != ADMIN:
        return ErrorText(label or _("sending failed"), None)
    if label is None:  # no known reason: the stored text is all there is
        return ErrorText(_shortened(error), None)
    if reason in SETTINGS_REASONS:
        names = SETTING_NAME.findall(detail)
        detail = _("to fill in: %(names)s", names=", ".join(names)) if names else detail
    elif reason == Reason.WORKER_STOPPED:
        detail = ""  # the label says all the stored text says
    return ErrorText(label, _shortened(detail) if detail else None)


def _shortened(text: str) -> str:
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


def _openable_calls(lines: list[history.LogLine]) -> set[int]:
    """The calls of the log whose page the user may open (the call page's own rule)."""
    call_ids = {line.call_id for line in lines if line.call_id is not None}
    person_id = current_user.person_id
    rung = calls_rung_for(get_session(), person_id, call_ids) if person_id is not None else set()
    return {
        line.call_id
        for line in lines
        if line.call_id is not None and may_open_call(line.hotline_id, line.call_id in rung)
    }


def _addresses_shown(lines: list[history.LogLine]) -> set[int]:
    """The notifications whose address (mobile or e-mail) the user may see."""
    # The one rule of hotline.planning.contacts: a person's mobile and e-mail alike.
    people = numbers_shown(
        get_session(), current_user, (line.person_id for line in lines), now=utcnow()
    )
    return {
        line.notification_id
        for line in lines
        if line.person_id in people
        or (line.person_id is None and unlinked_address_shown(current_user, _account(line)))
    }


def _account(line: history.LogLine) -> int | None:
    """The account a notification went to ("user:3"); None when it went to a person."""
    kind, _sep, ref = line.recipient.partition(":")
    return int(ref) if kind == "user" and ref.isdigit() else None


# A missed-call alert is labelled by what it said (hotline.alerts.history.label_of).
WORDING_LABELS = ("missed_call_message", "missed_call_no_message")


def _kind_labels() -> dict[str, str]:
    # Kept with the alert texts (templates/alerts/messages), in the page's language.
    language = current_language()
    env = current_app.jinja_env
    names = [*(k.value for k in AlertKind), *WORDING_LABELS]
    return {name: messages.render_block(env, "kind_labels", language, name, {}) for name in names}


def _may_test_others() -> bool:
    return current_user.role in (ADMIN, MANAGER)


def _testable_people() -> list[Person]:
    """Whom the user may send a test alert to: the people their people pages reach."""
    return history.testable_people(
        get_session(),
        scoped_hotline_ids(current_user),
        own_person_id=current_user.person_id,
        now=utcnow(),
    )


def _testable_person(person_id: int) -> Person | None:
    return history.testable_person(
        get_session(),
        person_id,
        scoped_hotline_ids(current_user),
        own_person_id=current_user.person_id,
        now=utcnow(),
    )


@bp.get("/")
@signed_in
def log() -> ResponseReturnValue:
    """The notification log: when, who, what, channel, status, error."""
    status = request.args.get("status") or None
    if status not in (None, *(s.value for s in Status)):
        flash(_("Unknown status %(status)s: showing every notification.", status=status), "error")
        status = None
    return _log_page(status)


def _log_page(status: str | None) -> str:
    """The log page, its notifications filtered by `status` (None: all)."""
    lines = history.notification_log(
        get_session(),
        hotline_ids=scoped_hotline_ids(current_user),
        person_id=current_user.person_id,
        user_id=current_user.id,
        status=status,
    )
    people = _testable_people() if _may_test_others() else []
    return render_template(
        "alerts/log.html",
        status=status,
        statuses=[s.value for s in Status],
        kind_labels=_kind_labels(),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        people=people,
        rows=[(line, _error_text(line.last_error)) for line in lines],
        openable_calls=_openable_calls(lines),
        addresses_shown=_addresses_shown(lines),
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
        if _testable_person(person.id) is None:
            flash(
                _(
                    "%(name)s is on call only for hotlines you do not manage: no test alert "
                    "was sent. You may send one to the people on call for a hotline you "
                    "manage, and to those on call for none yet.",
                    name=person.name,
                ),
                "error",
            )
            # Refused on the log page itself, with 403, rather than after a redirect.
            return _log_page(None), 403
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
