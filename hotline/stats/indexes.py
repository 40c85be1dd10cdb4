"""Indexes the statistics need on the call records (created by migration 0004).

The voice package owns the call tables and their writes; these indexes only
serve the statistics' reads, so they are declared here, next to the queries
that use them, and registered on the metadata through `hotline.all_models`.
"""

from __future__ import annotations

from sqlalchemy import Index

from hotline.voice.models import Call, CallAttempt

# Views across all hotlines (and the call list across them) walk calls by start.
CALL_STARTED = Index("ix_call_started_at", Call.__table__.c.started_at)
# The legs of a period's calls are found by when they were created (see
# scope.LEG_LAG, rollups): the join to the calls then stays within the period on both sides.
ATTEMPT_CREATED = Index("ix_call_attempt_created_at", CallAttempt.__table__.c.created_at)
