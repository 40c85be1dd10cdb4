"""Which alerts are on: per hotline for everyone, then per person and channel."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts.models import AlertKind, Channel, HotlineAlertSetting, PersonAlertSetting

# Without a setting row every alert is on, except the chatty "call received".
DEFAULT_ENABLED = {kind: kind != AlertKind.CALL_RECEIVED for kind in AlertKind}
# Alerts a person cannot switch off: they exist to check or to secure the phone.
MANDATORY = frozenset({AlertKind.TEST, AlertKind.SHIFT_TAKE})


class UnknownAlert(ValueError):
    """An alert kind or channel that does not exist."""


def parse_kind(raw: str) -> AlertKind:
    try:
        return AlertKind(raw)
    except ValueError:
        known = ", ".join(k.value for k in AlertKind)
        raise UnknownAlert(f"unknown alert {raw!r}; choose among: {known}") from None


def parse_channel(raw: str) -> Channel:
    try:
        return Channel(raw)
    except ValueError:
        known = ", ".join(c.value for c in Channel)
        raise UnknownAlert(f"unknown channel {raw!r}; choose among: {known}") from None


def hotline_enabled(session: Session, hotline_id: int | None, kind: AlertKind) -> bool:
    """Whether the hotline sends this kind of alert at all."""
    if hotline_id is None:
        return DEFAULT_ENABLED[kind]
    enabled = session.scalar(
        select(HotlineAlertSetting.enabled).where(
            HotlineAlertSetting.hotline_id == hotline_id, HotlineAlertSetting.kind == kind
        )
    )
    return DEFAULT_ENABLED[kind] if enabled is None else enabled


def person_enabled(
    session: Session, person_id: int | None, kind: AlertKind, channel: Channel
) -> bool:
    """Whether the person wants this kind of alert on this channel (people only opt out)."""
    if person_id is None or kind in MANDATORY:
        return True
    enabled = session.scalar(
        select(PersonAlertSetting.enabled).where(
            PersonAlertSetting.person_id == person_id,
            PersonAlertSetting.kind == kind,
            PersonAlertSetting.channel == channel,
        )
    )
    return True if enabled is None else enabled


def set_hotline_alert(session: Session, hotline_id: int, kind: AlertKind, enabled: bool) -> None:
    """Turn one kind of alert on or off for a whole hotline."""
    setting = session.get(HotlineAlertSetting, (hotline_id, kind.value))
    if setting is None:
        session.add(HotlineAlertSetting(hotline_id=hotline_id, kind=kind, enabled=enabled))
    else:
        setting.enabled = enabled


def set_person_alert(
    session: Session, person_id: int, kind: AlertKind, channel: Channel, enabled: bool
) -> None:
    """Turn one kind of alert on or off for one person on one channel."""
    if kind in MANDATORY and not enabled:
        raise UnknownAlert(f"the {kind.value} alert cannot be switched off")
    setting = session.get(PersonAlertSetting, (person_id, kind.value, channel.value))
    if setting is None:
        session.add(
            PersonAlertSetting(person_id=person_id, kind=kind, channel=channel, enabled=enabled)
        )
    else:
        setting.enabled = enabled
