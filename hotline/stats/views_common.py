"""What every statistics page shares: whose calls the user sees, masking, labels, formats.

Reviewers (admins, managers, supervisors) see every call of the hotlines they
review; an agent sees only the calls on which their own Person was rung, on
any hotline. Admins may also look at all hotlines at once (including calls
the emergency fallback took, which belong to no hotline); managers and
supervisors choose one of their hotlines at a time, since a median or a
percentile of several hotlines is not a sum of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from flask import Response, abort, current_app
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice, ValidationError

from hotline.alerts import history as alert_history
from hotline.auth import ADMIN, AGENT, MANAGER, SUPERVISOR, scoped_hotline_ids
from hotline.auth.forms import show_error
from hotline.db import get_session
from hotline.i18n import page_locale
from hotline.models import Hotline
from hotline.phone import DEFAULT_REGION, format_for, is_withheld
from hotline.planning.hotline_settings import list_hotlines
from hotline.planning.people import list_people
from hotline.stats import bp
from hotline.stats.calls import masked_caller
from hotline.stats.forms import OUTCOME_LABELS
from hotline.stats.periods import Period
from hotline.voice.leg_words import LEG_WORDS

# Any number of the app's home country: callers from there are shown in national form.
HOME_NUMBER = phonenumbers.format_number(
    phonenumbers.example_number(DEFAULT_REGION), phonenumbers.PhoneNumberFormat.E164
)

READERS = (ADMIN, MANAGER, SUPERVISOR, AGENT)
# Roles that see every caller's full number (to call a lost caller back, to answer
# a complaint); config key STATS_UNMASKED_ROLES overrides. Anyone else sees a
# caller's number in full only on the calls an alert sent to them named the caller
# of (missed call, its voicemail update, incoming call: hotline.alerts.history.
# CALLER_ALERTS), since that alert gave them the number to call back; every other
# caller stays masked for them.
UNMASKED_ROLES = (ADMIN, SUPERVISOR)
ALL_HOTLINES = ""


@dataclass(frozen=True)
class Scope:
    """Whose calls a page covers: one hotline or all, in which zone, and for agents whose."""

    hotline: Hotline | None
    tz: str
    own_calls_of: int | None  # agents: their Person; None: every call of the hotline(s)
    agent: bool

    @property
    def hotline_id(self) -> int | None:
        return self.hotline.id if self.hotline is not None else None

    @property
    def unlinked_agent(self) -> bool:
        """An agent account with no Person: no call is theirs."""
        return self.agent and self.own_calls_of is None


def is_agent() -> bool:
    return current_user.role == AGENT


def shows_callers() -> bool:
    """Whether the signed-in user sees callers' numbers in full."""
    roles = current_app.config.get("STATS_UNMASKED_ROLES", UNMASKED_ROLES)
    return current_user.role in roles


def calls_told_of(call_ids: Iterable[int]) -> set[int]:
    """The calls among `call_ids` whose caller an alert sent to the signed-in user named
    (none to look for when their role sees every number)."""
    if shows_callers():
        return set()
    return alert_history.calls_told_of(
        get_session(), call_ids, user_id=current_user.id, person_id=current_user.person_id
    )


@bp.app_template_global()
def caller_number(number: str, told: bool = False) -> str:
    """A caller's number as the signed-in user may see it: written the way people dial it
    from the app's country ("07 99 88 77 66", "+44 7911 123456"), masked for roles that
    may not call back unless an alert to the user named this caller (`told`), or said
    to be withheld (never Twilio's "anonymous")."""
    if is_withheld(number):
        return _("withheld number")
    if not (told or shows_callers()):
        return masked_caller(number)
    try:
        return format_for(number, HOME_NUMBER)
    except phonenumbers.NumberParseException:
        return number


def reachable_hotlines(session: Session) -> tuple[list[Hotline], bool]:
    """The hotlines the user may pick, and whether "all hotlines" is one of the choices.

    Agents pick any hotline (they only ever see their own calls on it).
    """
    if is_agent():
        return list_hotlines(session), True
    scope = scoped_hotline_ids(current_user)
    return list_hotlines(session, scope), scope is None


def offer_hotlines(field: Any, hotlines: list[Hotline], all_allowed: bool) -> None:
    """Fill a hotline select with the user's choices."""
    choices = [SelectChoice(ALL_HOTLINES, _("All hotlines"))] if all_allowed else []
    choices += [SelectChoice(str(h.id), h.name) for h in hotlines]
    field.choices = choices


