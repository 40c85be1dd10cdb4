"""Forms of the statistics pages, all sent with GET: period, filters, paging, report month.

The fields check what a person can get wrong (end before start, a year-long
range, a page of a million calls) and say so at the field, in the page's
language; the statistics functions check again and would raise
`StatsInputError` for anything that slipped through.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import Length, NumberRange, Optional

from hotline.i18n import N_, Form, format_local_date
from hotline.phone import DEFAULT_REGION
from hotline.stats.calls import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from hotline.stats.kpis import DEFAULT_TARGET_SECONDS, MAX_TARGET_SECONDS
from hotline.stats.periods import MAX_DAYS, Period, parse_period
from hotline.voice.models import Outcome

# Calls before 2000 or after 2100 are typing mistakes (and year 9999 overflows).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
MONTH_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
DIGIT = re.compile(r"\d")

PERIOD_CHOICES = [
    SelectChoice("today", _l("Today")),
    SelectChoice("7d", _l("Last 7 days")),
    SelectChoice("30d", _l("Last 30 days")),
    SelectChoice("month", _l("A calendar month")),
    SelectChoice("custom", _l("From a date to a date")),
]
# The fields each period reads. The others may still come with the request (stats.js
# only hides them, and the browser sends what was typed there): they are ignored.
PERIOD_INPUTS = {"month": ("month",), "custom": ("start", "end")}
# The outcomes as the call pages and the call list's CSV name them.
OUTCOME_NAMES = {
    Outcome.ANSWERED: N_("Answered"),
    Outcome.VOICEMAIL: N_("Voicemail"),
    Outcome.MISSED: N_("Missed"),
    Outcome.ABANDONED: N_("Abandoned"),
    Outcome.FAILED: N_("Emergency fallback"),
    Outcome.RINGING: N_("In progress"),
}
OUTCOME_LABELS = {outcome: _l(name) for outcome, name in OUTCOME_NAMES.items()}


class GetForm(Form):
    """A form read from the query string: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False


