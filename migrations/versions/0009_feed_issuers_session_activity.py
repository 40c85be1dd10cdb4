"""Feed URLs remember who asked for them; web sessions when and where they were last seen.

`feed_token.issued_by`: a feed URL answers only while the user who asked for it
could still ask for it (active, and still the person's own user, the hotline's
manager or an admin). Tokens of before take their issuer from the audit log,
which has named who made each new feed URL since feeds exist.

`web_session.last_seen_at`, `address`, `user_agent`: a session ends after
SESSION_IDLE_TIMEOUT without a request, and the account page lists the
browsers. Sessions of before count as last seen at their sign-in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The latest audit line that made this token: its user asked for the URL.
ISSUER_FROM_AUDIT = """
UPDATE feed_token SET issued_by = (
    SELECT audit_log.user_id FROM audit_log
    WHERE audit_log.entity = 'feed_token' AND audit_log.entity_id = feed_token.id
      AND audit_log.action IN ('create', 'rotate')
    ORDER BY audit_log.at DESC, audit_log.id DESC
    LIMIT 1
)
"""


def upgrade() -> None:
    with op.batch_alter_table('feed_token') as batch_op:
        batch_op.add_column(sa.Column('issued_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_feed_token_issued_by_app_user'), 'app_user', ['issued_by'], ['id'], ondelete='CASCADE')
        batch_op.create_index(op.f('ix_feed_token_issued_by'), ['issued_by'], unique=False)
    op.execute(ISSUER_FROM_AUDIT)

    with op.batch_alter_table('web_session') as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', hotline.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=255), nullable=True))
    op.execute('UPDATE web_session SET last_seen_at = created_at')
    with op.batch_alter_table('web_session') as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=hotline.db.UTCDateTime(), nullable=False)
        # Pruning deletes the sessions idle for too long.
        batch_op.create_index('ix_web_session_last_seen_at', ['last_seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_session') as batch_op:
        batch_op.drop_index('ix_web_session_last_seen_at')
        batch_op.drop_column('user_agent')
        batch_op.drop_column('address')
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('feed_token') as batch_op:
        batch_op.drop_index(op.f('ix_feed_token_issued_by'))
        batch_op.drop_constraint(op.f('fk_feed_token_issued_by_app_user'), type_='foreignkey')
        batch_op.drop_column('issued_by')
