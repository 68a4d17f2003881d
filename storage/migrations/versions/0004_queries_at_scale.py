"""queries at scale: the pending timers by next try, deal list and history indexes, a search key on contacts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

# The one definition of the key the app writes with every contact change; a later change of it needs a
# migration that fills the column again, as this one does.
from domain.search_keys import contact_search_key


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger(__name__)
PENDING = sa.text("state = 'pending'")
BATCH = 1000  # contacts keyed per statement


def upgrade() -> None:
    bind = op.get_bind()

    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE timers SET next_try_at = coalesce(retry_at, due_at)')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.alter_column('next_try_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_index('ix_timers_state_due')
        batch_op.create_index('ix_timers_pending_next_try', ['next_try_at', 'id'], unique=False,
                              sqlite_where=PENDING, postgresql_where=PENDING)

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_manager_status')
        batch_op.create_index('ix_deals_funnel', ['status', 'pipeline', 'stage', 'next_contact_at', 'id'], unique=False)
        batch_op.create_index('ix_deals_manager_funnel', ['manager_id', 'status', 'pipeline', 'stage', 'next_contact_at', 'id'], unique=False)
        batch_op.create_index('ix_deals_open_next_contact', ['status', 'next_contact_at', 'id'], unique=False)
        batch_op.create_index('ix_deals_queue', ['manager_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_deals_created', ['created_at'], unique=False)
        batch_op.create_index('ix_deals_status_closed', ['status', 'closed_at'], unique=False)

    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_events_deal_id'))
        batch_op.create_index('ix_deal_events_deal_id', ['deal_id', 'id'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.Text(), nullable=False, server_default=''))
    _fill_search_names(bind)
    if _trigrams(bind):
        op.create_index('ix_contacts_search_name', 'contacts', ['search_name'], unique=False,
                        postgresql_using='gin', postgresql_ops={'search_name': 'gin_trgm_ops'})
    else:  # SQLite, or PostgreSQL without pg_trgm: the same name and column, so the schema reads the same
        op.create_index('ix_contacts_search_name', 'contacts', ['search_name'], unique=False)


def _fill_search_names(bind: sa.Connection) -> None:
    contacts = sa.table('contacts', sa.column('id'), sa.column('name'), sa.column('username'),
                        sa.column('search_name'))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(contacts.c.id, contacts.c.name, contacts.c.username)
            .where(contacts.c.id > last).order_by(contacts.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            contacts.update().where(contacts.c.id == sa.bindparam('key_id'))
            .values(search_name=sa.bindparam('key')),
            [{'key_id': row.id, 'key': contact_search_key(row.name or '', row.username)} for row in rows],
        )
        last = rows[-1].id


def _trigrams(bind: sa.Connection) -> bool:
    """Whether PostgreSQL's pg_trgm is there or could be created here (it needs the right to create it)."""
    if bind.dialect.name != 'postgresql':
        return False
    try:
        with bind.begin_nested():  # a failed CREATE must not abort the migration's transaction
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except DBAPIError as error:
        logger.warning('pg_trgm cannot be created (%s): /find by name scans the contacts instead', error)
        return False
    return True


def downgrade() -> None:
    # pg_trgm stays: other database objects may use it, and it costs nothing unused.
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_search_name')
        batch_op.drop_column('search_name')

    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_events_deal_id')
        batch_op.create_index(batch_op.f('ix_deal_events_deal_id'), ['deal_id'], unique=False)

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_status_closed')
        batch_op.drop_index('ix_deals_created')
        batch_op.drop_index('ix_deals_queue')
        batch_op.drop_index('ix_deals_open_next_contact')
        batch_op.drop_index('ix_deals_manager_funnel')
        batch_op.drop_index('ix_deals_funnel')
        batch_op.create_index('ix_deals_manager_status', ['manager_id', 'status'], unique=False)

    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_pending_next_try')
        batch_op.create_index('ix_timers_state_due', ['state', 'due_at'], unique=False)
        batch_op.drop_column('next_try_at')
