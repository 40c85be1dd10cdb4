"""The audit log of a hotline's planning: who changed what and when, before and after."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.planning import audit, bp
from hotline.planning.audit_lines import audit_line, person_ids
from hotline.planning.contacts import numbers_shown
from hotline.planning.views_common import REVIEWERS, person_names, reviewed_hotline

# The page shows the latest changes; older ones stay in the table.
AUDIT_PAGE_SIZE = 200


@bp.get("/hotlines/<int:hotline_id>/audit")
@role_required(*REVIEWERS)
def audit_log(hotline_id: int) -> ResponseReturnValue:
    """The latest changes to the hotline's planning, newest first."""
    hotline = reviewed_hotline(hotline_id)
    zone = ZoneInfo(hotline.timezone)
    session = get_session()
    entries = audit.audit_entries(session, hotline.id, limit=AUDIT_PAGE_SIZE)
    ids = person_ids(entries)
    names = person_names(session, ids)
    people = {e.entity_id for e in entries if e.entity == audit.PERSON}
    # A manager reads here the numbers their people pages show, a supervisor none.
    shown = numbers_shown(session, current_user, people, now=utcnow())
    return render_template(
        "planning/audit.html",
        hotline=hotline,
        lines=[audit_line(e, zone, names, shown) for e in entries],
        size=AUDIT_PAGE_SIZE,
    )
