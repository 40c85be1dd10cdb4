"""GET /ical/<token>.ics: the iCal feeds, opened by the secret in their URL alone.

Calendar apps cannot send a bearer token, so the URL is the credential: it is
unguessable, stored only as a hash, and replaced (the old one then answers 404)
whenever its owner asks for a new one through the API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request, url_for

from hotline.auth import public
from hotline.db import get_session, utcnow
from hotline.models import Hotline, Person
from hotline.planning.ical import feed_for, hotline_calendar, person_calendar

bp = Blueprint("feeds", __name__)

CALENDAR = "text/calendar; charset=utf-8"


@bp.get("/ical/<token>.ics")
@public  # the secret in the URL is the credential (calendar apps send no header)
def feed(token: str) -> Response:
    """A person's or a hotline's planning as an iCalendar file."""
    session = get_session()
    found = feed_for(session, token)
    if found is None:
        abort(404)
    now = utcnow()
    if found.person_id is not None:
        person = session.get(Person, found.person_id) or abort(404)
        body = person_calendar(session, person, now=now, domain=uid_domain())
        name = f"oncall-{person.ref}.ics"
    else:
        hotline = session.get(Hotline, found.hotline_id) or abort(404)
        body = hotline_calendar(session, hotline, now=now, domain=uid_domain())
        name = f"hotline-{hotline.id}.ics"
    response = Response(body, content_type=CALENDAR)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    # The URL is a secret: keep it and its content out of shared caches and logs of referrers.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def feed_url(secret: str) -> str:
    """The absolute URL of a feed, on the public base URL when one is configured."""
    path = url_for("feeds.feed", token=secret)
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return base.rstrip("/") + path


def uid_domain() -> str:
    """The host named in event UIDs, so they stay unique across installations."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return urlsplit(base).hostname or "hotline"
