"""The on-call lookup's index also holds each slot's end, so the lookup never reads the slot.

The two seeks of `resolve_chain` (latest override, latest regular slot starting
at or before the instant) now find the slot's id, kind and end in the index
alone: one page fewer per seek on a large planning.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 19:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_slot_lookup', table_name='slot')
    op.create_index('ix_slot_lookup', 'slot', ['hotline_id', 'kind', 'starts_at', 'ends_at'])


def downgrade() -> None:
    op.drop_index('ix_slot_lookup', table_name='slot')
    op.create_index('ix_slot_lookup', 'slot', ['hotline_id', 'kind', 'starts_at'])
