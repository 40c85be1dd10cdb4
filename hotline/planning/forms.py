"""Web forms of the planning pages: fields parse at the edge (phone numbers, zones, local times)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from hotline.auth.forms import MultiCheckboxField, email_address
from hotline.i18n import Form, error_sentence, page_text
from hotline.message_times import WallTime
from hotline.phone import DEFAULT_REGION, InvalidPhoneNumber, national_format, to_e164
from hotline.planning.errors import PlanningError
from hotline.planning.fairness import MAX_DAYS as MAX_FAIRNESS_DAYS
from hotline.planning.validation import (
    FIRST_YEAR,
    LAST_YEAR,
    SHIFT_HOURS,
    check_span,
    in_planning_years,
)

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
# A person's or a hotline's language, named in the page's language (a manager sets it for
# others; the language switch and one's own account name each language in itself).
LANGUAGE_CHOICES = [SelectChoice("fr", _l("French")), SelectChoice("en", _l("English"))]
MAX_GAP_WEEKS = 52
DEFAULT_GAP_WEEKS = 4
# Places offered for a chain (primary and backups); a longer chain gets one spare place.
CHAIN_PLACES = 5
MAX_CHAIN_PLACES = 20
RING_TIMEOUT = (5, 600)


# -- local times ----------------------------------------------------------------------------


class PlanningYears:
    """A date (or date and time) within the years people plan for.

    Stops the field's validation: later checks convert the time between zones,
    which overflows near year 1 or 9999.
    """

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not in_planning_years(field.data):
            raise StopValidation(
                _(
                    "Choose a date between the years %(first)s and %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )


def local_instants(wall: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The UTC instants a wall-clock time names in `zone`.

    None when the clocks jump over it (spring forward), two when they go back
    over it (autumn), else one.
    """
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    # A time in the spring-forward gap comes back from UTC as another wall-clock time.
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return ()
    if early.utcoffset() == late.utcoffset():
        return (early.astimezone(UTC),)
    return (early.astimezone(UTC), late.astimezone(UTC))


def one_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The one UTC instant of a wall-clock time; ValidationError when DST makes it 0 or 2."""
    instants = local_instants(wall, zone)
    shown = WallTime(wall)
    if not instants:
        raise ValidationError(
            page_text(
                _l(
                    "%(time)s does not exist in %(zone)s: the clocks jump forward over it that "
                    "day.",
                    time=shown,
                    zone=zone.key,
                )
            )
        )
    if len(instants) == 2:
        raise ValidationError(
            page_text(
                _l(
                    "%(time)s happens twice in %(zone)s (the clocks go back that day): "
                    "choose a time outside the repeated hour.",
                    time=shown,
                    zone=zone.key,
                )
            )
        )
    return instants[0]


def local_input_value(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as the value of a datetime-local input in `zone`."""
    return moment.astimezone(zone).strftime(LOCAL_INPUT_FORMAT)


