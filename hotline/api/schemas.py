"""The API's documents as pydantic models: they check what comes in and shape what goes out.

Input models check shape only (types, lengths, ranges, unknown fields -> 400);
the planning's own rules (phone numbers, zones, overlaps, people) are checked by
the services they are handed to (-> 422), exactly as for the web forms.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["fr", "en"]
Name = Annotated[str, Field(min_length=1, max_length=120)]
PhoneText = Annotated[str, Field(min_length=1, max_length=40, examples=["06 12 34 56 78"])]
Instant = Annotated[
    str,
    Field(
        max_length=40,
        description="ISO 8601 date and time; without an offset, a wall-clock time in the "
        "hotline's time zone",
        examples=["2026-03-29T08:00", "2026-03-29T08:00:00+02:00"],
    ),
]
Id = Annotated[int, Field(ge=1)]

T = TypeVar("T")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unchanged(**constraints: Any) -> Any:
    """An update field: left out means unchanged; null is refused (the column needs a value)."""
    return Field(None, json_schema_extra=_no_default, **constraints)


def confirm_absence(who: str, field: str) -> Any:
    """The `despite_absence` field of a change that puts `who` on call."""
    return Field(
        False,
        description=f"put {who} on call even where they are recorded as unavailable; "
        f"without it such a change is refused (422 naming who, when and in which place, "
        f"field {field}, the pieces in the problem's absent_places); with it the answer "
        f"lists those pieces in absent_places",
    )


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Problem(Output):
    """Every error: a stable code, a message for people, the field at fault if any."""

    error: str = Field(examples=["invalid"])
    message: str
    field: str | None = Field(default=None, examples=["mobile"])


class Page(Output, Generic[T]):
    """One page of a list; ask for the next with offset=next_offset."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


