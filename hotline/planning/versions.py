"""Optimistic locking of planning rows that editors load, change and save back.

The row is claimed with UPDATE ... WHERE version = :loaded, which bumps its
version: of two editors who loaded the same version, the second gets
PlanningConflict and nothing of theirs is written.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hotline.planning.errors import PlanningConflict
from hotline.planning.models import Rotation, Slot


def claim_version(session: Session, row: Slot | Rotation, version: int, changed: object) -> None:
    """Bump the row's version if it is still `version`, else raise PlanningConflict(changed)."""
    model = type(row)
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.version == version)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PlanningConflict(changed)
    set_committed_value(row, "version", version + 1)
