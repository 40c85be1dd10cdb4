"""Statistics: hourly rollups of the call records, and the triggers that unmark a changed hour.

A call or ring leg written (inserted, updated, deleted) deletes the
`stats_hour` mark of its call's hotline and UTC hour: the dashboard then
reads that hour from the call records until `hotline stats rollup` rebuilds it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The hour key written by hotline.stats.sqltime.utc_hour on each database.
PG_UNMARK = """
CREATE FUNCTION stats_unmark_hour() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'call' THEN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM stats_hour WHERE hotline_key = coalesce(OLD.hotline_id, 0)
                AND hour = date_trunc('hour', OLD.started_at);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            DELETE FROM stats_hour WHERE hotline_key = coalesce(NEW.hotline_id, 0)
                AND hour = date_trunc('hour', NEW.started_at);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM stats_hour s USING call c WHERE c.id = OLD.call_id
                AND s.hotline_key = coalesce(c.hotline_id, 0)
                AND s.hour = date_trunc('hour', c.started_at);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            DELETE FROM stats_hour s USING call c WHERE c.id = NEW.call_id
                AND s.hotline_key = coalesce(c.hotline_id, 0)
                AND s.hour = date_trunc('hour', c.started_at);
        END IF;
    END IF;
    RETURN NULL;
END $$
"""
SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00.000000', {})"
SQLITE_EVENTS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}


def _sqlite_unmark_call(row: str) -> str:
    return (
        f"DELETE FROM stats_hour WHERE hotline_key = coalesce({row}.hotline_id, 0)"
        f" AND hour = {SQLITE_HOUR.format(row + '.started_at')};"
    )


def _sqlite_unmark_leg(row: str) -> str:
    # A row-value IN, not a correlated EXISTS: SQLite then seeks the one mark by
    # its primary key instead of scanning every mark at each leg written.
    return (
        "DELETE FROM stats_hour WHERE (hotline_key, hour) IN (SELECT coalesce(c.hotline_id, 0),"
        f" {SQLITE_HOUR.format('c.started_at')} FROM call c WHERE c.id = {row}.call_id);"
    )


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column('hotline_key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hour', hotline.db.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('stats_hour',
    *_key_columns(),
    sa.PrimaryKeyConstraint('hotline_key', 'hour', name=op.f('pk_stats_hour'))
    )
    op.create_table('stats_call_hour',
    *_key_columns(),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hotline_key', 'hour', 'outcome', name=op.f('pk_stats_call_hour'))
    )
    op.create_table('stats_leg_hour',
    *_key_columns(),
    sa.Column('person_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('accepting', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('depth', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('legs', sa.Integer(), nullable=False),
    sa.Column('talk_seconds', sa.BigInteger(), nullable=True),
    sa.Column('to_accept_ms', sa.BigInteger(), nullable=True),
    sa.Column('wait_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint(
        'hotline_key', 'hour', 'person_key', 'result', 'accepting', 'depth',
        name=op.f('pk_stats_leg_hour'),
    )
    )
    op.create_table('stats_answer',
    *_key_columns(),
    sa.Column('call_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('wait_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('hotline_key', 'hour', 'call_id', name=op.f('pk_stats_answer'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_UNMARK)
        for table in ('call', 'call_attempt'):
            op.execute(
                f'CREATE TRIGGER stats_unmark_hour AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
                ' FOR EACH ROW EXECUTE FUNCTION stats_unmark_hour()'
            )
        return
    for table, unmark in (('call', _sqlite_unmark_call), ('call_attempt', _sqlite_unmark_leg)):
        for event, rows in SQLITE_EVENTS.items():
            actions = " ".join(unmark(row) for row in rows)
            op.execute(
                f'CREATE TRIGGER stats_unmark_hour_{table}_{event} AFTER {event.upper()}'
                f' ON "{table}" FOR EACH ROW BEGIN {actions} END'
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('call', 'call_attempt'):
            op.execute(f'DROP TRIGGER stats_unmark_hour ON "{table}"')
        op.execute('DROP FUNCTION stats_unmark_hour()')
    else:
        for table in ('call', 'call_attempt'):
            for event in SQLITE_EVENTS:
                op.execute(f'DROP TRIGGER stats_unmark_hour_{table}_{event}')
    op.drop_table('stats_answer')
    op.drop_table('stats_leg_hour')
    op.drop_table('stats_call_hour')
    op.drop_table('stats_hour')
