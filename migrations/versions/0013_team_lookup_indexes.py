"""Team lookups by index: whose mobile a user sees (the on-call API, the planning and
alerts pages) asks whether a few people are in a hotline's team, from the hotline's
slots not over yet, soonest first, and each slot's chain by person and slot.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 08:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_slot_hotline_ends', 'slot', ['hotline_id', 'ends_at'], unique=False)
    # The person's slots by slot id: the same lookups by person as the index it replaces.
    op.create_index(
        'ix_slot_responder_person_slot', 'slot_responder', ['person_id', 'slot_id'], unique=False
    )
    op.drop_index('ix_slot_responder_person_id', table_name='slot_responder')


def downgrade() -> None:
    op.create_index(
        'ix_slot_responder_person_id', 'slot_responder', ['person_id'], unique=False
    )
    op.drop_index('ix_slot_responder_person_slot', table_name='slot_responder')
    op.drop_index('ix_slot_hotline_ends', table_name='slot')
