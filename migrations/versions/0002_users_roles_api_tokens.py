"""Web users and roles, the hotlines managers and supervisors are scoped to, API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:40:08.242561
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "user" is a reserved word on PostgreSQL, hence app_user.
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('last_login_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("language IN ('fr', 'en')", name=op.f('ck_app_user_language_known')),
    sa.CheckConstraint("role IN ('admin', 'manager', 'supervisor', 'agent')", name=op.f('ck_app_user_role_known')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_app_user_failed_logins_positive')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_app_user_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email')),
    sa.UniqueConstraint('person_id', name=op.f('uq_app_user_person_id'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', hotline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_api_token_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_index('ix_api_token_user_id', 'api_token', ['user_id'], unique=False)

    op.create_table('managed_hotline',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_managed_hotline_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_managed_hotline_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'hotline_id', name=op.f('pk_managed_hotline'))
    )
    # The primary key serves "hotlines of a user"; this serves "users of a hotline".
    op.create_index('ix_managed_hotline_hotline_id', 'managed_hotline', ['hotline_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_managed_hotline_hotline_id', table_name='managed_hotline')
    op.drop_table('managed_hotline')
    op.drop_index('ix_api_token_user_id', table_name='api_token')
    op.drop_table('api_token')
    op.drop_table('app_user')
