"""report figures: every stay of a deal in a stage (filled from the deals' history), a deal's first reply
and its working-time speeds, and indexes for the reports' windows

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-13
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger(__name__)
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
BATCH = 1000  # deals whose stays are written per statement
ENTERED = ('stage_changed', 'won', 'lost')  # the events that put a deal in a new stage


def upgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('take_work_s', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reply_work_s', sa.Integer(), nullable=True))
        batch_op.create_index('ix_deals_pipeline_created', ['pipeline', 'created_at'], unique=False)
        batch_op.create_index('ix_deals_manager_closed', ['manager_id', 'closed_at'], unique=False)

    op.create_table('stage_visits',
    sa.Column('id', ID, nullable=False),
    sa.Column('deal_id', ID, nullable=False),
    sa.Column('pipeline', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_visits', schema=None) as batch_op:
        batch_op.create_index('ix_stage_visits_deal', ['deal_id', 'entered_at'], unique=False)
        batch_op.create_index('ix_stage_visits_stage', ['pipeline', 'stage', 'entered_at'], unique=False)

    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index('ix_inquiries_channel_started', ['channel', 'started_at'], unique=False)

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE deals SET first_reply_at = (SELECT min(e.at) FROM deal_events e "
        "WHERE e.deal_id = deals.id AND e.kind = 'message_out')"
    ))
    _fill_stays(bind)


def _fill_stays(bind: sa.engine.Connection) -> None:
    """Each deal's stays, read back from its history: its first stage from its creation (the stage it
    left first, or where it still is), then one per stage change, win or loss."""
    deals = sa.table('deals', sa.column('id'), sa.column('pipeline'), sa.column('stage'),
                     sa.column('created_at', sa.DateTime(timezone=True)))
    events = sa.table('deal_events', sa.column('id'), sa.column('deal_id'), sa.column('kind'),
                      sa.column('at', sa.DateTime(timezone=True)), sa.column('data', sa.JSON()))
    stays = sa.table('stage_visits', sa.column('deal_id'), sa.column('pipeline'), sa.column('stage'),
                     sa.column('entered_at', sa.DateTime(timezone=True)),
                     sa.column('left_at', sa.DateTime(timezone=True)), sa.column('seconds'))
    last_id, written = 0, 0
    while True:
        batch = bind.execute(
            sa.select(deals.c.id, deals.c.pipeline, deals.c.stage, deals.c.created_at)
            .where(deals.c.id > last_id).order_by(deals.c.id).limit(BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        moves: dict[int, list[tuple[datetime, dict[str, Any], str]]] = {}
        for row in bind.execute(
            sa.select(events.c.deal_id, events.c.at, events.c.data, events.c.kind)
            .where(events.c.deal_id.in_([d.id for d in batch]), events.c.kind.in_(ENTERED))
            .order_by(events.c.deal_id, events.c.id)
        ):
            moves.setdefault(row.deal_id, []).append((row.at, dict(row.data or {}), row.kind))
        rows: list[dict[str, Any]] = []
        for deal in batch:
            rows += _stays_of(deal, moves.get(deal.id, []))
        if rows:
            bind.execute(stays.insert(), rows)
            written += len(rows)
    if written:
        logger.info("stage_visits: %s stays read back from the deals' history", written)


def _stays_of(deal: Any, moves: list[tuple[datetime, dict[str, Any], str]]) -> list[dict[str, Any]]:
    first = str(moves[0][1].get('from') or deal.stage) if moves else deal.stage
    entries = [(deal.created_at, first)]
    for at, data, kind in moves:
        # A win or a loss puts the deal in its pipeline's closing stage, where it is now.
        entries.append((at, str(data.get('to') or deal.stage) if kind == 'stage_changed' else deal.stage))
    stays = []
    for n, (at, stage) in enumerate(entries):
        left = entries[n + 1][0] if n + 1 < len(entries) else None
        seconds = None if left is None else max(int((left - at).total_seconds()), 0)
        stays.append({'deal_id': deal.id, 'pipeline': deal.pipeline, 'stage': stage, 'entered_at': at,
                      'left_at': left, 'seconds': seconds})
    return stays


def downgrade() -> None:
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiries_channel_started')
    with op.batch_alter_table('stage_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_visits_stage')
        batch_op.drop_index('ix_stage_visits_deal')
    op.drop_table('stage_visits')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_manager_closed')
        batch_op.drop_index('ix_deals_pipeline_created')
        batch_op.drop_column('reply_work_s')
        batch_op.drop_column('take_work_s')
        batch_op.drop_column('first_reply_at')
