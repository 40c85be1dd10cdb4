"""Web sessions kept on the server; sign-in attempts counted per login and client address.

A session cookie now names a `web_session` row, deleted when its browser signs
out (or all of the user's at a password reset or a deactivation); the cookies
of before name none, so everybody signs in once more after this upgrade.
Failed sign-ins move from the user to `sign_in_throttle`, keyed by login and
address, which counts logins that belong to nobody too (hotline.auth.lockout).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_session',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_web_session_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_web_session'))
    )
    op.create_index('ix_web_session_user_id', 'web_session', ['user_id'], unique=False)
    # Pruning deletes the sessions older than the lifetime.
    op.create_index('ix_web_session_created_at', 'web_session', ['created_at'], unique=False)

    op.create_table('sign_in_throttle',
    sa.Column('login_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_sign_in_throttle_attempts_not_negative')),
    sa.PrimaryKeyConstraint('login_hash', 'address', name=op.f('pk_sign_in_throttle'))
    )
    op.create_index('ix_sign_in_throttle_expires_at', 'sign_in_throttle', ['expires_at'], unique=False)

    # On SQLite this copies app_user: the Alembic environment turns foreign keys
    # off meanwhile, so the copy's DROP of the old table cascades to nothing.
    with op.batch_alter_table('app_user') as batch_op:
        batch_op.drop_constraint(op.f('ck_app_user_failed_logins_positive'), type_='check')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_version')


def downgrade() -> None:
    # Every account comes back unlocked, at session version 1.
    with op.batch_alter_table('app_user') as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('locked_until', hotline.db.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_app_user_failed_logins_positive'), 'failed_logins >= 0')
    op.drop_index('ix_sign_in_throttle_expires_at', table_name='sign_in_throttle')
    op.drop_table('sign_in_throttle')
    op.drop_index('ix_web_session_created_at', table_name='web_session')
    op.drop_index('ix_web_session_user_id', table_name='web_session')
    op.drop_table('web_session')
