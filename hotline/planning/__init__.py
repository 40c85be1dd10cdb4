"""Planning: people, slots, overrides and the on-call lookup."""

from __future__ import annotations

from flask import Blueprint, Flask

# The manager pages (calendar, people, rotations, overrides...); see hotline/planning/views*.py.
bp = Blueprint(
    "planning",
    __name__,
    url_prefix="/planning",
    template_folder="templates",
    static_folder="static",
)


def init_app(app: Flask) -> None:
    """Register the planning pages."""
    # Imported here, not at module level: the call path imports hotline.planning.oncall
    # and must not pay for the forms and views.
    from hotline.planning import views  # noqa: F401 - registers the routes on bp

    app.register_blueprint(bp)