class Paging(Input):
    limit: int = Field(100, ge=1, le=500, description="items per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="items to skip")


# -- hotlines ------------------------------------------------------------------------------


class HotlineOut(Output):
    id: int
    number: str = Field(description="E.164", examples=["+33184881234"])
    number_national: str = Field(examples=["01 84 88 12 34"])
    name: str
    timezone: str = Field(examples=["Europe/Paris"])
    language: Language
    greeting: str | None
    ring_timeout: int = Field(description="seconds each leg rings")
    screening: bool
    fallback_number: str | None = Field(
        description="E.164, rung when a call rings nobody or the chain is exhausted; null when "
        "the hotline has none, or withheld: only admins and the hotline's managers get it",
        examples=["+33612345699"],
    )
    has_fallback_number: bool = Field(
        description="true when a fallback number answers the calls that ring nobody (else "
        "voicemail), whether or not the token's user gets the number"
    )
    default_chain: list[int] = Field(
        description="person ids rung when no slot covers the moment, primary first"
    )
    created_at: datetime


class HotlinePage(Page[HotlineOut]):
    pass


PersonIds = Annotated[list[Id], Field(max_length=20)]


class HotlineCreate(Input):
    number: PhoneText
    name: Name
    timezone: str = Field("Europe/Paris", max_length=64, description="IANA time zone")
    language: Language = "fr"
    ring_timeout: int = Field(20, ge=5, le=600, description="seconds each leg rings")
    screening: bool = True
    fallback_number: PhoneText | None = None
    greeting: str | None = Field(None, max_length=500)
    default_chain: PersonIds = Field(default_factory=list)


class HotlineUpdate(Input):
    """Only the fields sent change."""

    number: PhoneText = unchanged()
    name: Name = unchanged()
    timezone: str = unchanged(max_length=64)
    language: Language = unchanged()
    ring_timeout: int = unchanged(ge=5, le=600)
    screening: bool = unchanged()
    fallback_number: PhoneText | None = None
    greeting: str | None = Field(None, max_length=500)
    default_chain: PersonIds = unchanged()


# -- people --------------------------------------------------------------------------------


class PersonOut(Output):
    id: int
    ref: str
    name: str
    mobile: str = Field(description="E.164", examples=["+33612345678"])
    mobile_national: str = Field(examples=["06 12 34 56 78"])
    email: str | None
    language: Language
    active: bool


class PersonChoiceOut(Output):
    """Someone who can be put in a chain, as the web forms' pickers show them: no contact
    details (GET /people/{id} gives those, for the people in the user's reach)."""

    id: int
    name: str
    active: bool


class NumberWarningOut(Output):
    """Why the mobile saved may not work as the planning expects; it is saved anyway."""

    warning: Literal["landline", "shared_number"] = Field(
        description="landline: calls ring it but SMS alerts cannot reach it; shared_number: "
        "other active people have this mobile (a shared on-call phone is allowed)"
    )
    mobile: str = Field(description="E.164")
    shared_with: list[PersonChoiceOut] = Field(
        description="the other active people with this mobile whose number the caller may "
        "see (empty for landline)"
    )
    others_withheld: int = Field(
        description="how many more active people have this mobile, outside the caller's "
        "teams: counted, not named"
    )
    message: str


class PersonSaved(PersonOut):
    warnings: list[NumberWarningOut] = Field(
        description="warnings on the mobile saved; empty when it looks like a mobile of their own"
    )


class PersonPage(Page[PersonOut]):
    pass


class PersonChoicePage(Page[PersonChoiceOut]):
    pass


Ref = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Email = Annotated[str, Field(max_length=254)]


class PersonCreate(Input):
    ref: Ref | None = Field(
        None, description="short stable identifier; made from the name when left out"
    )
    name: Name
    mobile: PhoneText
    email: Email | None = None
    language: Language = "fr"
    active: bool = True


class PersonUpdate(Input):
    """Only the fields sent change; the ref stays as created."""

    name: Name = unchanged()
    mobile: PhoneText = unchanged()
    email: Email | None = None
    language: Language = unchanged()
    active: bool = unchanged()


# -- who is on call ------------------------------------------------------------------------


class OncallQuery(Input):
    at: Instant | None = Field(None, description="the moment to ask about; default: now")


WITHHELD = (
    "null: withheld from the token's user. Only admins, the managers of a hotline the person "
    "is on call for, the person themselves and the people on call for the same hotlines "
    "(default chain, rotation, or a slot not over yet) get it; supervisors and others get "
    "the name only."
)


class ResponderOut(Output):
    position: int = Field(description="0: primary, then backups")
    person_id: int | None
    name: str
    number: str | None = Field(
        description=f"the mobile the call would ring, E.164; {WITHHELD}", examples=["+33612345678"]
    )
    number_national: str | None = Field(
        description=f"the same number as written in its country; {WITHHELD}",
        examples=["06 12 34 56 78"],
    )


class OncallOut(Output):
    hotline_id: int
    at: datetime = Field(description="the moment asked about, in the hotline's zone")
    route: Literal["override", "slot", "default", "nobody", "unrecorded"] = Field(
        description="override or slot: a slot covers the moment; default: the hotline's "
        "default chain (for a past moment, the one in force then); nobody: only the fallback "
        "number or voicemail; unrecorded: a past moment no slot covered, from before the "
        "default chain's history starts, so who was in it then is not recorded"
    )
    slot_id: int | None
    responders: list[ResponderOut]


# -- the token's owner (served by hotline.auth) ----------------------------------------------


class MeOut(Output):
    id: int
    email: str
    name: str
    role: Literal["admin", "manager", "supervisor", "agent"]
    person_id: int | None = Field(description="the person whose shifts are the user's own")
    hotline_ids: list[int] | None = Field(description="hotlines in reach; null: all of them")


# -- iCal feeds ------------------------------------------------------------------------------


class FeedOut(Output):
    """A feed's new URL: shown once (only a hash is kept); the previous URL no longer works."""

    url: str = Field(examples=["https://hotline.example.org/ical/3q2-7wSg....ics"])


# -- slots ----------------------------------------------------------------------------------

Chain = Annotated[
    list[Id],
    Field(max_length=20, description="person ids in ringing order: the primary, then backups"),
]
Note = Annotated[str, Field(max_length=200)]


class ChainMemberOut(Output):
    position: int = Field(description="0: primary, then backups")
    person_id: int
    name: str


class SlotOut(Output):
    id: int
    hotline_id: int
    kind: Literal["regular", "override"]
    starts_at: datetime = Field(description="in the hotline's zone, with its offset")
    ends_at: datetime = Field(description="exclusive end, in the hotline's zone")
    chain: list[ChainMemberOut]
    note: str | None
    rotation_id: int | None = Field(description="the rotation that generated it; null: by hand")
    version: int = Field(description="send it back with a change: a stale version gets 409")


class SlotPage(Page[SlotOut]):
    pass


class RuleWarningOut(Output):
    """A labour rule the change breaks; the change is saved anyway."""

    rule: Literal["max_consecutive_days", "min_rest_hours"]
    person_id: int
    person_name: str
    starts_at: datetime
    ends_at: datetime
    message: str


class AbsentPlaceOut(Output):
    """A piece of time a change rings somebody while they are recorded as unavailable."""

    starts_at: datetime
    ends_at: datetime
    position: int = Field(description="their place in the chain: 0 primary, 1... backups")
    person_id: int
    person_name: str
    unavailability_id: int
    message: str


ABSENT_PLACES = (
    "pieces where somebody put on call rings despite a recorded absence "
    "(only with despite_absence: true)"
)


class AbsenceProblem(Problem):
    """The 422 of a change that can put somebody on call: when the refusal is a recorded
    absence, absent_places lists its pieces."""

    absent_places: list[AbsentPlaceOut] = Field(
        default_factory=list,
        description="pieces where the change would ring somebody recorded as unavailable, "
        "as the answer with despite_absence: true lists them; only in an absence refusal "
        "(then field names the input at fault), absent from other refusals",
    )


class SlotSaved(SlotOut):
    warnings: list[RuleWarningOut]
    absent_places: list[AbsentPlaceOut] = Field(default_factory=list, description=ABSENT_PLACES)


class SlotRange(Paging):
    start: Instant | None = Field(
        None, alias="from", description="slots ending after this moment; default: now"
    )
    end: Instant | None = Field(
        None, alias="to", description="slots starting before this moment; default: from + 7 days"
    )


class SlotCreate(Input):
    starts_at: Instant
    ends_at: Instant
    chain: Chain
    note: Note | None = None
    despite_absence: bool = confirm_absence("the chain", "chain")


class SlotUpdate(Input):
    """Send the version you read; only the other fields sent change."""

    version: int = Field(ge=1)
    starts_at: Instant = unchanged()
    ends_at: Instant = unchanged()
    chain: Chain = unchanged()
    note: Note | None = None
    despite_absence: bool = confirm_absence(
        "whoever the change gives a place or more hours", "chain"
    )


class VersionQuery(Input):
    version: int = Field(ge=1, description="the version you read: a stale one gets 409")


# -- unavailability -------------------------------------------------------------------------

Moment = Annotated[
    str,
    Field(
        max_length=40,
        description="ISO 8601 date (midnight) or date and time; without an offset, a "
        "wall-clock time in the app's time zone (config TIMEZONE, Europe/Paris by default)",
        examples=["2026-07-01", "2026-07-01T08:00+02:00"],
    ),
]
UnavailabilityKind = Literal["leave", "sickness", "other"]


class UnavailabilityOut(Output):
    id: int
    person_id: int
    starts_at: datetime
    ends_at: datetime = Field(description="exclusive end")
    kind: UnavailabilityKind
    note: str | None


class StillOnCallOut(Output):
    """A place in a slot's chain still ringing the person during the period.

    Recording a period changes no slot: until a manager regenerates the rotation
    or replaces the person, these places ring them. Times in the hotline's zone.
    """

    hotline_id: int
    hotline_name: str
    slot_id: int
    kind: Literal["regular", "override"]
    rotation_id: int | None = Field(description="the rotation that made the slot; null: by hand")
    starts_at: datetime = Field(description="the slot's start")
    ends_at: datetime = Field(description="the slot's exclusive end")
    position: int = Field(description="the place in the chain: 0 primary, 1... backups")
    absent_from: datetime = Field(description="first moment the slot rings the person absent")
    absent_until: datetime = Field(description="last moment (exclusive) it does")


class UnavailabilitySaved(UnavailabilityOut):
    """The period as saved, and the planned slots that still ring the person during it."""

    still_on_call: list[StillOnCallOut] = Field(
        description="slots not ended yet of the hotlines you manage (every hotline for an "
        "admin) ringing the person during the period, by start then place in the chain"
    )
    still_on_call_elsewhere: int = Field(
        description="how many more such places are on hotlines you do not manage"
    )


class UnavailabilityPage(Page[UnavailabilityOut]):
    pass


class UnavailabilityRange(Paging):
    start: Moment | None = Field(
        None, alias="from", description="periods ending after this moment; default: now"
    )
    end: Moment | None = Field(
        None, alias="to", description="periods starting before this moment; default: no limit"
    )


class UnavailabilityCreate(Input):
    starts_at: Moment
    ends_at: Moment
    kind: UnavailabilityKind = "leave"
    note: Note | None = None


class UnavailabilityUpdate(Input):
    """Only the fields sent change."""

    starts_at: Moment = unchanged()
    ends_at: Moment = unchanged()
    kind: UnavailabilityKind = unchanged()
    note: Note | None = None


# -- rotations ------------------------------------------------------------------------------

ClockTime = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local HH:MM", examples=["08:00"])
]
Weekdays = Annotated[
    list[Annotated[int, Field(ge=1, le=7)]],
    Field(min_length=1, max_length=7, description="ISO weekdays: 1 = Monday ... 7 = Sunday"),
]
People = Annotated[list[Id], Field(max_length=100, description="person ids, in order")]


