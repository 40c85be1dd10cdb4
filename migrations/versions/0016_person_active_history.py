"""Active flag history: the audit log keeps each change of a person's active flag, and
past moments read it back by entity, person and time. Each person gets one "baseline"
line with the flag as it stands now, the earlier changes having never been recorded: a
moment before it takes this flag, the only one known.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 16:20:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

audit_log = sa.table(
    'audit_log',
    sa.column('hotline_id', sa.Integer),
    sa.column('user_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('entity', sa.String),
    sa.column('entity_id', sa.Integer),
    sa.column('before', sa.JSON),
    sa.column('after', sa.JSON),
    sa.column('at', sa.DateTime),
)
person = sa.table(
    'person',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('active', sa.Boolean),
)


def upgrade() -> None:
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
    op.create_index(
        'ix_audit_log_entity_at', 'audit_log', ['entity', 'entity_id', 'at'], unique=False
    )
    # Everybody's changes since a moment: the flags of a past calendar page.
    op.create_index('ix_audit_log_entity_time', 'audit_log', ['entity', 'at'], unique=False)
    people = op.get_bind().execute(sa.select(person.c.id, person.c.name, person.c.active))
    # Naive UTC, as the models' UTCDateTime stores it on both databases.
    now = datetime.now(UTC).replace(tzinfo=None)
    lines = [
        {
            'hotline_id': None,
            'user_id': None,
            'action': 'baseline',
            'entity': 'person',
            'entity_id': person_id,
            'before': None,
            'after': {'name': name, 'active': bool(active)},
            'at': now,
        }
        for person_id, name, active in people
    ]
    if lines:
        op.bulk_insert(audit_log, lines)


def downgrade() -> None:
    # The changes recorded since stay: the log keeps what happened.
    op.execute(
        audit_log.delete().where(audit_log.c.entity == 'person', audit_log.c.action == 'baseline')
    )
    op.drop_index('ix_audit_log_entity_time', table_name='audit_log')
    op.drop_index('ix_audit_log_entity_at', table_name='audit_log')
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity', 'entity_id'], unique=False)
