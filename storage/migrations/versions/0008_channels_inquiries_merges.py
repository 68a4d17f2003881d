"""channels, inquiries and merges: a deal's channel, every questionnaire begun and web form received (with
the form's own id), a contact's email and the contact it was merged into

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        # Every deal so far came through Telegram.
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='telegram', nullable=False))

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('merged_into', ID, nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_email'), ['email'], unique=False)
        batch_op.create_foreign_key('fk_contacts_merged_into', 'contacts', ['merged_into'], ['id'])

    op.create_table('inquiries',
    sa.Column('id', ID, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('wrote_first', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deal_id', ID, nullable=True),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_inquiries_channel_external_id')
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index('ix_inquiries_person', ['telegram_id', 'id'], unique=False)
        batch_op.create_index('ix_inquiries_started', ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_deal_id'), ['deal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_deal_id'))
        batch_op.drop_index('ix_inquiries_started')
        batch_op.drop_index('ix_inquiries_person')
    op.drop_table('inquiries')

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_contacts_merged_into', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contacts_email'))
        batch_op.drop_column('merged_into')
        batch_op.drop_column('email')

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_column('channel')
