"""The signed-in user's own pages: language, password, browsers, API tokens; /api/v1/me."""

from __future__ import annotations

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from hotline.auth import bp
from hotline.auth.access import scoped_hotline_ids, signed_in
from hotline.auth.forms import (
    AccountForm,
    ActionForm,
    PasswordChangeForm,
    TokenForm,
    show_error,
)
from hotline.auth.lockout import AccountLocked
from hotline.auth.services import (
    AccountError,
    InvalidCredentials,
    check_password,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    set_language,
    set_password,
    start_password_attempt,
)
from hotline.auth.sessions import (
    end_own_web_session,
    end_web_sessions,
    key_hash,
    list_web_sessions,
    start_web_session,
)
from hotline.auth.views import lockout_message, lockout_policy, web_session_policy
from hotline.db import get_session, utcnow
from hotline.i18n import error_sentence


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> ResponseReturnValue:
    """Show and change the user's language."""
    form = AccountForm(language=current_user.language or "")
    if form.validate_on_submit():
        set_language(get_session(), current_user, form.language.data or None)
        get_session().commit()
        refresh()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.account"))
    refused = request.method == "POST"  # a bad value: the form again, with its error
    return _account_page(form, PasswordChangeForm(formdata=None), 400 if refused else 200)


@bp.post("/account/password")
@signed_in
def change_password() -> ResponseReturnValue:
    """Change one's own password, proving the current one first."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _account_page(AccountForm(formdata=None), form, 400)
    db = get_session()
    try:
        attempt = start_password_attempt(
            db, current_user.email, request.remote_addr, now=utcnow(), policy=lockout_policy()
        )
    except AccountLocked as locked:
        db.commit()
        form.current_password.errors.append(lockout_message(locked))
        return _account_page(AccountForm(formdata=None), form, 429)
    db.commit()  # counted before the check, as at sign-in
    try:
        check_password(db, attempt, form.current_password.data or "")
    except InvalidCredentials:
        form.current_password.errors.append(_("This is not your current password."))
        return _account_page(AccountForm(formdata=None), form, 400)
    db.commit()  # the count of failures is cleared, whatever the new password
    # The user itself: handing Flask-Login its own proxy makes current_user point at itself.
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        set_password(db, user, form.password.data or "")
    except AccountError as error:
        db.rollback()
        show_error(form, error)
        return _account_page(AccountForm(formdata=None), form, 400)
    # Every session ended, this one too (and any copy of its cookie): this
    # browser carries on in a new one.
    start_web_session(
        db, user, now=utcnow(), address=request.remote_addr, user_agent=request.user_agent.string
    )
    db.commit()
    login_user(user)
    flash(_("Your password is changed; your other sessions are signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-out-everywhere")
@signed_in
def sign_out_everywhere() -> ResponseReturnValue:
    """End every session of the user, this one included (a lost phone, a shared computer)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    end_web_sessions(get_session(), current_user)
    get_session().commit()
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/sessions/sign-out")
@signed_in
def sign_out_session() -> ResponseReturnValue:
    """Sign out one of the user's browsers (a forgotten computer), or this one."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    chosen = request.form.get("session", "")
    # Only the user's own: another user's session is "unknown", as one already over.
    if not end_own_web_session(get_session(), current_user, chosen):
        flash(_("Unknown session: it may have ended already."), "error")
        return redirect(url_for("auth.account"))
    get_session().commit()
    if chosen != key_hash(current_user.web_session_key):
        flash(_("That browser is signed out."), "success")
        return redirect(url_for("auth.account"))
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _account_page(
    form: AccountForm, password_form: PasswordChangeForm, status: int = 200
) -> ResponseReturnValue:
    if not form.language.data:
        form.language.data = current_user.language or ""
    sessions = list_web_sessions(
        get_session(), current_user, now=utcnow(), policy=web_session_policy()
    )
    return render_template(
        "auth/account.html",
        form=form,
        password_form=password_form,
        sessions=sessions,
        this_session=key_hash(current_user.web_session_key),
    ), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@signed_in
def tokens() -> ResponseReturnValue:
    """List the user's API tokens; create one, whose secret is shown this once."""
    form = TokenForm()
    secret = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, secret = create_api_token(get_session(), current_user, form.name.data or "")
        except AccountError as error:
            get_session().rollback()
            show_error(form, error)
            status = 400
        else:
            get_session().commit()
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return render_template(
        "auth/tokens.html",
        form=form,
        secret=secret,
        tokens=list_api_tokens(get_session(), current_user),
        revoke_form=ActionForm(),
    ), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def token_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of the user's tokens; it stops working at once."""
    if ActionForm().validate_on_submit():
        try:
            token = revoke_api_token(get_session(), current_user, token_id, now=utcnow())
        except AccountError as error:
            get_session().rollback()
            flash(error_sentence(error), "error")
        else:
            get_session().commit()
            flash(_("Token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("auth.tokens"))


@bp.get("/api/v1/me")
@signed_in
def api_me() -> ResponseReturnValue:
    """The token's owner: lets a script check its token and see its reach."""
    scope = scoped_hotline_ids(current_user)
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        role=current_user.role,
        person_id=current_user.person_id,
        hotline_ids=None if scope is None else sorted(scope),
    )
