"""Rows to API documents (the Output models of hotline.api.schemas)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from hotline.api.errors import ApiError, english, invalid
from hotline.api.schemas import (
    AbsentPlaceOut,
    ChainMemberOut,
    GapsOut,
    GenerationConflictOut,
    GenerationOut,
    HotlineOut,
    NumberWarningOut,
    OncallOut,
    PersonChoiceOut,
    PersonOut,
    PersonRefOut,
    PersonSaved,
    PlannedSlotOut,
    ResponderOut,
    RotationOut,
    RuleWarningOut,
    SkipOut,
    SlotOut,
    SlotSaved,
    SpanOut,
    StillOnCallOut,
    UnavailabilityOut,
    UnavailabilitySaved,
)
from hotline.api.times import local
from hotline.models import Hotline, Person
from hotline.phone import national_format
from hotline.planning.absences import AbsentResponder
from hotline.planning.coverage import Coverage
from hotline.planning.models import Rotation, Slot, Unavailability
from hotline.planning.number_checks import NumberWarning
from hotline.planning.oncall import Chain, Responder
from hotline.planning.rotations import CREATE, KEEP, UPDATE, GenerationResult
from hotline.planning.rules import RuleWarning
from hotline.planning.slots import SlotEdit
from hotline.planning.unavailability import AbsentPlace, ResponderAbsent


def hotline_out(
    hotline: Hotline, default_chain: list[int], fallback_number: str | None
) -> HotlineOut:
    """The hotline's settings, its fallback number as given (None when withheld)."""
    return HotlineOut(
        id=hotline.id,
        number=hotline.number,
        number_national=national_format(hotline.number),
        name=hotline.name,
        timezone=hotline.timezone,
        language=hotline.language,  # type: ignore[arg-type]
        greeting=hotline.greeting,
        ring_timeout=hotline.ring_timeout,
        screening=hotline.screening,
        fallback_number=fallback_number,
        has_fallback_number=hotline.fallback_number is not None,
        default_chain=default_chain,
        created_at=local(hotline.created_at, ZoneInfo(hotline.timezone)),
    )


def person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        ref=person.ref,
        name=person.name,
        mobile=person.mobile,
        mobile_national=national_format(person.mobile),
        email=person.email,
        language=person.language,  # type: ignore[arg-type]
        active=person.active,
    )


def person_saved(person: Person, warnings: list[NumberWarning]) -> PersonSaved:
    """The person as saved, with the warnings on their mobile (messages in English)."""
    return PersonSaved(
        **person_out(person).model_dump(), warnings=[_number_warning_out(w) for w in warnings]
    )


def _number_warning_out(warning: NumberWarning) -> NumberWarningOut:
    others = [PersonChoiceOut(id=p.id, name=p.name, active=p.active) for p in warning.shared_with]
    return NumberWarningOut(
        warning=warning.kind,  # type: ignore[arg-type]
        mobile=warning.mobile,
        shared_with=others,
        others_withheld=warning.withheld,
        message=english(warning.message),
    )


def oncall_out(
    hotline: Hotline, at: datetime, chain: Chain, numbers_shown: Collection[int]
) -> OncallOut:
    """The chain at `at`; the numbers of the people outside `numbers_shown` are null."""
    zone = ZoneInfo(hotline.timezone)
    return OncallOut(
        hotline_id=hotline.id,
        at=local(at, zone),
        route=chain.route.value,  # type: ignore[arg-type]
        slot_id=chain.slot_id,
        responders=_responders_out(chain.responders, numbers_shown),
    )


def gaps_out(
    hotline: Hotline,
    start: datetime,
    end: datetime,
    found: Coverage,
    numbers_shown: Collection[int],
) -> GapsOut:
    """The gaps and the default chain's hours of [start, end), in the hotline's zone."""
    zone = ZoneInfo(hotline.timezone)
    return GapsOut(
        hotline_id=hotline.id,
        start=local(start, zone),
        end=local(end, zone),
        gaps=[SpanOut(starts_at=local(s, zone), ends_at=local(e, zone)) for s, e in found.gaps],
        default_only=[
            SpanOut(starts_at=local(s, zone), ends_at=local(e, zone)) for s, e in found.default_only
        ],
        default_chain=_responders_out(found.default_chain, numbers_shown),
    )


def _responders_out(
    responders: Iterable[Responder], numbers_shown: Collection[int]
) -> list[ResponderOut]:
    """The responders, the numbers of the people outside `numbers_shown` null."""
    return [
        ResponderOut(
            position=r.position,
            person_id=r.person_id,
            name=r.name,
            **_number_fields(r.number if r.person_id in numbers_shown else None),
        )
        for r in responders
    ]


def _number_fields(number: str | None) -> dict[str, str | None]:
    return {
        "number": number,
        "number_national": national_format(number) if number is not None else None,
    }


def slot_out(slot: Slot, zone: ZoneInfo) -> SlotOut:
    return SlotOut(**_slot_fields(slot, zone))


def slot_saved(edit: SlotEdit, zone: ZoneInfo) -> SlotSaved:
    return SlotSaved(
        **_slot_fields(edit.slot, zone),
        warnings=[warning_out(w, zone) for w in edit.warnings],
        absent_places=[absent_place_out(place, zone) for place in edit.absent],
    )


