"""Initial schema: hotlines, people, slots, calls, ring legs, voicemails.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 13:31:46.116421
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hotline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('voice', sa.String(length=40), nullable=True),
    sa.Column('greeting', sa.String(length=500), nullable=True),
    sa.Column('ring_timeout', sa.Integer(), nullable=False),
    sa.Column('screening', sa.Boolean(), nullable=False),
    sa.Column('fallback_number', sa.String(length=20), nullable=True),
    sa.Column('voicemail_max_seconds', sa.Integer(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("language IN ('fr', 'en')", name=op.f('ck_hotline_language_known')),
    sa.CheckConstraint('ring_timeout BETWEEN 5 AND 600', name=op.f('ck_hotline_ring_timeout_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline')),
    sa.UniqueConstraint('number', name=op.f('uq_hotline_number'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("language IN ('fr', 'en')", name=op.f('ck_person_language_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('ref', name=op.f('uq_person_ref'))
    )
    op.create_table('default_responder',
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_default_responder_hotline_id_hotline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_default_responder_person_id_person'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('hotline_id', 'position', name=op.f('pk_default_responder'))
    )
    op.create_index('ix_default_responder_person_id', 'default_responder', ['person_id'], unique=False)

    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('starts_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('ends_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('regular', 'override')", name=op.f('ck_slot_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slot_ends_after_start')),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_slot_hotline_id_hotline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot'))
    )
    op.create_index('ix_slot_lookup', 'slot', ['hotline_id', 'kind', 'starts_at'], unique=False)

    op.create_table('call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('hotline_id', sa.Integer(), nullable=True),
    sa.Column('from_number', sa.String(length=32), nullable=False),
    sa.Column('to_number', sa.String(length=32), nullable=False),
    sa.Column('started_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('ended_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('chain', sa.JSON(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_position', sa.Integer(), nullable=True),
    sa.Column('voicemail_offered_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('twilio_status', sa.String(length=16), nullable=True),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['person.id'], name=op.f('fk_call_answered_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hotline_id'], ['hotline.id'], name=op.f('fk_call_hotline_id_hotline'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_call_slot_id_slot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_call_call_sid'))
    )
    op.create_index('ix_call_hotline_started', 'call', ['hotline_id', 'started_at'], unique=False)

    op.create_table('slot_responder',
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_slot_responder_person_id_person'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_slot_responder_slot_id_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slot_id', 'position', name=op.f('pk_slot_responder'))
    )
    op.create_index('ix_slot_responder_person_id', 'slot_responder', ['person_id'], unique=False)

    op.create_table('call_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('leg_sid', sa.String(length=64), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('ring_started_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('answered_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('ended_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('twilio_status', sa.String(length=16), nullable=True),
    sa.Column('status_sequence', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('talk_seconds', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_attempt_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_call_attempt_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_attempt')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_call_attempt_call_id_position')),
    sa.UniqueConstraint('leg_sid', name=op.f('uq_call_attempt_leg_sid'))
    )
    op.create_index('ix_call_attempt_person_created', 'call_attempt', ['person_id', 'created_at'], unique=False)

    op.create_table('voicemail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('recording_sid', sa.String(length=64), nullable=True),
    sa.Column('recording_url', sa.String(length=500), nullable=True),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_voicemail_call_id_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voicemail')),
    sa.UniqueConstraint('call_id', name=op.f('uq_voicemail_call_id')),
    sa.UniqueConstraint('recording_sid', name=op.f('uq_voicemail_recording_sid'))
    )


def downgrade() -> None:
    op.drop_table('voicemail')
    op.drop_index('ix_call_attempt_person_created', table_name='call_attempt')

    op.drop_table('call_attempt')
    op.drop_index('ix_slot_responder_person_id', table_name='slot_responder')

    op.drop_table('slot_responder')
    op.drop_index('ix_call_hotline_started', table_name='call')

    op.drop_table('call')
    op.drop_index('ix_slot_lookup', table_name='slot')

    op.drop_table('slot')
    op.drop_index('ix_default_responder_person_id', table_name='default_responder')

    op.drop_table('default_responder')
    op.drop_table('person')
    op.drop_table('hotline')