def checked_scope(session: Session, form: Any) -> tuple[Scope | None, bool]:
    """Validate a statistics form, then resolve its hotline: (scope, whether all is valid)."""
    valid = form.validate()  # first: validating clears errors set before
    scope = resolve_scope(session, form)
    return scope, valid and not form.hotline.errors


def resolve_scope(session: Session, form: Any) -> Scope | None:
    """The scope the form's hotline field asks for.

    None, with an error at the field, when the choice is not a hotline; 403
    when it is one the user may not review; None without error when the user
    reviews no hotline at all.
    """
    hotlines, all_allowed = reachable_hotlines(session)
    offer_hotlines(form.hotline, hotlines, all_allowed)
    chosen = form.hotline.data or ALL_HOTLINES
    own = current_user.person_id if is_agent() else None
    if chosen == ALL_HOTLINES:
        if all_allowed:
            return Scope(None, current_app.config["TIMEZONE"], own, is_agent())
        if not hotlines:
            return None
        form.hotline.data = str(hotlines[0].id)
        return Scope(hotlines[0], hotlines[0].timezone, own, is_agent())
    hotline = session.get(Hotline, int(chosen)) if chosen.isdigit() else None
    if hotline is None:
        show_error(form, _field_error("hotline", _("Choose a hotline from the list.")))
        return None
    if hotline not in hotlines:
        abort(403)
    return Scope(hotline, hotline.timezone, own, is_agent())


def offer_people(field: Any, session: Session, blank: str) -> None:
    """Fill a person select with everyone who may be rung (inactive people too)."""
    field.choices = [SelectChoice("", blank)] + [
        SelectChoice(str(p.id), p.name) for p in list_people(session)
    ]


def _field_error(field: str, message: str) -> Exception:
    error = ValidationError(message)
    error.field = field  # type: ignore[attr-defined]
    return error


def show_stats_error(form: Any, error: Exception, field: str | None = None) -> None:
    """Show a statistics function's error message at `field` (or above the form)."""
    show_error(form, _field_error(field, str(error)) if field else error)


def csv_response(lines: Iterable[str], name: str, period: Period) -> Response:
    """A CSV download named after what it holds and its period (streamed as it is written)."""
    filename = f"{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- formats -------------------------------------------------------------------------------


@bp.app_template_filter("seconds")
def seconds_text(value: float | None) -> str:
    """A length of time in seconds as people read it: 23.5 s, 4 min 05 s, 2 h 10 min."""
    if value is None:
        return "–"
    return _one_line(_duration_words(value))


def _duration_words(value: float) -> str:
    if value < 60:
        return _("%(seconds)s s", seconds=format_decimal(round(value, 1), "0.#"))
    whole = round(value)
    if whole < 3600:
        return _("%(minutes)d min %(seconds)02d s", minutes=whole // 60, seconds=whole % 60)
    return _("%(hours)d h %(minutes)02d min", hours=whole // 3600, minutes=whole % 3600 // 60)


def _one_line(text: str) -> str:
    """`text` with non-breaking spaces: a narrow column must not wrap "2 min 09 / s"."""
    return text.replace(" ", "\N{NO-BREAK SPACE}")


@bp.app_template_filter("rate")
def rate_text(value: float | None) -> str:
    """A share as a percentage with one decimal, the way the page's language writes it."""
    if value is None:
        return "–"
    pattern = page_locale().percent_formats[None].pattern
    return format_percent(value, pattern.replace("#,##0", "#,##0.0", 1))


@bp.app_template_filter("hours")
def hours_text(value: float) -> str:
    """Hours as hours and minutes ("0:01", "120:34"), to the nearest minute.

    The on-call report is paid from: a decimal rounded to one place turned every call
    under three minutes into 0. The CSV gives the same figures in decimal hours.
    """
    minutes = round(value * 60)
    if minutes == 0 and value > 0:
        return "< 0:01"  # a few seconds, which still happened
    return f"{minutes // 60}:{minutes % 60:02d}"


@bp.app_template_global()
def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))  # type: ignore[call-overload]


@bp.app_template_global()
def leg_label(result: str) -> str:
    """How one ring leg ended, in the reader's language."""
    words = LEG_WORDS.get(result)
    return _(words.label) if words else result


@bp.app_template_global()
def leg_heading(result: str) -> str:
    """The heading of a count of legs that ended so, in the reader's language."""
    return _(LEG_WORDS[result].heading)


@bp.app_template_global()
def chain_place(position: int | None) -> str:
    """Primary, backup 1, backup 2 ... for a position in the chain."""
    if position is None:
        return ""
    if position == 0:
        return _("Primary")
    return _("Backup %(n)d", n=position)
