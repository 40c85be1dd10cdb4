"""Languages of the web UI (Flask-Babel) and dates shown in a hotline's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup
from wtforms.widgets import HiddenInput

from hotline.message_times import TimeWriter, times_written_by
from hotline.models import LANGUAGES

DEFAULT_LANGUAGE = "fr"
# Zone of times that belong to no hotline (sign-ins, tokens); config key TIMEZONE.
DEFAULT_TIMEZONE = "Europe/Paris"
# Outside a request (CLI, background jobs) messages are in English, the language of
# the source strings and of the CLI's help; use flask_babel.force_locale to write
# to a person in their own language.
NON_REQUEST_LANGUAGE = "en"
# Anonymous visitors who clicked the language switch keep their choice here.
SESSION_KEY = "language"
# The compiled catalogs: BABEL_TRANSLATION_DIRECTORIES, relative to the app's root.
TRANSLATIONS = Path(__file__).parent / "translations"
# Dates, times and numbers follow these conventions rather than the language's own
# default: the teams are European, and English in Europe writes the day before the month
# and a 24-hour clock ("28/11/2026, 17:01", not "11/28/26, 5:01 PM"). Only formatting
# changes: the language stays "en" for catalogues, cookies, settings and <html lang>.
FORMAT_CONVENTIONS = {"en": "en_GB"}

babel = Babel()

# French writes the first day of a month as an ordinal: "1er mars", "mardi 1er décembre".
# CLDR has no pattern letter for it, so the formatted text gets it: a lone 1 followed by
# a month's name (full or abbreviated).
_FRENCH_FIRST_OF_MONTH = re.compile(
    r"(?<![\d,.:/])1 (?=(?:janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc))"
)


def _ordinal_first(text: str, locale: Locale) -> str:
    return _FRENCH_FIRST_OF_MONTH.sub("1er ", text) if locale.language == "fr" else text


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config.setdefault("TIMEZONE", DEFAULT_TIMEZONE)
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.filters["local_datetime"] = format_local
    app.jinja_env.filters["local_date"] = format_local_date
    app.jinja_env.filters["local_time"] = format_local_time
    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.filters["page_text"] = page_text
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES


def N_(message: str) -> str:
    """Mark `message` for the catalog (pybabel extracts N_ by default); it is translated
    where it is shown, for its reader."""
    return message


@cache
def catalog(language: str) -> NullTranslations:
    """The app's messages in `language`, with or without an app or a request around.

    For text written where Flask-Babel has no locale to go by (CLI commands, background
    jobs, files a user asked for in a given language); English is the messages as written.
    """
    return Translations.load(str(TRANSLATIONS), [language])


def select_language() -> str:
    """The user's own setting, else what the browser asks for, else French."""
    if not has_request_context():
        return NON_REQUEST_LANGUAGE
    return visitor_language(otherwise=DEFAULT_LANGUAGE)


def visitor_language(*, otherwise: str) -> str:
    """The language chosen (account setting, or the page's switch), else the browser's
    when the app speaks it, else `otherwise`."""
    from flask_login import current_user

    chosen = getattr(current_user, "language", None) or session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or otherwise


# lazy_ngettext(singular, plural, num); lazy_gettext(string) has one.
NGETTEXT_ARGS = 3


def sentence(message: object) -> str:
    """A domain message shown on its own (a field error, a flash), starting with a capital.

    Domain messages start in lower case so that they can also be quoted inside a
    sentence ("hotlines[0].slots[0] (...): end is before start"); alone, they read as
    a sentence. A message opening with a value put into it (a name, what was typed)
    is left as it is: the value is not ours to change.
    """
    text = page_text(message)
    if _opens_with_a_value(message):
        return text
    return text[:1].upper() + text[1:]


def page_text(message: object) -> str:
    """A message (or error, warning) as a page shows it: its times as the page writes dates.

    The same message says them ISO-style to the API and the CLI (hotline.message_times).
    """
    with times_written_by(PAGE_TIMES):
        return str(message)


def _page_time(wall: datetime) -> str:
    # A wall-clock reading, already in the hotline's zone: read in UTC, nothing shifts it.
    return format_local(wall.replace(tzinfo=UTC), "UTC", "EEE d MMM y HH:mm")


def _page_day(day: date) -> str:
    return format_local_date(day, None, "EEE d MMM y")


# As the planning pages write instants: "mar. 1er déc. 2026 10:00", "Tue 1 Dec 2026 10:00".
PAGE_TIMES = TimeWriter(time=_page_time, day=_page_day)


def error_sentence(error: Exception) -> str:
    """A domain error's message as shown on its own (see `sentence`)."""
    return sentence(error.args[0] if error.args else error)