class PersonRefOut(Output):
    person_id: int
    name: str


class RotationOut(Output):
    id: int
    hotline_id: int
    name: str
    members: list[PersonRefOut] = Field(description="in turn order")
    shift_hours: int
    handoff: str = Field(description="local HH:MM", examples=["08:00"])
    start_date: date
    timezone: str | None = Field(description="null: the hotline's")
    weekdays: list[int]
    window_start: str | None = Field(description="daily covered hours, local HH:MM; null: all")
    window_end: str | None
    backup_count: int = Field(description="members next in line rung after the primary")
    backups: list[PersonRefOut] = Field(description="explicit backups, rung after those")
    version: int = Field(description="send it back with a change: a stale version gets 409")


class RotationPage(Page[RotationOut]):
    pass


class RotationCreate(Input):
    name: Name
    members: People
    shift_hours: int = Field(ge=1, le=744, description="24: daily, 168: weekly")
    handoff: ClockTime
    start_date: date
    timezone: str | None = Field(None, max_length=64, description="null: the hotline's")
    weekdays: Weekdays = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])
    window_start: ClockTime | None = None
    window_end: ClockTime | None = None
    backup_count: int = Field(0, ge=0, le=100)
    backups: People = Field(default_factory=list)


class RotationUpdate(Input):
    """Send the version you read; only the other fields sent change. Generate again to apply."""

    version: int = Field(ge=1)
    name: Name = unchanged()
    members: People = unchanged()
    shift_hours: int = unchanged(ge=1, le=744)
    handoff: ClockTime = unchanged()
    start_date: date = unchanged()
    timezone: str | None = Field(None, max_length=64)
    weekdays: Weekdays = unchanged()
    window_start: ClockTime | None = None
    window_end: ClockTime | None = None
    backup_count: int = unchanged(ge=0, le=100)
    backups: People = unchanged()


