"""The JSON API under /api/v1: the planning for scripts, with personal bearer tokens.

Authentication, role checks and the 401/403 answers come from hotline.auth
(`role_required`, tokens); every view here adds the hotline-scoped check and
answers errors as JSON problems (hotline.api.errors).
"""

from __future__ import annotations

from flask import Blueprint, Flask

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)


def init_app(app: Flask) -> None:
    """Register the API blueprint with its views and error handlers."""
    from hotline.api import feeds, views  # noqa: F401 - views registers its routes on bp

    app.register_blueprint(bp)
    app.register_blueprint(feeds.bp)  # /ical/<token>.ics, opened by the URL's secret
