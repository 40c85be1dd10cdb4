"""The API's views, one module per resource; importing them registers their routes."""

from hotline.api import bp, errors
from hotline.api.serialise import absence_refusal
from hotline.api.views import (  # noqa: F401
    coverage,
    feeds,
    hotlines,
    meta,
    oncall,
    overrides,
    people,
    rotations,
    slots,
    unavailability,
)
from hotline.planning.unavailability import ResponderAbsent

errors.register(bp)
# More specific than PlanningError: the refusal lists its pieces as well as naming them.
bp.register_error_handler(
    ResponderAbsent, lambda refusal: errors.answer_problem(absence_refusal(refusal))
)
