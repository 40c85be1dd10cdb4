"""Sign-in, sign-out, the language switch, and the home page."""

from __future__ import annotations

import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hotline.auth import bp
from hotline.auth.access import public, signed_in
from hotline.auth.forms import ActionForm, LanguageForm, LoginForm
from hotline.auth.home import home_endpoint
from hotline.auth.lockout import AccountLocked, LockoutPolicy
from hotline.auth.models import User
from hotline.auth.services import (
    InvalidCredentials,
    set_language,
    sign_in,
    start_password_attempt,
)
from hotline.auth.sessions import SessionPolicy, end_web_session, session_policy
from hotline.db import get_session, utcnow
from hotline.i18n import SESSION_KEY
from hotline.models import LANGUAGES


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Show the sign-in form; check the credentials it sends."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("auth.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    db, now = get_session(), utcnow()
    try:
        attempt = start_password_attempt(
            db, form.email.data or "", request.remote_addr, now=now, policy=lockout_policy()
        )
    except AccountLocked as locked:
        db.commit()
        form.password.errors.append(lockout_message(locked))
        return render_template("auth/login.html", form=form), 429
    # The attempt counts from now on, before the (deliberately slow) password
    # check: parallel guesses each see it, and no transaction stays open meanwhile.
    db.commit()
    try:
        user = sign_in(
            db,
            attempt,
            form.password.data or "",
            now=now,
            policy=web_session_policy(),
            address=request.remote_addr,
            user_agent=request.user_agent.string,
        )
    except InvalidCredentials:
        form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 200
    account_language_wins = keep_language_chosen_before_sign_in(user, session.get(SESSION_KEY))
    db.commit()
    # A fresh session: nothing set before the sign-in carries over, the CSRF
    # secret least of all (a planted cookie would otherwise give its token to
    # whoever planted it); the language chosen above now lives on the account.
    session.clear()
    login_user(user)
    if account_language_wins:
        with force_locale(user.language):
            flash(
                _(
                    "Your account has its own language setting, which takes over from "
                    "the one chosen before signing in; change it on Your account."
                ),
                "info",
            )
    return redirect(safe_next(form.next.data) or url_for("auth.home"))


def keep_language_chosen_before_sign_in(user: User, chosen: str | None) -> bool:
    """Save the sign-in page's language choice on an account that has no language yet.

    Return True when the account's own, different setting wins instead: it is the
    user's standing choice, but they should be told why the page changes language.
    """
    if chosen not in LANGUAGES or chosen == user.language:
        return False
    if user.language is None:
        set_language(get_session(), user, chosen)
        return False
    return True


def lockout_message(locked: AccountLocked) -> str:
    minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts: try again in %(num)d minute.",
        "Too many failed attempts: try again in %(num)d minutes.",
        minutes,
    )


def lockout_policy() -> LockoutPolicy:
    """The sign-in lockout settings (docs/web-platform.md says how they count)."""
    config = current_app.config
    return LockoutPolicy(
        max_failures=int(config["LOGIN_MAX_FAILURES"]),
        max_account_failures=int(config["LOGIN_MAX_ACCOUNT_FAILURES"]),
        lockout=timedelta(minutes=int(config["LOGIN_LOCKOUT_MINUTES"])),
    )


def web_session_policy() -> SessionPolicy:
    """How long web sessions run (docs/web-platform.md, Sign-in and sessions)."""
    return session_policy(current_app.config, current_app.permanent_session_lifetime)


@bp.post("/logout")
@public
def logout() -> ResponseReturnValue:
    """Sign out (a POST with its CSRF token, so no other site can sign you out)."""
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:
            # This browser's session only: the user's phone stays signed in.
            end_web_session(get_session(), current_user.web_session_key)
            get_session().commit()
        logout_user()
        session.clear()  # the next person at this browser starts afresh (CSRF secret included)
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def language() -> ResponseReturnValue:
    """Switch the UI language: saved on the user, or in the session when anonymous."""
    form = LanguageForm()
    target = safe_next(form.next.data) or url_for("auth.home")
    if not form.validate_on_submit():
        return redirect(target)
    if current_user.is_authenticated:
        set_language(get_session(), current_user, form.language.data)
        get_session().commit()
    else:
        session[SESSION_KEY] = form.language.data
    refresh()
    return redirect(target)


@bp.get("/")
@signed_in
def home() -> ResponseReturnValue:
    """Send each user to where their role works."""
    return redirect(url_for(home_endpoint(current_user.role)))


@bp.get("/dashboard")
@signed_in
def dashboard() -> ResponseReturnValue:
    """A starting page listing what the user can open."""
    return render_template("auth/dashboard.html")
