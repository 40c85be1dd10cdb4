"""CSV exports of the call list, the per-agent table and the on-call report.

Written for spreadsheets in the reader's locale: French uses ';' between
fields and a decimal comma, English ',' and '.'; dates are local to the
hotline; outcomes are the words the call pages show. Text that a spreadsheet
would run as a formula (a leading =, +, -, @) is prefixed with an apostrophe,
which also keeps the '+' of phone numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from hotline.stats.agents import AgentRow
from hotline.stats.astreinte import AstreinteLine
from hotline.stats.calls import CallRow
from hotline.stats.errors import StatsInputError
from hotline.stats.forms import OUTCOME_LABELS
from hotline.stats.oncall_hours import HourKind

# Excel needs the byte order mark to read UTF-8 (accented names).
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str
    datetime_format: str
    labels: dict[str, str]


# The per-agent columns are named as on the dashboard, which only merges busy
# and failed into one column.
LABELS_EN = {
    "started": "Started",
    "hotline": "Hotline",
    "caller": "Caller",
    "outcome": "Outcome",
    "answered_by": "Answered by",
    "depth": "Chain position",
    "legs": "Legs rung",
    "answer_s": "Time to answer (s)",
    "talk_s": "Talk (s)",
    "duration_s": "Duration (s)",
    "call_sid": "Call SID",
    "agent": "Agent",
    "offered": "Offered",
    "accepted": "Accepted",
    "missed": "No answer",
    "declined": "Declined",
    "busy": "Busy",
    "failed": "Failed",
    "canceled": "Caller hung up",
    "accept_s": "Mean time to accept (s)",
    "oncall_primary_h": "On call as primary (h)",
    "oncall_any_h": "On call, any position (h)",
    "month": "Month",
    "available": "On call",
    "intervention": "Intervention",
    "calls_handled": "Calls handled",
    "rest_breaches": "Rest breaches",
    HourKind.WEEKDAY_DAY: "weekday day (h)",
    HourKind.WEEKDAY_NIGHT: "weekday night (h)",
    HourKind.WEEKEND: "weekend (h)",
    HourKind.HOLIDAY: "public holiday (h)",
}
LABELS_FR = {
    "started": "Début",
    "hotline": "Ligne",
    "caller": "Appelant",
    "outcome": "Issue",
    "answered_by": "Répondu par",
    "depth": "Rang dans la chaîne",
    "legs": "Sonneries",
    "answer_s": "Délai de réponse (s)",
    "talk_s": "Conversation (s)",
    "duration_s": "Durée (s)",
    "call_sid": "Identifiant Twilio de l’appel",
    "agent": "Agent",
    "offered": "Présentés",
    "accepted": "Acceptés",
    "missed": "Pas de réponse",
    "declined": "Refusés",
    "busy": "Occupé",
    "failed": "Échecs",
    "canceled": "L’appelant a raccroché",
    "accept_s": "Délai moyen d’acceptation (s)",
    "oncall_primary_h": "Astreinte en titulaire (h)",
    "oncall_any_h": "Astreinte, tout rang (h)",
    "month": "Mois",
    "available": "Astreinte",
    "intervention": "Intervention",
    "calls_handled": "Appels traités",
    "rest_breaches": "Repos < 11 h",
    HourKind.WEEKDAY_DAY: "semaine jour (h)",
    HourKind.WEEKDAY_NIGHT: "semaine nuit (h)",
    HourKind.WEEKEND: "week-end (h)",
    HourKind.HOLIDAY: "jour férié (h)",
}
FORMATS = {
    "fr": CsvFormat(";", ",", "%d/%m/%Y %H:%M:%S", LABELS_FR),
    "en": CsvFormat(",", ".", "%Y-%m-%d %H:%M:%S", LABELS_EN),
}


def csv_format(locale: str) -> CsvFormat:
    """The CSV conventions of `locale` ('fr', 'en', or a tag such as 'fr_FR')."""
    return FORMATS[_language(locale)]


def _language(locale: str) -> str:
    language = locale.replace("-", "_").split("_")[0].lower()
    if language not in FORMATS:
        raise StatsInputError(f"no CSV format for locale {locale!r}; choose fr or en")
    return language


def outcome_words(locale: str) -> dict[str, str]:
    """The outcome labels of the call pages in `locale`, by outcome code.

    They are translated in an app context (the export views run in one).
    """
    with force_locale(_language(locale)):
        return {outcome.value: str(label) for outcome, label in OUTCOME_LABELS.items()}


def calls_csv(rows: Iterable[CallRow], locale: str, tz: str) -> Iterator[str]:
    """Yield the call list as CSV text, a line at a time (stream it as it comes)."""
    fmt, zone, outcomes = csv_format(locale), ZoneInfo(tz), outcome_words(locale)
    keys = ("started", "hotline", "caller", "outcome", "answered_by", "depth", "legs")
    keys += ("answer_s", "talk_s", "duration_s", "call_sid")
    yield BOM + _line(fmt, [fmt.labels[k] for k in keys])
    for row in rows:
        depth = None if row.answered_position is None else row.answered_position + 1
        cells: list[Cell] = [
            row.started_at.astimezone(zone),
            row.hotline_name,
            row.from_number,
            outcomes.get(row.outcome, row.outcome),
            row.answered_by,
            depth,
            row.legs,
            None if row.answer_seconds is None else round(row.answer_seconds, 1),
            row.talk_seconds,
            row.duration_seconds,
            row.call_sid,
        ]
        yield _line(fmt, cells)


def agents_csv(rows: Iterable[AgentRow], locale: str) -> str:
    """The per-agent table as CSV text."""
    fmt = csv_format(locale)
    keys = ("agent", "offered", "accepted", "missed", "declined", "busy", "failed", "canceled")
    keys += ("talk_s", "accept_s", "oncall_primary_h", "oncall_any_h")
    lines = [BOM + _line(fmt, [fmt.labels[k] for k in keys])]
    for row in rows:
        accept = None if row.accept_seconds_mean is None else round(row.accept_seconds_mean, 1)
        cells: list[Cell] = [
            row.name,
            row.offered,
            row.accepted,
            row.missed,
            row.declined,
            row.busy,
            row.failed,
            row.canceled,
            row.talk_seconds,
            accept,
            round(row.oncall_hours_primary, 2),
            round(row.oncall_hours_any, 2),
        ]
        lines.append(_line(fmt, cells))
    return "".join(lines)


def astreinte_csv(lines: Iterable[AstreinteLine], month: str, locale: str) -> str:
    """The on-call report of `month` (YYYY-MM) as CSV text."""
    fmt = csv_format(locale)
    labels = fmt.labels
    header = [labels["month"], labels["agent"]]
    header += [f"{labels['available']} {labels[k]}" for k in HourKind]
    header += [f"{labels['intervention']} {labels[k]}" for k in HourKind]
    header += [labels["calls_handled"], labels["rest_breaches"]]
    out = [BOM + _line(fmt, header)]
    for line in lines:
        cells: list[Cell] = [month, line.name]
        cells += [round(line.availability_hours(k), 2) for k in HourKind]
        cells += [round(line.intervention_hours(k), 2) for k in HourKind]
        cells += [line.calls_handled, len(line.rest_breaches)]
        out.append(_line(fmt, cells))
    return "".join(out)


def _line(fmt: CsvFormat, cells: Sequence[Cell]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=fmt.delimiter, lineterminator="\r\n").writerow(
        [_cell(fmt, cell) for cell in cells]
    )
    return buffer.getvalue()


def _cell(fmt: CsvFormat, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt.datetime_format)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", fmt.decimal)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
