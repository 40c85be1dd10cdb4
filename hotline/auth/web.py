"""Wire sign-in, CSRF, error pages, navigation and security headers into the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from hotline.auth.access import is_api_request
from hotline.auth.browsers import describe_browser
from hotline.auth.forms import ROLE_LABELS
from hotline.auth.models import User
from hotline.auth.navigation import visible_navigation
from hotline.auth.services import user_for_token
from hotline.auth.sessions import is_due_for_note, note_seen, running_session
from hotline.auth.views import web_session_policy
from hotline.db import database, discard_session, get_session, utcnow

login_manager = LoginManager()
csrf = CSRFProtect()

# Pages may load only what this app serves: no CDN, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

# Every page carries a CSRF token and sign-in needs a session: both are signed with
# SECRET_KEY. A node without one still serves what needs neither (Twilio's webhooks,
# the token-only API, the probes) rather than refusing to start: calls keep flowing.
KEYLESS_NODE_PROBLEM = (
    "SECRET_KEY is not set: web pages answer 503 until HOTLINE_SECRET_KEY (or SECRET_KEY "
    "in instance/config.py) is set; calls, the API and the probes are served"
)


def init_app(app: Flask) -> None:
    from hotline.auth import bp

    _configure_cookies(app)
    # First of the request hooks: without a key, the others may need what is missing.
    app.before_request(_refuse_pages_without_secret_key)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_token)
    login_manager.unauthorized_handler(_unauthorized)
    # CSRF is checked by our own hook so the token-only API can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.register_error_handler(CSRFError, _csrf_failed)
    for code in (403, 404, 405):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.context_processor(lambda: {"navigation": visible_navigation()})
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.filters["browser"] = describe_browser
    app.after_request(security_headers)
    app.register_blueprint(bp)


def _configure_cookies(app: Flask) -> None:
    config = app.config
    if config.get("SESSION_COOKIE_SECURE") is None:
        # Secure cookies by default whenever the public URL is https, or a proxy
        # stands in front: the deployment's nginx terminates TLS, and nodes reached
        # under two names leave PUBLIC_BASE_URL unset (docs/operations.md).
        https = str(config["PUBLIC_BASE_URL"]).startswith("https://")
        config["SESSION_COOKIE_SECURE"] = https or int(config["PROXY_COUNT"]) > 0
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    if not config.get("SESSION_COOKIE_SAMESITE"):
        config["SESSION_COOKIE_SAMESITE"] = "Lax"


def secret_key_problem(config: Mapping[str, Any]) -> str | None:
    """What is missing when SECRET_KEY is unset, for the start-up log and `hotline doctor`."""
    return None if config.get("SECRET_KEY") else KEYLESS_NODE_PROBLEM


def _refuse_pages_without_secret_key() -> ResponseReturnValue | None:
    """Without SECRET_KEY, a page says what to set rather than failing with a bare 500."""
    if current_app.config["SECRET_KEY"] or _served_without_secret_key():
        return None
    return render_template("errors/no_secret_key.html"), 503


def _served_without_secret_key() -> bool:
    # None of these renders the layout or reads the session.
    if _is_webhook_request() or is_api_request():
        return True
    return request.blueprint == "ops" or request.endpoint == "static"


def role_label(role: str) -> str:
    """The role's name in the page's language."""
    return str(ROLE_LABELS.get(role, role))


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _load_from_session(key: str) -> User | None:
    # The API authenticates by token only: with no cookie credentials there is
    # nothing a forged cross-site request could ride on, hence no CSRF there.
    if is_api_request():
        return None
    db, now, policy = database(current_app), utcnow(), web_session_policy()
    found = running_session(db, key, now=now, policy=policy)
    if found is None:
        return None
    # Once every few minutes at most, and only before the request's own session
    # began: on SQLite a writing one may hold the lock this note needs (then the
    # next request notes it).
    if is_due_for_note(found, now=now, policy=policy) and "db_session" not in g:
        address, browser = request.remote_addr, request.user_agent.string
        note_seen(db, key, now=now, address=address, user_agent=browser)
    user = get_session().get(User, found.user_id)
    if user is not None:
        user.web_session_key = key
    return user


def _load_from_token(_request: object) -> User | None:
    token = bearer_token()
    if token is None or not is_api_request():
        return None
    # Before the request's session begins: on SQLite a writing session would
    # hold the write lock the note of the token's use needs.
    user_id = user_for_token(database(current_app), token, now=utcnow())
    return None if user_id is None else get_session().get(User, user_id)


def _unauthorized() -> ResponseReturnValue:
    if is_api_request():
        # The API's problem shape (hotline.api.errors): no field is at fault.
        response = jsonify(
            error="unauthorized", message="a valid API token is required", field=None
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _check_csrf() -> None:
    config = current_app.config
    if not config["WTF_CSRF_ENABLED"] or is_api_request():
        return
    if request.blueprint in config["CSRF_EXEMPT_BLUEPRINTS"]:
        return  # webhooks: authenticated by their signature instead
    csrf.protect(apply_exemptions=True)


def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    message = _(
        "The form had expired or did not come from this site. "
        "Nothing was changed; please try again."
    )
    return render_template("errors/error.html", code=400, message=message), 400


def _http_error(error: HTTPException) -> ResponseReturnValue:
    # Twilio gets the bare status: no page rendering, no database access.
    if _is_webhook_request():
        return error
    code = error.code or 500
    if is_api_request():
        code_name = error.name.lower().replace(" ", "_")
        return jsonify(error=code_name, message=error.description, field=None), code
    if not current_app.config["SECRET_KEY"]:
        return error  # the layout needs a CSRF token (a probe's 405, a missing static file)
    messages = {
        403: _("You are not allowed to do this. Nothing was changed."),
        404: _("This page does not exist."),
        405: _("This page cannot be used that way."),
    }
    # A view that aborts with its own (translated) reason says it; else the usual words.
    own = error.description != type(error).description
    message = error.description if own else messages[code]
    return render_template("errors/error.html", code=code, message=message), code


def _server_error(error: InternalServerError) -> ResponseReturnValue:
    """Any crash: the app's own page in the user's language (Flask has logged the error)."""
    # Twilio gets the bare status; the webhooks answer fallback TwiML themselves first.
    if _is_webhook_request() or not current_app.config["SECRET_KEY"]:
        return error  # the layout needs a CSRF token, hence the key
    # The failed request's transaction may refuse any further statement (PostgreSQL).
    discard_session()
    message = _(
        "Something went wrong on our side and the error is recorded. "
        "Please try again; if it happens again, tell an administrator."
    )
    return render_template("errors/error.html", code=500, message=message), 500


def _is_webhook_request() -> bool:
    exempt = current_app.config["CSRF_EXEMPT_BLUEPRINTS"]
    if request.blueprint is not None:
        return request.blueprint in exempt
    # A routing error (a GET on a webhook URL) names no blueprint: go by the path.
    prefixes = [
        f"{blueprint.url_prefix}/"
        for name, blueprint in current_app.blueprints.items()
        if name in exempt and blueprint.url_prefix
    ]
    return request.path.startswith(tuple(prefixes))


def security_headers(response: Response) -> Response:
    """The headers every response carries (and pages, and signed-in pages, theirs)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # Only a user some code already loaded: webhooks must not pay for a lookup.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        # Signed-in pages hold personal data: never keep them in any cache.
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response