def absence_refusal(refusal: ResponderAbsent) -> ApiError:
    """A refused absence check as a 422 problem naming the pieces in absent_places."""
    places = [absent_place_out(place, refusal.zone) for place in refusal.places]
    members = {"absent_places": [place.model_dump(mode="json") for place in places]}
    return invalid(refusal, refusal.field, members)


def absent_place_out(place: AbsentPlace, zone: ZoneInfo) -> AbsentPlaceOut:
    return AbsentPlaceOut(
        starts_at=local(place.starts_at, zone),
        ends_at=local(place.ends_at, zone),
        position=place.position,
        person_id=place.person_id,
        person_name=place.person_name,
        unavailability_id=place.period_id,
        message=english(place.message),
    )


def warning_out(warning: RuleWarning, zone: ZoneInfo) -> RuleWarningOut:
    return RuleWarningOut(
        rule=warning.rule,  # type: ignore[arg-type]
        person_id=warning.person_id,
        person_name=warning.person_name,
        starts_at=local(warning.starts_at, zone),
        ends_at=local(warning.ends_at, zone),
        message=english(warning.message),
    )


def _slot_fields(slot: Slot, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": slot.id,
        "hotline_id": slot.hotline_id,
        "kind": slot.kind,
        "starts_at": local(slot.starts_at, zone),
        "ends_at": local(slot.ends_at, zone),
        "chain": [
            ChainMemberOut(position=r.position, person_id=r.person_id, name=r.person.name)
            for r in slot.responders
        ],
        "note": slot.note,
        "rotation_id": slot.rotation_id,
        "version": slot.version,
    }


def unavailability_out(period: Unavailability, zone: ZoneInfo) -> UnavailabilityOut:
    return UnavailabilityOut(
        id=period.id,
        person_id=period.person_id,
        starts_at=local(period.starts_at, zone),
        ends_at=local(period.ends_at, zone),
        kind=period.kind,  # type: ignore[arg-type]
        note=period.note,
    )


def unavailability_saved(
    period: Unavailability,
    zone: ZoneInfo,
    places: list[AbsentResponder],
    elsewhere: int,
) -> UnavailabilitySaved:
    """The period in `zone`, the places still ringing the person in their hotline's zone."""
    return UnavailabilitySaved(
        **dict(unavailability_out(period, zone)),
        still_on_call=[still_on_call_out(place) for place in places],
        still_on_call_elsewhere=elsewhere,
    )


def still_on_call_out(place: AbsentResponder) -> StillOnCallOut:
    slot = place.slot
    zone = ZoneInfo(slot.hotline.timezone)
    return StillOnCallOut(
        hotline_id=slot.hotline_id,
        hotline_name=slot.hotline.name,
        slot_id=slot.id,
        kind=slot.kind,  # type: ignore[arg-type]
        rotation_id=slot.rotation_id,
        starts_at=local(slot.starts_at, zone),
        ends_at=local(slot.ends_at, zone),
        position=place.position,
        absent_from=local(place.starts_at, zone),
        absent_until=local(place.ends_at, zone),
    )


def rotation_out(rotation: Rotation) -> RotationOut:
    return RotationOut(
        id=rotation.id,
        hotline_id=rotation.hotline_id,
        name=rotation.name,
        members=[PersonRefOut(person_id=m.person_id, name=m.person.name) for m in rotation.members],
        shift_hours=rotation.shift_hours,
        handoff=clock(rotation.handoff),
        start_date=rotation.start_date,
        timezone=rotation.timezone,
        weekdays=sorted(rotation.weekday_set),
        window_start=None if rotation.window_start is None else clock(rotation.window_start),
        window_end=None if rotation.window_end is None else clock(rotation.window_end),
        backup_count=rotation.backup_count,
        backups=[PersonRefOut(person_id=b.person_id, name=b.person.name) for b in rotation.backups],
        version=rotation.version,
    )


def clock(moment: time) -> str:
    return moment.isoformat(timespec="minutes")


def generation_out(result: GenerationResult, zone: ZoneInfo) -> GenerationOut:
    return GenerationOut(
        rotation_id=result.rotation_id,
        start=local(result.start, zone),
        end=local(result.end, zone),
        written=result.written,
        created=result.count(CREATE),
        updated=result.count(UPDATE),
        kept=result.count(KEEP),
        deleted=result.deleted,
        slots=[
            PlannedSlotOut(
                starts_at=local(s.starts_at, zone),
                ends_at=local(s.ends_at, zone),
                chain=list(s.chain),
                status=s.status,  # type: ignore[arg-type]
            )
            for s in result.slots
        ],
        skips=[
            SkipOut(
                **{
                    **asdict(s),
                    "starts_at": local(s.starts_at, zone),
                    "ends_at": local(s.ends_at, zone),
                }  # fmt: skip
            )
            for s in result.skips
        ],
        conflicts=[
            GenerationConflictOut(
                starts_at=local(c.starts_at, zone),
                ends_at=local(c.ends_at, zone),
                slot_id=c.slot_id,
                message=english(c.message),
            )
            for c in result.conflicts
        ],
        uncovered=[
            SpanOut(starts_at=local(start, zone), ends_at=local(end, zone))
            for start, end in result.uncovered
        ],
        warnings=[warning_out(w, zone) for w in result.warnings],
    )
