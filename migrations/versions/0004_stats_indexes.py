"""Statistics: calls by start time across hotlines, ring legs by creation time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_call_started_at', 'call', ['started_at'], unique=False)
    op.create_index('ix_call_attempt_created_at', 'call_attempt', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_call_attempt_created_at', table_name='call_attempt')
    op.drop_index('ix_call_started_at', table_name='call')
