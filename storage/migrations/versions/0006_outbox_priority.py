"""outbox priority: relayed client messages wait behind other notices; each notice knows its deal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The one rule the app writes with every notice (see domain/outbox_turns.py).
from domain.outbox_turns import deal_of, priority_of


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000  # unsettled notices filled per statement


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('deal_id', sa.BigInteger(), nullable=True))
        batch_op.drop_index('ix_outbox_chat_state')
        batch_op.create_index('ix_outbox_chat_turn', ['chat_id', 'state', 'priority', 'id'], unique=False)
        batch_op.create_index('ix_outbox_deal', ['deal_id', 'id'], unique=False)
    _fill_unsettled(op.get_bind())


def _fill_unsettled(bind: sa.Connection) -> None:
    """Notices still to be sent get their turn and deal as the code would write them; those settled
    keep priority 0 and no deal (nothing reads them for that)."""
    outbox = sa.table('outbox', sa.column('id'), sa.column('kind'), sa.column('data', sa.JSON),
                      sa.column('state'), sa.column('priority'), sa.column('deal_id'))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(outbox.c.id, outbox.c.kind, outbox.c.data)
            .where(outbox.c.id > last, outbox.c.state.in_(('pending', 'sending')))
            .order_by(outbox.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            outbox.update().where(outbox.c.id == sa.bindparam('row_id'))
            .values(priority=sa.bindparam('turn'), deal_id=sa.bindparam('deal')),
            [{'row_id': row.id, 'turn': priority_of(row.kind), 'deal': deal_of(row.data or {})} for row in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_deal')
        batch_op.drop_index('ix_outbox_chat_turn')
        batch_op.create_index('ix_outbox_chat_state', ['chat_id', 'state', 'id'], unique=False)
        batch_op.drop_column('deal_id')
        batch_op.drop_column('priority')