def local_datetime_field(label: Any, required: bool = True) -> DateTimeLocalField:
    """A date-and-time input read as the hotline's wall-clock time."""
    return DateTimeLocalField(
        label,
        format=[LOCAL_INPUT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[
            InputRequired(message=_l("Give a date and time.")) if required else Optional(),
            PlanningYears(),
        ],
        render_kw={"step": 60},
    )


class DryRunForm(Form):
    """Who would the phone ring at a local date and time (sent with GET, no CSRF)."""

    at = local_datetime_field(_l("Date and time"))

    class Meta:
        csrf = False

    def validate_at(self, field: DateTimeLocalField) -> None:
        if field.data is None:
            return  # unreadable: the field already says so
        self.instants = local_instants(field.data, self.zone)
        if not self.instants:
            one_instant(field.data, self.zone)  # raises the "does not exist" message

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.instants: tuple[datetime, ...] = ()


class GapsForm(Form):
    """How many weeks ahead to list coverage gaps (sent with GET)."""

    weeks = IntegerField(
        _l("Weeks ahead"),
        default=DEFAULT_GAP_WEEKS,
        validators=[
            InputRequired(message=_l("Give a number of weeks.")),
            NumberRange(
                1,
                MAX_GAP_WEEKS,
                message=_l("Choose between %(min)s and %(max)s weeks."),
            ),
        ],
        render_kw={"min": 1, "max": MAX_GAP_WEEKS},
    )

    class Meta:
        csrf = False


# -- chains of people -----------------------------------------------------------------------


CHAIN_TWICE = _l("A person appears twice in the chain.")


class ChainCheck:
    """Places name people offered on the page, each once; `missing` refuses an empty list."""

    def __init__(self, missing: Any | None, twice: Any) -> None:
        self.missing = missing
        self.twice = twice

    def __call__(self, form: Any, field: FieldList) -> None:
        chosen = [entry.data for entry in field if entry.data]
        if self.missing is not None and not chosen:
            raise ValidationError(str(self.missing))
        if any(value not in getattr(field, "known_people", set()) for value in chosen):
            raise ValidationError(_("Choose people from the list."))
        if len(set(chosen)) != len(chosen):
            raise ValidationError(str(self.twice))


def chain_places(label: Any, *, missing: Any | None = None, twice: Any = CHAIN_TWICE) -> FieldList:
    """Ordered places, one choice of person each; `missing`: the error when none is chosen."""
    return FieldList(
        SelectField(choices=[], validate_choice=False),
        label=label,
        min_entries=CHAIN_PLACES,
        max_entries=MAX_CHAIN_PLACES,
        validators=[ChainCheck(missing, twice)],
    )


def offer_people(field: FieldList, people: list[tuple[int, str]]) -> None:
    """Offer `people` (id, name) in every place of a chain, and one spare place at the end."""
    if all(entry.data for entry in field) and len(field) < MAX_CHAIN_PLACES:
        field.append_entry()
    choices = [SelectChoice("", _("(nobody)"))]
    choices += [SelectChoice(str(pid), name) for pid, name in people]
    field.known_people = {str(pid) for pid, _name in people}
    for entry in field:
        entry.choices = choices


# The name of the submit button that asks for one more place in a chain (its value: the
# chain field's name); the page comes back with the place added and nothing saved.
MORE_PLACES = "more_places"


def add_place(form: Any, asked: str | None) -> bool:
    """Add an empty place to the chain field named `asked`; False when it names none."""
    field = form._fields.get(asked) if asked else None
    if not isinstance(field, FieldList) or not hasattr(field, "known_people"):
        return False
    if len(field) < MAX_CHAIN_PLACES:
        choices = field[0].choices
        field.append_entry()
        field[-1].choices = choices
    return True


def chain_ids(field: FieldList) -> list[int]:
    """The chosen people's ids, in chain order, empty places skipped."""
    return [int(entry.data) for entry in field if entry.data]


# -- people ---------------------------------------------------------------------------------


def editable_number(e164: str) -> str:
    """A stored number as people of the default region type it; others stay international."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION:
        return national_format(e164)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneField(StringField):
    """A phone number as typed; `e164` holds it normalised once validated."""

    e164: str | None = None

    def process_data(self, value: Any) -> None:
        self.data = editable_number(value) if value else value

    def pre_validate(self, form: Any) -> None:
        self.e164 = None
        raw = (self.data or "").strip()
        if not raw:
            return
        try:
            self.e164 = to_e164(raw)
        except InvalidPhoneNumber:
            raise ValidationError(
                _("%(number)s is not a valid phone number.", number=raw)
            ) from None


class PersonForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    mobile = PhoneField(
        _l("Mobile"),
        validators=[DataRequired(message=_l("Give a mobile number.")), Length(max=40)],
        description=_l("National (06 12 34 56 78) or international (+33 6 12 34 56 78)."),
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254), email_address])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fr")
    active = BooleanField(_l("Active (may be rung)"), default=True)


class PersonCreateForm(PersonForm):
    ref = StringField(
        _l("Reference"),
        validators=[Optional(), Length(max=40)],
        description=_l("Short identifier for the planning file; made from the name if empty."),
    )


# -- hotline settings -----------------------------------------------------------------------


class ZoneField(StringField):
    """An IANA time zone name such as Europe/Paris."""

    def pre_validate(self, form: Any) -> None:
        name = (self.data or "").strip()
        self.data = name
        if not name:
            return
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                _("%(zone)s is not a known time zone (like Europe/Paris).", zone=name)
            ) from None


class HotlineForm(Form):
    number = PhoneField(
        _l("Public number"), validators=[DataRequired(message=_l("Give the hotline's number."))]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    timezone = ZoneField(
        _l("Time zone"), default="Europe/Paris", validators=[DataRequired(), Length(max=64)]
    )
    language = SelectField(_l("Language of the prompts"), choices=LANGUAGE_CHOICES, default="fr")
    greeting = TextAreaField(_l("Greeting"), validators=[Optional(), Length(max=500)])
    ring_timeout = IntegerField(
        _l("Ring timeout per person (seconds)"),
        default=20,
        validators=[
            InputRequired(message=_l("Give a number of seconds.")),
            NumberRange(*RING_TIMEOUT, message=_l("Choose between %(min)s and %(max)s seconds.")),
        ],
    )
    screening = BooleanField(_l("Screening: the person presses 1 to take the call"), default=True)
    fallback_number = PhoneField(
        _l("Fallback number"),
        validators=[Optional()],
        description=_l("Rung once the chain is exhausted, before voicemail."),
    )
    default_chain = chain_places(_l("Default chain (when no slot covers the moment)"))


# -- slots ----------------------------------------------------------------------------------


class ZonedForm(Form):
    """A form whose date-and-time fields are wall-clock times in the hotline's zone."""

    def __init__(
        self,
        *args: Any,
        zone: ZoneInfo,
        current: Mapping[str, datetime] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        # The instants the edited row holds now, by field name (empty for a new row).
        self.current = dict(current or {})
        self.instants: dict[str, datetime] = {}

    def instant(self, field: Any) -> None:
        """Validator body: keep the field's UTC instant, or say why there is none."""
        if field.data is None:
            return
        kept = self.current.get(field.short_name)
        # A time left as it was names the instant it had, even in the hour the clocks
        # repeat: the input shows no offset, so it cannot be read back on its own.
        if kept is not None and kept in local_instants(field.data, self.zone):
            self.instants[field.short_name] = kept
            return
        self.instants[field.short_name] = one_instant(field.data, self.zone)

    def check_span(self) -> None:
        """Validator body for `ends_at`: refuse times that end before they start.

        Checked here too, not only when saving: a form refused for another field
        (the chain, the person) says at once that its times are wrong as well.
        """
        if {"starts_at", "ends_at"} <= self.instants.keys():
            try:
                check_span(self.utc("starts_at"), self.utc("ends_at"))
            except PlanningError as error:
                raise ValidationError(error_sentence(error)) from None

    def repeated_times(self) -> dict[str, datetime]:
        """The current instants, by field name, whose wall-clock time happens twice."""
        return {
            name: moment
            for name, moment in self.current.items()
            if len(local_instants(wall_clock(moment, self.zone), self.zone)) == 2
        }

    def utc(self, name: str) -> datetime:
        return self.instants[name]


def despite_absence_field() -> BooleanField:
    """The box confirming a change that puts somebody recorded as unavailable on call.

    Unticked, such a change is refused, naming who is away, when, and their place.
    """
    return BooleanField(
        _l("Put them on call even where they are recorded as unavailable"), default=False
    )


class SlotForm(ZonedForm):
    """A slot's times, chain and note; `version` is the one the editor loaded."""

    starts_at = local_datetime_field(_l("Starts"))
    ends_at = local_datetime_field(_l("Ends"))
    chain = chain_places(
        _l("Chain: the person on call, then the backups"),
        missing=_l("Choose at least the person on call."),
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    despite_absence = despite_absence_field()
    version = HiddenField(validators=[InputRequired(message=_l("Reload the page."))])

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        self.instant(field)

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        self.instant(field)
        self.check_span()

    def validate_version(self, field: HiddenField) -> None:
        if not str(field.data).isdigit():
            raise ValidationError(_("Reload the page."))


class VersionForm(Form):
    """A button-only form acting on a row as loaded (delete a slot)."""

    version = HiddenField(validators=[InputRequired(message=_l("Reload the page."))])

    def validate_version(self, field: HiddenField) -> None:
        if not str(field.data).isdigit():
            raise ValidationError(_("Reload the page."))


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """An instant as a naive wall-clock time in `zone` (what a datetime-local field shows)."""
    return moment.astimezone(zone).replace(tzinfo=None)


# -- labour rules ---------------------------------------------------------------------------


class LabourRulesForm(Form):
    """A hotline's labour rules; an empty field turns the rule off."""

    max_consecutive_days = IntegerField(
        _l("Most on-call days in a row"),
        validators=[
            Optional(),
            NumberRange(1, 366, message=_l("Choose between %(min)s and %(max)s days.")),
        ],
        description=_l("Empty: no limit."),
    )
    min_rest_hours = IntegerField(
        _l("Least rest between two shifts (hours)"),
        validators=[
            Optional(),
            NumberRange(1, 168, message=_l("Choose between %(min)s and %(max)s hours.")),
        ],
        description=_l("Empty: no limit."),
    )


# -- unavailability -------------------------------------------------------------------------

UNAVAILABILITY_LABELS = {
    "leave": _l("Leave"),
    "sickness": _l("Sickness"),
    "other": _l("Other"),
}


class UnavailabilityForm(Form):
    """Whole days when a person must not be put on call (first and last day included)."""

    kind = SelectField(
        _l("Reason"),
        choices=[SelectChoice(k, label) for k, label in UNAVAILABILITY_LABELS.items()],
        default="leave",
    )
    first_day = DateField(
        _l("First day"), validators=[InputRequired(message=_l("Give a date.")), PlanningYears()]
    )
    last_day = DateField(
        _l("Last day"), validators=[InputRequired(message=_l("Give a date.")), PlanningYears()]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])

    def validate_last_day(self, field: DateField) -> None:
        last_day_span(self.first_day, field)


def last_day_span(first_day: DateField, last_day: DateField) -> int | None:
    """Days from the first day to the last, both counted; None when either is not a date.

    Raises the last day's error when it comes before the first; says nothing when the
    first day is wrong, whose own message says how.
    """
    if first_day.errors or not (first_day.data and last_day.data):
        return None
    if last_day.data < first_day.data:
        raise ValidationError(_("The last day is before the first."))
    return (last_day.data - first_day.data).days + 1


# -- rotations ------------------------------------------------------------------------------

EVERY_DAY_PATTERN, WEEKDAYS_PATTERN, CUSTOM_PATTERN = "every_day", "weekdays", "custom"
PATTERN_DAYS = {EVERY_DAY_PATTERN: range(1, 8), WEEKDAYS_PATTERN: range(1, 6)}
SHIFT_UNITS = {"hours": 1, "days": 24, "weeks": 168}


class RotationForm(Form):
    """A rotation: members in turn order, shift length, handoff, days covered, backups."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    members = chain_places(
        _l("Members, in turn order"),
        missing=_l("Choose at least one member."),
        twice=_l("A person appears twice among the members."),
    )
    shift_length = IntegerField(
        _l("Shift length"),
        default=1,
        validators=[InputRequired(message=_l("Give a length.")), NumberRange(min=1)],
    )
    shift_unit = SelectField(
        _l("Unit"),
        choices=[
            SelectChoice("hours", _l("hours")),
            SelectChoice("days", _l("days")),
            SelectChoice("weeks", _l("weeks")),
        ],
        default="weeks",
    )
    handoff = TimeField(
        _l("Handoff time"),
        default=time(8, 0),
        validators=[InputRequired(message=_l("Give a time."))],
    )
    start_date = DateField(
        _l("First shift on"),
        validators=[InputRequired(message=_l("Give a date.")), PlanningYears()],
    )
    timezone = ZoneField(
        _l("Time zone"),
        validators=[Optional(), Length(max=64)],
        description=_l("Empty: the hotline's."),
    )
    pattern = SelectField(
        _l("Days covered"),
        choices=[
            SelectChoice(EVERY_DAY_PATTERN, _l("Every day")),
            SelectChoice(WEEKDAYS_PATTERN, _l("Monday to Friday")),
            SelectChoice(CUSTOM_PATTERN, _l("The days ticked below")),
        ],
        default=EVERY_DAY_PATTERN,
    )
    weekdays = MultiCheckboxField(_l("Days"), choices=[], coerce=int, validate_choice=False)
    window_start = TimeField(_l("Covered from"), validators=[Optional()])
    window_end = TimeField(_l("Covered until"), validators=[Optional()])
    backup_count = IntegerField(
        _l("Backups next in line"),
        default=1,
        validators=[InputRequired(message=_l("Give a number.")), NumberRange(min=0)],
        description=_l("How many of the next members in turn order back the person on call up."),
    )
    backups = chain_places(
        _l("Then these backups"), twice=_l("A person appears twice among the backups.")
    )
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weekdays.choices = [SelectChoice(d, day_name(d)) for d in range(1, 8)]

    def validate_shift_length(self, field: IntegerField) -> None:
        unit = self.shift_unit.data
        if field.data is None or unit not in SHIFT_UNITS:
            return  # unreadable or no unit: those fields already say so
        most = SHIFT_HOURS[1] // SHIFT_UNITS[unit]
        if field.data > most:
            # In the unit the form asks for: "31 days", not "744 hours".
            raise ValidationError(longest_shift(unit, most))

    def validate_weekdays(self, field: MultiCheckboxField) -> None:
        if self.pattern.data == CUSTOM_PATTERN and not field.data:
            raise ValidationError(_("Tick at least one day."))
        if any(day not in range(1, 8) for day in field.data or ()):
            raise ValidationError(_("Tick days from the list."))

    def chosen_weekdays(self) -> frozenset[int]:
        if self.pattern.data == CUSTOM_PATTERN:
            return frozenset(self.weekdays.data or ())
        return frozenset(PATTERN_DAYS[self.pattern.data])

    def shift_hours(self) -> int:
        return int(self.shift_length.data) * SHIFT_UNITS[self.shift_unit.data]

    def show_pattern(self, weekdays: frozenset[int]) -> None:
        """Set the pattern and day boxes from a stored set of ISO weekdays."""
        named = {frozenset(days): name for name, days in PATTERN_DAYS.items()}
        self.pattern.data = named.get(weekdays, CUSTOM_PATTERN)
        self.weekdays.data = sorted(weekdays)

    def show_shift(self, hours: int) -> None:
        """Show a stored length in the largest unit that divides it."""
        for unit in ("weeks", "days", "hours"):
            if hours % SHIFT_UNITS[unit] == 0:
                self.shift_length.data, self.shift_unit.data = hours // SHIFT_UNITS[unit], unit
                return


def longest_shift(unit: str, most: int) -> str:
    """The refusal of a shift over `most` units, in that unit."""
    if unit == "weeks":
        return _("A shift lasts at most %(num)d weeks.", num=most)
    if unit == "days":
        return _("A shift lasts at most %(num)d days.", num=most)
    return _("A shift lasts at most %(num)d hours.", num=most)


def day_name(iso_weekday: int) -> str:
    """The weekday's name in the page's language (1 = Monday)."""
    from hotline.i18n import format_local_date

    return format_local_date(date(2024, 1, iso_weekday), None, "EEEE")


def days_text(weekdays: frozenset[int]) -> str:
    """The days a rotation covers: every day, Monday to Friday, or their names."""
    if weekdays == frozenset(PATTERN_DAYS[EVERY_DAY_PATTERN]):
        return _("every day")
    if weekdays == frozenset(PATTERN_DAYS[WEEKDAYS_PATTERN]):
        return _("Monday to Friday")
    return ", ".join(day_name(d) for d in sorted(weekdays))


class GenerateForm(Form):
    """Generate a rotation's slots for N weeks from a day (today when empty)."""

    weeks = IntegerField(
        _l("Weeks ahead"),
        default=8,
        validators=[
            InputRequired(message=_l("Give a number of weeks.")),
            NumberRange(1, 104, message=_l("Choose between %(min)s and %(max)s weeks.")),
        ],
    )
    from_day = DateField(
        _l("From"), validators=[Optional(), PlanningYears()], description=_l("Empty: from now on.")
    )

    class Meta:
        # Previews come with GET; posts are checked by the app's CSRF hook all the same.
        csrf = False


# -- overrides ------------------------------------------------------------------------------


class ReplaceForm(ZonedForm):
    """Replace a person (sick, say) by another for a span: an override wherever they are on call."""

    person = SelectField(_l("Person to replace"), choices=[], validate_choice=False)
    replacement = SelectField(_l("Replaced by"), choices=[], validate_choice=False)
    starts_at = local_datetime_field(_l("From"))
    ends_at = local_datetime_field(_l("Until"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    despite_absence = despite_absence_field()

    def offer(self, people: list[tuple[int, str]]) -> None:
        choices = [SelectChoice("", _("(choose)"))]
        choices += [SelectChoice(str(pid), name) for pid, name in people]
        self.known = {str(pid) for pid, _name in people}
        self.person.choices = self.replacement.choices = choices

    def validate_person(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", set()):
            raise ValidationError(_("Choose a person from the list."))

    def validate_replacement(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", set()):
            raise ValidationError(_("Choose a person from the list."))

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        self.instant(field)

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        self.instant(field)
        self.check_span()


class SwapForm(Form):
    """Swap two shifts between their people."""

    first = SelectField(_l("This shift"), choices=[], validate_choice=False)
    second = SelectField(_l("with this one"), choices=[], validate_choice=False)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    despite_absence = despite_absence_field()

    def offer(self, shifts: list[tuple[int, str]]) -> None:
        choices = [SelectChoice("", _("(choose)"))]
        choices += [SelectChoice(str(sid), label) for sid, label in shifts]
        self.known = {str(sid) for sid, _label in shifts}
        self.first.choices = self.second.choices = choices

    def validate_first(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", set()):
            raise ValidationError(_("Choose a shift from the list."))

    def validate_second(self, field: SelectField) -> None:
        if field.data not in getattr(self, "known", set()):
            raise ValidationError(_("Choose a shift from the list."))
        if field.data == self.first.data:
            raise ValidationError(_("Choose another shift."))


# -- fairness -------------------------------------------------------------------------------


class PeriodForm(Form):
    """A period of whole local days (sent with GET)."""

    first_day = DateField(
        _l("From"), validators=[InputRequired(message=_l("Give a date.")), PlanningYears()]
    )
    last_day = DateField(
        _l("To"), validators=[InputRequired(message=_l("Give a date.")), PlanningYears()]
    )

    class Meta:
        csrf = False

    def validate_last_day(self, field: DateField) -> None:
        days = last_day_span(self.first_day, field)
        if days is not None and days > MAX_FAIRNESS_DAYS:
            raise ValidationError(
                _(
                    "The period spans %(days)d days; choose at most %(max)d.",
                    days=days,
                    max=MAX_FAIRNESS_DAYS,
                )
            )
