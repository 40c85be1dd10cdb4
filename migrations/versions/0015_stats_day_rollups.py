"""Statistics: per-day rollups of the legs and of the answer times, and answers by wait.

A dashboard over a year read some 200,000 hourly leg rows and sorted some
800,000 answer times. The legs are now also added up per UTC day
(`stats_leg_day`) and the answers counted per day and whole second of wait
(`stats_wait_day`); the few answers around a percentile's rank are found
by wait (`ix_stats_answer_wait`). The day rows of the days already rolled
up are added up here from their hourly rows.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The UTC midnight of an hour key, as hotline.stats.rollup_build writes it.
DAY_OF = {
    'postgresql': "date_trunc('day', hour)",
    'sqlite': "strftime('%Y-%m-%d 00:00:00.000000', hour)",
}
# hotline.stats.waits.wait_second: the whole second a wait rounds up to.
WAIT_SECOND = "wait_ms / 1000 + CASE WHEN wait_ms > (wait_ms / 1000) * 1000 THEN 1 ELSE 0 END"
LEG_KEYS = "hotline_key, person_key, result, accepting, depth"


def upgrade() -> None:
    op.create_table('stats_leg_day',
    sa.Column('hotline_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('person_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('accepting', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('depth', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('legs', sa.Integer(), nullable=False),
    sa.Column('talk_seconds', sa.BigInteger(), nullable=True),
    sa.Column('to_accept_ms', sa.BigInteger(), nullable=True),
    sa.Column('wait_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint(
        'hotline_key', 'day', 'person_key', 'result', 'accepting', 'depth',
        name=op.f('pk_stats_leg_day'),
    )
    )
    op.create_table('stats_wait_day',
    sa.Column('hotline_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('wait_second', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hotline_key', 'day', 'wait_second', name=op.f('pk_stats_wait_day'))
    )
    op.create_index(
        'ix_stats_answer_wait', 'stats_answer', ['hotline_key', 'wait_ms', 'hour'], unique=False
    )
    day = DAY_OF[op.get_bind().dialect.name]
    op.execute(
        f"INSERT INTO stats_leg_day (day, {LEG_KEYS}, legs, talk_seconds, to_accept_ms, wait_ms)"
        f" SELECT {day}, {LEG_KEYS}, sum(legs), sum(talk_seconds), sum(to_accept_ms),"
        f" sum(wait_ms) FROM stats_leg_hour GROUP BY {day}, {LEG_KEYS}"
    )
    op.execute(
        "INSERT INTO stats_wait_day (day, hotline_key, wait_second, answers)"
        f" SELECT {day}, hotline_key, {WAIT_SECOND}, count(*) FROM stats_answer"
        f" WHERE wait_ms IS NOT NULL GROUP BY {day}, hotline_key, {WAIT_SECOND}"
    )


def downgrade() -> None:
    op.drop_index('ix_stats_answer_wait', table_name='stats_answer')
    op.drop_table('stats_wait_day')
    op.drop_table('stats_leg_day')
