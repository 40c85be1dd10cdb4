"""The API's views, one module per resource; importing them registers their routes."""

from hotline.api import bp, errors
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

errors.register(bp)
