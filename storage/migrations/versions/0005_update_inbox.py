"""an inbox for updates: each stored before Telegram is told it arrived, done with its effects

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_state_id', ['state', 'update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_handled_at'), ['handled_at'], unique=False)
    # The ids handled so far stay handled: a redelivery of one of them is still skipped.
    op.execute(
        "INSERT INTO inbox (update_id, kind, state, attempts, received_at, handled_at) "
        "SELECT update_id, 'unknown', 'done', 0, at, at FROM processed_updates"
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_at'))
    op.drop_table('processed_updates')


def downgrade() -> None:
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_at'), ['at'], unique=False)
    op.execute(
        "INSERT INTO processed_updates (update_id, at) SELECT update_id, handled_at FROM inbox "
        "WHERE state = 'done'"
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_handled_at'))
        batch_op.drop_index('ix_inbox_state_id')
    op.drop_table('inbox')
