"""A domain message shown alone: a capital first, unless it opens with a value put into it."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l

from hotline.i18n import sentence


def test_a_plural_message_opening_with_a_name_is_shown_as_it_is(app: Flask) -> None:
    message = lazy_ngettext(
        "%(name)s is away during %(num)d slot",
        "%(name)s is away during %(num)d slots",
        2,
        name="alice",
    )
    with app.test_request_context(), force_locale("fr"):
        assert sentence(message) == "alice is away during 2 slots"


def test_a_plural_message_opening_with_words_gets_its_capital(app: Flask) -> None:
    message = lazy_ngettext(
        "during %(num)d slot %(name)s is away",
        "during %(num)d slots %(name)s is away",
        2,
        name="alice",
    )
    with app.test_request_context(), force_locale("fr"):
        assert sentence(message) == "During 2 slots alice is away"


def test_a_message_opening_with_a_value_keeps_it_and_others_get_a_capital(app: Flask) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert sentence(_l("%(name)s is not active", name="bruno")) == "bruno is not active"
        assert sentence(_l("end is before start")) == "La fin est avant le début"