class GenerationRequest(Input):
    start: Instant | None = Field(None, description="default: now; read in the rotation's zone")
    weeks: int = Field(ge=1, le=104)
    preview: bool = Field(False, description="true: say what would change, write nothing")


class PlannedSlotOut(Output):
    starts_at: datetime
    ends_at: datetime
    chain: list[int]
    status: Literal["create", "update", "keep", "conflict", "started"]


class SkipOut(Output):
    """A member passed over for a slot (leave, sickness, inactive) and who took the place."""

    starts_at: datetime
    ends_at: datetime
    person_id: int
    person_name: str
    reason: str
    note: str | None
    position: int
    replaced_by_id: int | None
    replaced_by_name: str | None


class GenerationConflictOut(Output):
    """A shift not written because another regular slot holds part of its span."""

    starts_at: datetime
    ends_at: datetime
    slot_id: int
    message: str


class SpanOut(Output):
    starts_at: datetime
    ends_at: datetime


# -- coverage -------------------------------------------------------------------------------


class GapsQuery(Input):
    weeks: int = Field(4, ge=1, le=52, description="how many weeks ahead of now to look")


class GapsOut(Output):
    hotline_id: int
    start: datetime = Field(description="now, in the hotline's zone: past hours are left out")
    end: datetime
    gaps: list[SpanOut] = Field(
        description="spans where a call rings nobody (route nobody): no slot holds an active "
        "person and nobody in the default chain is active, so only the fallback number or "
        "voicemail answers"
    )
    default_only: list[SpanOut] = Field(
        description="spans no slot covers where calls ring the default chain (route default)"
    )
    default_chain: list[ResponderOut] = Field(
        description="the hotline's default chain as a call rings it: its active people, in order"
    )


