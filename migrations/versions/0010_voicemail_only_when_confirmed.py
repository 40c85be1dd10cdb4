"""A call is a voicemail only once Twilio confirmed it kept the message.

Calls recorded before counted as voicemail from the Record action on, so a
call whose recording callback never came stayed a voicemail in the statistics
while its missed-call alert said "missed call". They become missed calls, as
the call path now records them; a confirmation that still comes makes them
voicemails again. The statistics' triggers send their hours back to the raw
records. Downgrading puts back the earlier rule: a reported message of more
than 0 s that Twilio did not say it lost counts as voicemail.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # hotline.voice.voicemails.is_message, in SQL.
    op.execute(sa.text(
        "UPDATE call SET outcome = 'missed' WHERE outcome = 'voicemail' AND NOT EXISTS ("
        " SELECT 1 FROM voicemail WHERE voicemail.call_id = call.id"
        " AND voicemail.status = 'completed' AND voicemail.duration > 0"
        " AND voicemail.recording_url IS NOT NULL)"
    ))


def downgrade() -> None:
    op.execute(sa.text(
        "UPDATE call SET outcome = 'voicemail' WHERE outcome = 'missed' AND EXISTS ("
        " SELECT 1 FROM voicemail WHERE voicemail.call_id = call.id AND voicemail.duration > 0"
        " AND (voicemail.status IS NULL OR voicemail.status = 'completed'))"
    ))
