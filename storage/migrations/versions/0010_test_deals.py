"""test deals: a deal (with its inquiry and contact) made by a staff member's /preview of the
questionnaire, left out of distribution and reports and deletable

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ADD COLUMN (SQLite takes a NOT NULL column with a constant default): a batch operation would copy
# `contacts` on SQLite, and dropping the old copy fails on the deals that point to it.
TABLES = ('contacts', 'deals', 'inquiries')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('is_test', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('is_test')
