"""Default chain history: the audit log keeps each change of a hotline's default chain,
and the calendar reads them back by hotline, entity and time. Each hotline gets one
"baseline" line with its chain as it stands now, the earlier ones having never been
recorded: the calendar shows the hours before it as not recorded, not as today's chain.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 13:40:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
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
hotline = sa.table('hotline', sa.column('id', sa.Integer))
default_responder = sa.table(
    'default_responder',
    sa.column('hotline_id', sa.Integer),
    sa.column('position', sa.Integer),
    sa.column('person_id', sa.Integer),
)
person = sa.table(
    'person',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('active', sa.Boolean),
)


def upgrade() -> None:
    op.create_index(
        'ix_audit_log_hotline_entity_at', 'audit_log', ['hotline_id', 'entity', 'at'], unique=False
    )
    bind = op.get_bind()
    chains: dict[int, list[dict[str, object]]] = {
        hotline_id: [] for hotline_id in bind.scalars(sa.select(hotline.c.id))
    }
    places = bind.execute(
        sa.select(default_responder.c.hotline_id, person.c.id, person.c.name, person.c.active)
        .join(person, person.c.id == default_responder.c.person_id)
        .order_by(default_responder.c.hotline_id, default_responder.c.position)
    )
    for hotline_id, person_id, name, active in places:
        chains[hotline_id].append({'person_id': person_id, 'name': name, 'active': bool(active)})
    # Naive UTC, as the models' UTCDateTime stores it on both databases.
    now = datetime.now(UTC).replace(tzinfo=None)
    if chains:
        op.bulk_insert(
            audit_log,
            [
                {
                    'hotline_id': hotline_id,
                    'user_id': None,
                    'action': 'baseline',
                    'entity': 'default_chain',
                    'entity_id': None,
                    'before': None,
                    'after': {'chain': chain},
                    'at': now,
                }
                for hotline_id, chain in chains.items()
            ],
        )


def downgrade() -> None:
    # The changes recorded since stay: the log keeps what happened.
    op.execute(
        audit_log.delete().where(
            audit_log.c.entity == 'default_chain', audit_log.c.action == 'baseline'
        )
    )
    op.drop_index('ix_audit_log_hotline_entity_at', table_name='audit_log')
