"""The alerts of a call found by index: the calls pages show a caller's number in full to
whoever an alert about that call was sent to, and look it up for each call they list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_alert_event_call_id', 'alert_event', ['call_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_alert_event_call_id', table_name='alert_event')
