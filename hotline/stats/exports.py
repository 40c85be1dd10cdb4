"""CSV exports of the call list, the per-agent table and the on-call report.

Written for spreadsheets in the reader's locale: French uses ';' between
fields and a decimal comma, English ',' and '.'; dates are local to the
hotline; outcomes are the words the call pages show. Text that a spreadsheet
would run as a formula (a leading =, +, -, @) is prefixed with an apostrophe,
which also keeps the '+' of phone numbers.

Hours (on call, intervention) are decimal hours with four decimals: a figure to
pay from must not lose a short call (41 s is 0.0114 h), and a spreadsheet can sum
them. The pages show the same figures as hours and minutes (h:mm), rounded to the
nearest minute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.support import NullTranslations

from hotline.i18n import catalog
from hotline.stats.agents import AgentRow
from hotline.stats.astreinte import AstreinteLine
from hotline.stats.calls import CallRow
from hotline.stats.errors import StatsInputError
from hotline.stats.forms import OUTCOME_NAMES
from hotline.stats.legs import RESULT_FIELDS
from hotline.stats.oncall_hours import HourKind
from hotline.voice.leg_words import LEG_WORDS

# Excel needs the byte order mark to read UTF-8 (accented names).
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Hours(float):
    """A number of hours, written with four decimals (0.36 s): short calls still count."""


Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str
    datetime_format: str
    labels: dict[str, str]  # column names, by column key
    outcomes: dict[str, str]  # outcome words, by outcome code


# delimiter, decimal mark, date and time format
CONVENTIONS = {
    "fr": (";", ",", "%d/%m/%Y %H:%M:%S"),
    "en": (",", ".", "%Y-%m-%d %H:%M:%S"),
}


def csv_format(locale: str) -> CsvFormat:
    """The CSV conventions and words of `locale` ('fr', 'en', or a tag such as 'fr_FR').

    The words come from the app's catalog, read without Flask: an export is the same
    in a request, a CLI command or a background job.
    """
    language = _language(locale)
    words = catalog(language)
    outcomes = {outcome.value: words.gettext(name) for outcome, name in OUTCOME_NAMES.items()}
    return CsvFormat(*CONVENTIONS[language], column_labels(words), outcomes)


def _language(locale: str) -> str:
    language = locale.replace("-", "_").split("_")[0].lower()
    if language not in CONVENTIONS:
        raise StatsInputError(f"no CSV format for locale {locale!r}; choose fr or en")
    return language


def column_labels(words: NullTranslations) -> dict[str, str]:
    """The column names in the catalog's language.

    The per-agent columns are named as on the dashboard, one per leg result
    (leg_words.py). The kinds of hours follow "On call" or "Intervention".
    """
    return {
        "started": words.pgettext("CSV column", "Started"),
        "hotline": words.pgettext("CSV column", "Hotline"),
        "caller": words.pgettext("CSV column", "Caller"),
        "outcome": words.pgettext("CSV column", "Outcome"),
        "answered_by": words.pgettext("CSV column", "Answered by"),
        "depth": words.pgettext("CSV column", "Chain position"),
        "legs": words.pgettext("CSV column", "Legs rung"),
        "answer_s": words.pgettext("CSV column", "Time to answer (s)"),
        "talk_s": words.pgettext("CSV column", "Talk (s)"),
        "duration_s": words.pgettext("CSV column", "Duration (s)"),
        "call_sid": words.pgettext("CSV column", "Call SID"),
        "agent": words.pgettext("CSV column", "Agent"),
        "offered": words.pgettext("CSV column", "Offered"),
        **_leg_headings(words),
        "accept_s": words.pgettext("CSV column", "Mean time to accept (s)"),
        "oncall_primary_h": words.pgettext("CSV column", "On call as primary (h)"),
        "oncall_any_h": words.pgettext("CSV column", "On call, any position (h)"),
        "month": words.pgettext("CSV column", "Month"),
        "available": words.pgettext("CSV column", "On call"),
        "intervention": words.pgettext("CSV column", "Intervention"),
        "calls_handled": words.pgettext("CSV column", "Calls handled"),
        "rest_breaches": words.pgettext("CSV column", "Rest breaches"),
        HourKind.WEEKDAY_DAY: words.pgettext("CSV column", "weekday day (h)"),
        HourKind.WEEKDAY_NIGHT: words.pgettext("CSV column", "weekday night (h)"),
        HourKind.WEEKEND: words.pgettext("CSV column", "weekend (h)"),
        HourKind.HOLIDAY: words.pgettext("CSV column", "public holiday (h)"),
    }


def _leg_headings(words: NullTranslations) -> dict[str, str]:
    """The per-agent counts of legs, headed as on the dashboard (one vocabulary)."""
    return {
        field: words.gettext(LEG_WORDS[result].heading) for result, field in RESULT_FIELDS.items()
    }


def calls_csv(rows: Iterable[CallRow], locale: str, tz: str) -> Iterator[str]:
    """Yield the call list as CSV text, a line at a time (stream it as it comes)."""
    fmt, zone = csv_format(locale), ZoneInfo(tz)
    keys = ("started", "hotline", "caller", "outcome", "answered_by", "depth", "legs")
    keys += ("answer_s", "talk_s", "duration_s", "call_sid")
    yield BOM + _line(fmt, [fmt.labels[k] for k in keys])
    for row in rows:
        depth = None if row.answered_position is None else row.answered_position + 1
        cells: list[Cell] = [
            row.started_at.astimezone(zone),
            row.hotline_name,
            row.from_number,
            fmt.outcomes.get(row.outcome, row.outcome),
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
    keys = ("agent", "offered", "accepted", "declined", "refused", "missed", "busy", "failed")
    keys += ("canceled",)
    keys += ("talk_s", "accept_s", "oncall_primary_h", "oncall_any_h")
    lines = [BOM + _line(fmt, [fmt.labels[k] for k in keys])]
    for row in rows:
        accept = None if row.accept_seconds_mean is None else round(row.accept_seconds_mean, 1)
        cells: list[Cell] = [
            row.name,
            row.offered,
            row.accepted,
            row.declined,
            row.refused,
            row.missed,
            row.busy,
            row.failed,
            row.canceled,
            row.talk_seconds,
            accept,
            Hours(row.oncall_hours_primary),
            Hours(row.oncall_hours_any),
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
        cells += [Hours(line.availability_hours(k)) for k in HourKind]
        cells += [Hours(line.intervention_hours(k)) for k in HourKind]
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
    if isinstance(value, Hours):
        return f"{value:.4f}".replace(".", fmt.decimal)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", fmt.decimal)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
