"""The planning's domain errors: forms show them at `field`, the API in its problem body."""

from __future__ import annotations


class PlanningError(ValueError):
    """A planning change that cannot be made; the message says why, `field` where.

    Nothing has been written when it is raised. `field` names the argument of the
    service function at fault (``starts_at``, ``chain``, ``timezone``...), or is
    None when the whole request is at fault.
    """

    def __init__(self, message: object, field: str | None = None) -> None:
        # `message` is usually a lazy string: translated when shown, in the reader's language.
        super().__init__(message)
        self.field = field


class PlanningConflict(PlanningError):
    """Somebody changed or removed the row since the editor loaded it: reload, then retry."""


class NotFound(PlanningError):
    """The slot, rotation or period named does not exist (any more)."""
