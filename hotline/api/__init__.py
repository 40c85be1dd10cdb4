"""The JSON API under /api/v1: the planning for scripts, with personal bearer tokens.

Authentication, role checks and the 401/403 answers come from hotline.auth
(`role_required`, tokens); every view here adds the hotline-scoped check and
answers errors as JSON problems (hotline.api.errors).
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

PREFIX = "/api/v1"
MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id names nothing


class IdConverter(IntegerConverter):
    """A row id in a URL: 1 to MAX_ID; any other number names nothing (404)."""

    def to_python(self, value: str) -> int:
        number = int(value)
        # Refused here rather than by min/max: werkzeug then answers 405 for the
        # other methods of the same path instead of 404.
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"no such id: {number}")
        return number


bp = Blueprint("api", __name__, url_prefix=PREFIX)


@bp.record_once
def _add_id_converter(state: BlueprintSetupState) -> None:
    # Before the blueprint's rules are added, which name <id:...> in their paths.
    state.app.url_map.converters["id"] = IdConverter


def init_app(app: Flask) -> None:
    """Register the API blueprint with its views and error handlers."""
    from hotline.api import feeds, views  # noqa: F401 - views registers its routes on bp

    app.register_blueprint(bp)
    app.register_blueprint(feeds.bp)  # /ical/<token>.ics, opened by the URL's secret