class GenerationOut(Output):
    rotation_id: int
    start: datetime
    end: datetime
    written: bool = Field(description="false for a preview")
    created: int
    updated: int
    kept: int
    deleted: int
    slots: list[PlannedSlotOut]
    skips: list[SkipOut]
    conflicts: list[GenerationConflictOut]
    uncovered: list[SpanOut] = Field(description="spans nobody available could take")
    warnings: list[RuleWarningOut]


# -- overrides ------------------------------------------------------------------------------


class OverrideCreate(Input):
    """An explicit chain on call over a span, winning over the regular slots there."""

    starts_at: Instant
    ends_at: Instant
    chain: Chain
    note: Note | None = None
    despite_absence: bool = confirm_absence("the chain", "chain")


class ReplacementCreate(Input):
    """Put `replacement_id` in `person_id`'s place wherever they are on call in the span."""

    person_id: Id
    replacement_id: Id
    starts_at: Instant
    ends_at: Instant
    note: Note | None = None
    despite_absence: bool = confirm_absence("the replacement", "replacement_id")


class SwapCreate(Input):
    """Swap two shifts of this hotline between their primaries (by overrides)."""

    first_slot_id: Id
    second_slot_id: Id
    first_version: int | None = Field(None, ge=1, description="the version you read, if any")
    second_version: int | None = Field(None, ge=1, description="the version you read, if any")
    note: Note | None = None
    despite_absence: bool = confirm_absence(
        "each of the two in the other's shift", "second_slot_id"
    )


class ShortChainOut(Output):
    """A piece of the span now ringing fewer people than before the replacement.

    The replacement was already in the chain and nobody else of the rotation or the
    default chain (active, available, not the person replaced) could take the place
    it left.
    """

    starts_at: datetime
    ends_at: datetime
    responders_before: int
    responders: list[str] = Field(description="names of the people rung now, primary first")
    message: str


class OverridesSaved(Output):
    """The override slots written (one per piece of the span with its own chain)."""

    slots: list[SlotOut]
    warnings: list[RuleWarningOut] = Field(
        description="labour rules broken by anybody whose place changed: the person replaced, "
        "the replacement and whoever took a place freed by the replacement"
    )
    short_chains: list[ShortChainOut] = Field(
        description="pieces left with fewer responders than before (saved anyway)"
    )
    absent_places: list[AbsentPlaceOut] = Field(default_factory=list, description=ABSENT_PLACES)
