"""Alerts: the event outbox, notifications, per-hotline and per-person settings, shift takes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:44:49.630560
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hotline_alert_setting',
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_hotline_alert_setting_hotline_id_hotline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hotline_id', 'kind', name=op.f('pk_hotline_alert_setting'))
    )
    op.create_table('person_alert_setting',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_alert_setting_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'kind', 'channel', name=op.f('pk_person_alert_setting'))
    )
    op.create_table('shift_take',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('outgoing_person_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('confirmed_via', sa.String(length=8), nullable=True),
    sa.Column('escalated_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_shift_take_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outgoing_person_id'], ['person.id'], name=op.f('fk_shift_take_outgoing_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_shift_take_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_shift_take_slot_id_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_take')),
    sa.UniqueConstraint('slot_id', 'person_id', name=op.f('uq_shift_take_slot_id_person_id'))
    )
    op.create_index('ix_shift_take_hotline_starts', 'shift_take', ['hotline_id', 'starts_at'], unique=False)

    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('shift_take_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('queued_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('dispatched_at', hotline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_alert_event_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_alert_event_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_alert_event_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_take_id'], ['shift_take.id'], name=op.f('fk_alert_event_shift_take_id_shift_take'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_event')),
    sa.UniqueConstraint('key', name=op.f('uq_alert_event_key'))
    )
    op.create_index('ix_alert_event_created_at', 'alert_event', ['created_at'], unique=False)
    op.create_index('ix_alert_event_queued_at', 'alert_event', ['queued_at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('recipient_name', sa.String(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('provider_ref', sa.String(length=120), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('last_try_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('sent_at', hotline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['alert_event.id'], name=op.f('fk_notification_event_id_alert_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('event_id', 'recipient', 'channel', name=op.f('uq_notification_event_id_recipient_channel'))
    )
    op.create_index('ix_notification_created_at', 'notification', ['created_at'], unique=False)
    op.create_index('ix_notification_person_id', 'notification', ['person_id'], unique=False)
    op.create_index('ix_notification_status', 'notification', ['status'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_notification_status', table_name='notification')
    op.drop_index('ix_notification_person_id', table_name='notification')
    op.drop_index('ix_notification_created_at', table_name='notification')

    op.drop_table('notification')
    op.drop_index('ix_alert_event_queued_at', table_name='alert_event')
    op.drop_index('ix_alert_event_created_at', table_name='alert_event')

    op.drop_table('alert_event')
    op.drop_index('ix_shift_take_hotline_starts', table_name='shift_take')

    op.drop_table('shift_take')
    op.drop_table('person_alert_setting')
    op.drop_table('hotline_alert_setting')