def _opens_with_a_value(message: object) -> bool:
    if not isinstance(message, LazyString):
        return False
    # The translated message before its values are put in (the reader's word order):
    # asked of the catalogue, since lazy_ngettext's own function would put in its count
    # and fail on any other value.
    args = message._args  # noqa: SLF001 - Flask-Babel keeps them so
    translations = get_translations()
    if len(args) == NGETTEXT_ARGS:
        template = translations.ungettext(*args)
    else:
        template = translations.ugettext(args[-1])
    return template.startswith("%(")


def current_language() -> str:
    """The two-letter language of the page being rendered."""
    locale = get_locale()
    return locale.language if locale is not None else NON_REQUEST_LANGUAGE


@cache
def formatting_locale(language: str) -> Locale:
    """The locale whose conventions write dates, times and numbers for `language`."""
    return Locale.parse(FORMAT_CONVENTIONS.get(language, language))


def page_locale() -> Locale:
    """The formatting locale of the page being rendered (English outside a request)."""
    return formatting_locale(current_language())


def _in_zone(moment: datetime, tz: str | ZoneInfo | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    if tz is None:
        tz = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return moment.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))


def format_local(
    moment: datetime | None, tz: str | ZoneInfo | None = None, fmt: str = "medium"
) -> str:
    """Format an aware datetime in time zone `tz` and the page's language.

    `tz` is the hotline's IANA zone (None: the app's TIMEZONE). `fmt` is a Babel
    width ("short", "medium", "long", "full") or a CLDR pattern such as
    "EEE d MMM HH:mm". None gives an empty string.
    """
    if moment is None:
        return ""
    local = _in_zone(moment, tz)
    locale = page_locale()
    # tzinfo is given so Babel can name the zone in "long"/"full" formats;
    # the value is already converted, so no shift happens twice.
    text = babel_dates.format_datetime(local, fmt, tzinfo=local.tzinfo, locale=locale)
    return _ordinal_first(text, locale)


def format_local_date(
    moment: datetime | date | None, tz: str | ZoneInfo | None = None, fmt: str = "medium"
) -> str:
    """Format the local calendar day of `moment` in `tz` (a date is taken as is)."""
    if moment is None:
        return ""
    day = _in_zone(moment, tz).date() if isinstance(moment, datetime) else moment
    locale = page_locale()
    return _ordinal_first(babel_dates.format_date(day, fmt, locale=locale), locale)


def format_local_time(
    moment: datetime | time | None, tz: str | ZoneInfo | None = None, fmt: str = "short"
) -> str:
    """Format the local wall-clock time of `moment` in `tz`."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return babel_dates.format_time(moment, fmt, locale=page_locale())
    # The whole datetime, not its time: a zone's offset depends on the date, and in
    # the hour repeated in autumn on which occurrence (fold) it is.
    local = _in_zone(moment, tz)
    return babel_dates.format_time(local, fmt, tzinfo=local.tzinfo, locale=page_locale())


# WTForms' own messages that our forms can show. WTForms' French for them has a
# straight apostrophe and reads unlike the rest of the pages; the catalog says them
# as the pages do. Messages not listed keep WTForms' translation.
WTFORMS_MESSAGES = {
    "Not a valid choice.": _l("Not a valid choice."),
    "Not a valid date value.": _l("Not a valid date value."),
    "Not a valid datetime value.": _l("Not a valid datetime value."),
    "Not a valid decimal value.": _l("Not a valid decimal value."),
    "Not a valid float value.": _l("Not a valid float value."),
    "Not a valid integer value.": _l("Not a valid integer value."),
    "Not a valid time value.": _l("Not a valid time value."),
    "Number must be at least %(min)s.": _l("Number must be at least %(min)s."),
    "Number must be at most %(max)s.": _l("Number must be at most %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Number must be between %(min)s and %(max)s."
    ),
}


class FormTranslations:
    """WTForms' messages from the app's catalog where it has them, else from WTForms'."""

    def gettext(self, string: str) -> str:
        ours = WTFORMS_MESSAGES.get(string)
        return str(ours) if ours is not None else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # None of the messages we take over has a plural.
        return wtforms_translations.ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


class Form(FlaskForm):
    """The base of the app's forms: a CSRF token, and messages in the page's language."""

    class Meta:
        def get_translations(self, form: object) -> FormTranslations:
            return FORM_TRANSLATIONS

    def hidden_tag(self, *fields: Any) -> Markup:
        """The form's hidden fields (CSRF token, record version), without ids.

        Every form has them, so two forms on a page would repeat their ids; nothing
        points to a hidden field by id.
        """
        chosen = (getattr(self, f) if isinstance(f, str) else f for f in fields or self)
        hidden = (f for f in chosen if isinstance(f.widget, HiddenInput))
        # Each field renders as Markup already; joining with Markup escapes nothing more.
        return Markup("\n").join(f(id=False) for f in hidden)
