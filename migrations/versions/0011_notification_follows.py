"""An update follows the alert it corrects per recipient and channel, not as a whole.

A late-voicemail update waited until every notification of its missed-call
alert was sent or given up: an e-mail retried through an SMTP outage held
back everyone's SMS update for minutes. Each notification of the update now
names the alert's notification to the same recipient on the same channel
(`follows_id`) and goes out as soon as that one is done.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite this copies notification (foreign keys off meanwhile, see 0008).
    with op.batch_alter_table('notification') as batch_op:
        batch_op.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_notification_follows_id_notification'), 'notification',
            ['follows_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_index('ix_notification_follows_id', ['follows_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch_op:
        batch_op.drop_index('ix_notification_follows_id')
        batch_op.drop_constraint(op.f('fk_notification_follows_id_notification'), type_='foreignkey')
        batch_op.drop_column('follows_id')