def check_day(field: Field) -> None:
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError(
            _(
                # Whole years, as the planning's forms say it: no ISO date in a sentence.
                "Choose a date between the years %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            )
        )


def month_of(text: str | None) -> tuple[int, int] | None:
    """(year, month) of a YYYY-MM text, None when it is not one."""
    found = MONTH_PATTERN.match(text or "")
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        return None
    return year, month


def check_month(field: Field) -> None:
    found = month_of(field.data)
    if found is None:
        raise ValidationError(_("Give a month as YYYY-MM, for example 2026-03."))
    if not EARLIEST_DAY.year <= found[0] <= LATEST_DAY.year:
        raise ValidationError(
            _(
                "Choose a month between %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            )
        )


class OptionalDateField(DateField):
    """A date input that may stay empty (the form says when it may not)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class WholeNumberField(IntegerField):
    """A whole number from `low` to `high`, or nothing; any other text gets `message`.

    IntegerField would say "Not a valid integer value." for "abc" and the range
    check a second message under it: the field's own message alone says what to type.
    """

    def __init__(self, label: Any, low: int, high: int, message: Any, **kwargs: Any) -> None:
        super().__init__(label, validators=[Optional(), NumberRange(low, high, message)], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None  # not a number: the range check refuses it, with `message`


def month_name(first_day: date) -> str:
    """The month of `first_day` as the reader says it: "March 2026", « mars 2026 »."""
    return format_local_date(first_day, None, "LLLL y")


def show_current_month(field: StringField, first_day: date) -> None:
    """Fill an empty month field with the month of `first_day`, and say so under it."""
    field.data = first_day.strftime("%Y-%m")
    # A month input may show only "2026-11", or nothing: say which month it is.
    field.description = _(
        "No month chosen: showing the current month, %(month)s.", month=month_name(first_day)
    )


class PeriodFields(GetForm):
    """Which hotline and which local days: a preset, a month, or from/to dates."""

    hotline = SelectField(_l("Hotline"), validate_choice=False)
    period = SelectField(_l("Period"), choices=PERIOD_CHOICES, default="7d")
    month = StringField(
        _l("Month"),
        render_kw={"type": "month", "placeholder": _l("YYYY-MM"), "pattern": r"\d{4}-\d{2}"},
    )
    start = OptionalDateField(_l("From"))
    end = OptionalDateField(_l("To"))

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields; one the request does not use never fails it."""
        super().validate(extra_validators)
        for name in self.unused_fields():
            self[name].errors = []
        return not self.errors

    def unused_fields(self) -> set[str]:
        """The period fields the chosen period does not read."""
        return {"month", "start", "end"} - set(PERIOD_INPUTS.get(self.period.data, ()))

    def validate_period(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in PERIOD_CHOICES}:
            raise ValidationError(_("Choose a period from the list."))

    def validate_month(self, field: StringField) -> None:
        if field.data:
            check_month(field)

    def validate_start(self, field: DateField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(_("Give the first day of the period."))
        check_day(field)

    def validate_end(self, field: DateField) -> None:
        if field.data is None:
            if not field.errors:
                raise ValidationError(_("Give the last day of the period."))
            return
        check_day(field)
        first = self.start.data
        if first is None or self.start.errors:
            return  # the first day is wrong: its own message says how, no second one here
        if field.data < first:
            raise ValidationError(_("The period ends before it starts."))
        days = (field.data - first).days + 1
        if days > MAX_DAYS:
            raise ValidationError(
                _(
                    "The period spans %(days)d days; choose at most %(max)d.",
                    days=days,
                    max=MAX_DAYS,
                )
            )

    def period_in(self, tz: str, now: datetime | None = None) -> Period:
        """The chosen local days in time zone `tz` (raises StatsInputError on bad input)."""
        period = parse_period(
            self.period.data,
            tz,
            now=now,
            start=self.start.data.isoformat() if self.start.data else None,
            end=self.end.data.isoformat() if self.end.data else None,
            month=self.month.data or None,
        )
        if self.period.data == "month" and not self.month.data:
            show_current_month(self.month, period.start)
        return period

    def period_args(self) -> dict[str, Any]:
        """The hotline and period as query arguments, for links to the other statistics pages."""
        args: dict[str, Any] = {"period": self.period.data}
        if self.hotline.data:
            args["hotline"] = self.hotline.data
        if self.period.data == "month" and self.month.data:
            args["month"] = self.month.data
        if self.period.data == "custom":
            args["start"] = self.start.data.isoformat() if self.start.data else ""
            args["end"] = self.end.data.isoformat() if self.end.data else ""
        return args


class DashboardForm(PeriodFields):
    target = WholeNumberField(
        _l("Service-level target (seconds)"),
        1,
        MAX_TARGET_SECONDS,
        _l("Give the target in whole seconds, from 1 to %(max)d.", max=MAX_TARGET_SECONDS),
        default=DEFAULT_TARGET_SECONDS,
    )

    def target_seconds(self) -> int:
        if "target" in self.unused_fields():
            return DEFAULT_TARGET_SECONDS
        return self.target.data or DEFAULT_TARGET_SECONDS


class AgentsExportForm(DashboardForm):
    """The dashboard's form, for its per-agent CSV: no service level in it."""

    def unused_fields(self) -> set[str]:
        return super().unused_fields() | {"target"}


class AgentDashboardForm(AgentsExportForm):
    """The dashboard's form for an agent, who sees their own line, never the service level."""


class CallFilterForm(PeriodFields):
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()],
        default="",
    )
    agent = SelectField(_l("Agent"), validate_choice=False, default="")
    caller = StringField(_l("Caller number"), validators=[Optional(), Length(max=32)])
    page_size = WholeNumberField(
        _l("Calls per page"),
        1,
        MAX_PAGE_SIZE,
        _l("Show 1 to %(max)d calls a page.", max=MAX_PAGE_SIZE),
        default=DEFAULT_PAGE_SIZE,
    )
    cursor = HiddenField()

    def validate_outcome(self, field: SelectField) -> None:
        if field.data and field.data not in {o.value for o in Outcome}:
            raise ValidationError(_("Choose an outcome from the list."))

    def validate_agent(self, field: SelectField) -> None:
        if not field.data:
            return
        known = {choice.value for choice in field.choices or ()}
        if field.data not in known:
            raise ValidationError(_("There is no agent %(agent)s.", agent=field.data))

    def validate_caller(self, field: StringField) -> None:
        if field.data and not DIGIT.search(field.data):
            raise ValidationError(_("Give digits of the caller's number."))

    def agent_id(self) -> int | None:
        return int(self.agent.data) if self.agent.data else None

    def caller_part(self) -> str | None:
        """The caller filter as stored numbers are written (E.164).

        People type numbers the national way: a leading 0 stands for the
        country code of the default region, so "06 12" finds "+33612...".
        """
        typed = re.sub(r"[\s.\-/()]", "", self.caller.data or "")
        if not typed:
            return None
        if typed.startswith("00"):
            return "+" + typed[2:]
        if typed.startswith("0"):
            return f"+{phonenumbers.country_code_for_region(DEFAULT_REGION)}{typed[1:]}"
        return typed

    def page_size_value(self) -> int:
        return self.page_size.data or DEFAULT_PAGE_SIZE


class CallExportForm(CallFilterForm):
    """The call list's filters, for its CSV: every call, in no pages."""

    def unused_fields(self) -> set[str]:
        return super().unused_fields() | {"page_size", "cursor"}


class AstreinteForm(GetForm):
    hotline = SelectField(_l("Hotline"), validate_choice=False)
    month = StringField(
        _l("Month"),
        render_kw={"type": "month", "placeholder": _l("YYYY-MM"), "pattern": r"\d{4}-\d{2}"},
    )
    person = SelectField(_l("Person"), validate_choice=False, default="")

    def validate_month(self, field: StringField) -> None:
        if field.data:
            check_month(field)

    def validate_person(self, field: SelectField) -> None:
        if not field.data:
            return
        if field.data not in {choice.value for choice in field.choices or ()}:
            raise ValidationError(_("There is no agent %(agent)s.", agent=field.data))

    def person_id(self) -> int | None:
        return int(self.person.data) if self.person.data else None
