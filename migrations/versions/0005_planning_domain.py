"""Planning domain: rotations, unavailability, labour rules, audit log, iCal feed tokens;
slots gain the rotation that made them and a version for optimistic locking.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rotation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('shift_hours', sa.Integer(), nullable=False),
    sa.Column('handoff', sa.Time(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Time(), nullable=True),
    sa.Column('window_end', sa.Time(), nullable=True),
    sa.Column('backup_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(window_start IS NULL) = (window_end IS NULL)', name=op.f('ck_rotation_window_complete')),
    sa.CheckConstraint('backup_count >= 0', name=op.f('ck_rotation_backup_count_positive')),
    sa.CheckConstraint('shift_hours BETWEEN 1 AND 744', name=op.f('ck_rotation_shift_hours_range')),
    sa.CheckConstraint('weekdays BETWEEN 1 AND 127', name=op.f('ck_rotation_weekdays_range')),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_rotation_hotline_id_hotline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation')),
    sa.UniqueConstraint('hotline_id', 'name', name=op.f('uq_rotation_hotline_id_name'))
    )
    for role in ('member', 'backup'):
        table = f'rotation_{role}'
        op.create_table(table,
        sa.Column('rotation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f(f'fk_{table}_person_id_person'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['rotation_id'], ['rotation.id'], name=op.f(f'fk_{table}_rotation_id_rotation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('rotation_id', 'position', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('rotation_id', 'person_id', name=op.f(f'uq_{table}_rotation_id_person_id'))
        )
        op.create_index(op.f(f'ix_{table}_person_id'), table, ['person_id'], unique=False)

    op.create_table('unavailability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('leave', 'sickness', 'other')", name=op.f('ck_unavailability_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_unavailability_ends_after_start')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_unavailability_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailability'))
    )
    op.create_index('ix_unavailability_person_starts', 'unavailability', ['person_id', 'starts_at'], unique=False)

    op.create_table('labour_rules',
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('max_consecutive_days', sa.Integer(), nullable=True),
    sa.Column('min_rest_hours', sa.Integer(), nullable=True),
    sa.CheckConstraint('max_consecutive_days BETWEEN 1 AND 366', name=op.f('ck_labour_rules_max_consecutive_days_range')),
    sa.CheckConstraint('min_rest_hours BETWEEN 1 AND 168', name=op.f('ck_labour_rules_min_rest_hours_range')),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_labour_rules_hotline_id_hotline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hotline_id', name=op.f('pk_labour_rules'))
    )

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_audit_log_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_log_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity', 'entity_id'], unique=False)
    op.create_index('ix_audit_log_hotline_at', 'audit_log', ['hotline_id', 'at'], unique=False)
    op.create_index(op.f('ix_audit_log_user_id'), 'audit_log', ['user_id'], unique=False)

    op.create_table('feed_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('hotline_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(person_id IS NULL) <> (hotline_id IS NULL)', name=op.f('ck_feed_token_one_owner')),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_feed_token_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feed_token_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_token')),
    sa.UniqueConstraint('hotline_id', name=op.f('uq_feed_token_hotline_id')),
    sa.UniqueConstraint('person_id', name=op.f('uq_feed_token_person_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_token_token_hash'))
    )

    _add_slot_columns()
    op.create_index('ix_slot_rotation_id', 'slot', ['rotation_id'], unique=False)


def _add_slot_columns() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.add_column('slot', sa.Column('rotation_id', sa.Integer(), nullable=True))
        op.add_column('slot', sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        op.create_foreign_key(op.f('fk_slot_rotation_id_rotation'), 'slot', 'rotation', ['rotation_id'], ['id'])
        return
    # No batch mode on SQLite: it copies the table and drops the old one, and with
    # foreign keys on, that DROP deletes every row first, firing ON DELETE CASCADE on
    # the slots' responders and shift takes and SET NULL on calls. SQLite can add a
    # column with a (column-level) foreign key in place, and drop it again (3.35+);
    # SQLAlchemy reads no ON DELETE option back from a column-level one, hence none.
    op.execute(
        'ALTER TABLE slot ADD COLUMN rotation_id INTEGER '
        'CONSTRAINT fk_slot_rotation_id_rotation REFERENCES rotation (id)'
    )
    op.execute('ALTER TABLE slot ADD COLUMN version INTEGER DEFAULT 1 NOT NULL')


def downgrade() -> None:
    op.drop_index('ix_slot_rotation_id', table_name='slot')
    if op.get_bind().dialect.name == 'sqlite':
        # In place, for the same reason as in upgrade().
        op.execute('ALTER TABLE slot DROP COLUMN version')
        op.execute('ALTER TABLE slot DROP COLUMN rotation_id')
    else:
        op.drop_constraint(op.f('fk_slot_rotation_id_rotation'), 'slot', type_='foreignkey')
        op.drop_column('slot', 'version')
        op.drop_column('slot', 'rotation_id')
    op.drop_table('feed_token')
    op.drop_index(op.f('ix_audit_log_user_id'), table_name='audit_log')
    op.drop_index('ix_audit_log_hotline_at', table_name='audit_log')
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('labour_rules')
    op.drop_index('ix_unavailability_person_starts', table_name='unavailability')
    op.drop_table('unavailability')
    for table in ('rotation_backup', 'rotation_member'):
        op.drop_index(op.f(f'ix_{table}_person_id'), table_name=table)
        op.drop_table(table)
    op.drop_table('rotation')
