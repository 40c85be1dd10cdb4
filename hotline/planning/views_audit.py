"""The audit log of a hotline's planning: who changed what and when, before and after."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template
from flask.typing import ResponseReturnValue

from hotline.auth import role_required
from hotline.db import get_session
from hotline.planning import audit, bp
from hotline.planning.audit_lines import audit_line
from hotline.planning.views_common import REVIEWERS, reviewed_hotline

# The page shows the latest changes; older ones stay in the table.
AUDIT_PAGE_SIZE = 200


@bp.get("/hotlines/<int:hotline_id>/audit")
@role_required(*REVIEWERS)
def audit_log(hotline_id: int) -> ResponseReturnValue:
    """The latest changes to the hotline's planning, newest first."""
    hotline = reviewed_hotline(hotline_id)
    zone = ZoneInfo(hotline.timezone)
    entries = audit.audit_entries(get_session(), hotline.id, limit=AUDIT_PAGE_SIZE)
    return render_template(
        "planning/audit.html",
        hotline=hotline,
        lines=[audit_line(e, zone) for e in entries],
        size=AUDIT_PAGE_SIZE,
    )
