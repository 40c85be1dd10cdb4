"""Web forms of the auth pages; every FlaskForm carries a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.fields import Field
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from hotline.auth.models import ADMIN, AGENT, MANAGER, SUPERVISOR
from hotline.auth.passwords import MAX_PASSWORD_LENGTH
from hotline.auth.services import AccountError, normalise_email
from hotline.i18n import Form, error_sentence

ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    MANAGER: _l("Manager"),
    SUPERVISOR: _l("Supervisor"),
    AGENT: _l("Agent"),
}
LANGUAGE_CHOICES = [
    SelectChoice("", _l("Browser's language")),
    SelectChoice("fr", "Français"),
    SelectChoice("en", "English"),
]


def email_address(form: Form, field: Field) -> None:
    """Validator: the accounts' own e-mail check, run with the form's other checks.

    Saving checks it again; checked here too, a form refused for another field
    says at once that the address is wrong as well.
    """
    if not field.data:
        return
    try:
        normalise_email(field.data)
    except AccountError as error:
        raise ValidationError(error_sentence(error)) from None


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(Form):
    """A button-only form (sign out, revoke): only the CSRF token travels."""


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()


class LanguageForm(Form):
    language = SelectField(choices=[SelectChoice("fr"), SelectChoice("en")])
    next = HiddenField()


def _password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    confirm = PasswordField(
        _l("Password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    return password, confirm


class UserFields(Form):
    """What an admin sets on any user; choices are filled by the view."""

    name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r, label) for r, label in ROLE_LABELS.items()]
    )
    person = SelectField(_l("Linked person"), choices=[])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class UserCreateForm(UserFields):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), email_address])
    role = SelectField(  # least power unless the admin picks more
        _l("Role"),
        choices=[SelectChoice(r, label) for r, label in ROLE_LABELS.items()],
        default=AGENT,
    )
    password, password_confirm = _password_fields()


class UserEditForm(UserFields):
    active = BooleanField(_l("Active (may sign in)"))
    hotlines = MultiCheckboxField(_l("Hotlines managed or reviewed"), choices=[], coerce=int)


class PasswordResetForm(Form):
    password, password_confirm = _password_fields()


class AccountForm(Form):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    password, password_confirm = _password_fields()


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])


def show_error(form: Form, error: Exception) -> None:
    """Show a domain error at its field (`error.field`), else above the form."""
    field = getattr(form, getattr(error, "field", None) or "", None)
    message = error_sentence(error)
    if field is not None and hasattr(field, "errors"):
        # WTForms resets errors to a tuple when validation never ran on the field.
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
