"""Admin pages: list, create and edit users; reset a password; lift a sign-in lock."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms import SelectChoice

from hotline.auth import bp
from hotline.auth.access import role_required
from hotline.auth.forms import (
    ROLE_LABELS,
    ActionForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    UserFields,
    show_error,
)
from hotline.auth.lockout import sign_in_locks, unlock
from hotline.auth.models import ADMIN, User
from hotline.auth.services import (
    AccountError,
    all_hotlines,
    create_user,
    linkable_people,
    list_users,
    set_password,
    update_user,
)
from hotline.auth.sessions import count_web_sessions, start_web_session
from hotline.auth.views import lockout_policy, web_session_policy
from hotline.db import get_session, utcnow


@bp.get("/admin/users")
@role_required(ADMIN)
def users() -> ResponseReturnValue:
    """List every user with role, status and linked person."""
    return render_template("auth/users.html", users=list_users(get_session()), roles=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(ADMIN)
def user_new() -> ResponseReturnValue:
    """Create a user with an initial password."""
    form = UserCreateForm()
    _fill_choices(form)
    if not form.validate_on_submit():
        return render_template("auth/user_new.html", form=form), 400 if form.is_submitted() else 200
    _end_reads_before_hashing()
    try:
        user = create_user(
            get_session(),
            email=form.email.data or "",
            name=form.name.data or "",
            role=form.role.data,
            password=form.password.data or "",
            person_id=_person_id(form),
            language=form.language.data or None,
        )
    except AccountError as error:
        get_session().rollback()
        show_error(form, error)
        return render_template("auth/user_new.html", form=form), 400
    get_session().commit()
    flash(_("User %(email)s is created.", email=user.email), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def user_edit(user_id: int) -> ResponseReturnValue:
    """Change a user's name, role, status, linked person, language and hotlines."""
    user = get_session().get(User, user_id) or abort(404)
    # Posted values win over the stored ones (WTForms reads formdata first).
    form = UserEditForm(obj=_UserDefaults(user))
    _fill_choices(form)
    if not form.validate_on_submit():
        return _edit_page(user, form, 400 if form.is_submitted() else 200)
    try:
        update_user(
            get_session(),
            user,
            name=form.name.data or "",
            role=form.role.data,
            active=bool(form.active.data),
            person_id=_person_id(form),
            language=form.language.data or None,
            hotline_ids=form.hotlines.data or [],
        )
    except AccountError as error:
        get_session().rollback()
        show_error(form, error)
        return _edit_page(user, form, 400)
    get_session().commit()
    flash(_("User %(email)s is saved.", email=user.email), "success")
    if user.id == current_user.id and (user.role != ADMIN or not user.active):
        # An admin who just gave up the role (or their account) cannot see this
        # page any more: their home page, or the sign-in page, instead of a 403.
        return redirect(url_for("auth.home"))
    return redirect(url_for("auth.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/password")
@role_required(ADMIN)
def user_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for a user; their sessions end."""
    user = get_session().get(User, user_id) or abort(404)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _edit_page(user, None, 400, form)
    _end_reads_before_hashing()
    try:
        set_password(get_session(), user, form.password.data or "")
    except AccountError as error:
        get_session().rollback()
        show_error(form, error)
        return _edit_page(user, None, 400, form)
    if user.id == current_user.id:
        # The admin who reset their own password stays signed in, in a new session.
        start_web_session(
            get_session(),
            user,
            now=utcnow(),
            address=request.remote_addr,
            user_agent=request.user_agent.string,
        )
        login_user(user)
    get_session().commit()
    flash(_("The password of %(email)s is reset.", email=user.email), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/unlock")
@role_required(ADMIN)
def user_unlock(user_id: int) -> ResponseReturnValue:
    """Lift the sign-in locks of a user, from every address, before they end by themselves."""
    user = get_session().get(User, user_id) or abort(404)
    if ActionForm().validate_on_submit():
        unlock(get_session(), user.email)
        get_session().commit()
        flash(_("Sign-in of %(email)s is unlocked.", email=user.email), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


class _UserDefaults:
    """The user's current values, in the shape UserEditForm reads them."""

    def __init__(self, user: User) -> None:
        self.name, self.role, self.active = user.name, user.role, user.active
        self.person = str(user.person_id) if user.person_id else ""
        self.language = user.language or ""
        self.hotlines = sorted(user.hotline_ids)


def _end_reads_before_hashing() -> None:
    # A password hash takes about 0.3 s on purpose. The request's reads so far
    # (the admin, the form's choices) end first: on SQLite their transaction
    # holds the write lock, and every incoming call's write would wait meanwhile.
    get_session().commit()


def _fill_choices(form: UserFields) -> None:
    people = linkable_people(get_session())
    form.person.choices = [SelectChoice("", _("(none)"))]
    form.person.choices += [SelectChoice(str(p.id), p.name) for p in people]
    if isinstance(form, UserEditForm):
        hotlines = all_hotlines(get_session())
        form.hotlines.choices = [SelectChoice(h.id, h.name) for h in hotlines]


def _person_id(form: UserFields) -> int | None:
    return int(form.person.data) if form.person.data else None


def _edit_page(
    user: User,
    form: UserEditForm | None,
    status: int,
    password_form: PasswordResetForm | None = None,
) -> ResponseReturnValue:
    if form is None:
        form = UserEditForm(formdata=None, obj=_UserDefaults(user))
        _fill_choices(form)
    locks = sign_in_locks(get_session(), user.email, now=utcnow(), policy=lockout_policy())
    # How many, not which: where and with what a user signs in is theirs to see.
    sessions = count_web_sessions(get_session(), user, now=utcnow(), policy=web_session_policy())
    return render_template(
        "auth/user_edit.html",
        user=user,
        form=form,
        password_form=password_form or PasswordResetForm(formdata=None),
        locks=locks,
        sessions=sessions,
    ), status
