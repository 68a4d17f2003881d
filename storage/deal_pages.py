"""The deal lists' reads (`domain.list_pages`): counts per stage, and a page of one segment by keyset.

Each segment is one range of an index (storage/tables.py): everybody's by `ix_deals_funnel` or
`ix_deals_open_next_contact`, one manager's by `ix_deals_manager_funnel`, the queue by `ix_deals_queue`;
a page is the next `limit` entries of that range after (or before) a position, so it costs the same on
the first page and the hundredth. The position compares as a row value (moment, id): equal moments are
ordered by id, so no deal is shown twice or skipped at a page break.

A test deal (a staff member's /preview) is listed only to its maker (their own list, or everybody's when
they see everybody's), never to anybody else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.list_pages import Position, Segment, SegmentKind, StageCount
from domain.models import DealStatus
from storage.tables import REAL_DEAL, DealRow

OPEN = DealStatus.OPEN.value


async def stage_counts(
    session: AsyncSession, *, manager_id: int | None, now: datetime, viewer: int | None = None
) -> list[StageCount]:
    nc = DealRow.next_contact_at
    overdue = func.sum(case((nc < now, 1), else_=0))
    query = (
        select(DealRow.pipeline, DealRow.stage, overdue, func.count(nc), func.count())
        .where(DealRow.status == OPEN, *_manager(manager_id), *_seen_by(manager_id, viewer))
        .group_by(DealRow.pipeline, DealRow.stage)
    )
    return [
        StageCount(pipeline, stage, int(late or 0), int(timed) - int(late or 0), int(every) - int(timed))
        for pipeline, stage, late, timed, every in await session.execute(query)
    ]


async def segment_deals(
    session: AsyncSession, segment: Segment, *, manager_id: int | None, now: datetime | None,
    start: Position | None, forward: bool, limit: int, viewer: int | None = None,
) -> list[DealRow]:  # fmt: skip
    query = segment_query(
        segment, manager_id=manager_id, now=now, start=start, forward=forward, limit=limit, viewer=viewer
    )
    rows = list(await session.scalars(query, execution_options={"populate_existing": True}))
    return rows if forward else rows[::-1]


def segment_query(
    segment: Segment, *, manager_id: int | None, now: datetime | None, start: Position | None, forward: bool,
    limit: int, viewer: int | None = None,
) -> Select[DealRow]:  # fmt: skip
    """The statement of one page of a segment (tests/integration/test_query_plans.py reads its plan)."""
    query = select(DealRow).where(
        *_members(segment, manager_id=manager_id, now=now), *_seen_by(manager_id, viewer, segment)
    )
    if start is not None:
        query = query.where(_beyond(segment, start, forward=forward))
    order = _order(segment)
    return query.order_by(*(order if forward else [column.desc() for column in order])).limit(limit)


async def count_before(
    session: AsyncSession, segment: Segment, position: Position, *, manager_id: int | None,
    now: datetime | None, viewer: int | None = None,
) -> int:  # fmt: skip
    query: Select[int] = (
        select(func.count())
        .select_from(DealRow)
        .where(
            *_members(segment, manager_id=manager_id, now=now),
            *_seen_by(manager_id, viewer, segment),
            _beyond(segment, position, forward=False),
        )
    )
    return int(await session.scalar(query) or 0)


def _seen_by(
    manager_id: int | None, viewer: int | None, segment: Segment | None = None
) -> list[ColumnElement[bool]]:
    """One manager's own list holds their test deals too (a test deal's manager is who made it);
    everybody's list holds only the `viewer`'s own (README.md, "Seeing the client's side"); the queue
    holds none. A deleted test deal, kept with no manager (`storage.tables.LIVE_DEAL`), is in none."""
    if manager_id is not None:
        return []
    if viewer is None or (segment is not None and segment.kind is SegmentKind.UNSORTED):
        return [REAL_DEAL]
    return [or_(REAL_DEAL, DealRow.manager_id == viewer)]


def _manager(manager_id: int | None) -> list[ColumnElement[bool]]:
    return [] if manager_id is None else [DealRow.manager_id == manager_id]


def _members(segment: Segment, *, manager_id: int | None, now: datetime | None) -> list[ColumnElement[bool]]:
    """Which open deals make up the segment."""
    nc = DealRow.next_contact_at
    where = [DealRow.status == OPEN]
    if segment.kind is SegmentKind.UNSORTED:
        return [DealRow.manager_id.is_(None), *where]
    where += _manager(manager_id)
    if segment.kind is SegmentKind.OVERDUE:
        assert now is not None, "overdue means before now"
        return [*where, nc < now]
    where += [DealRow.pipeline == segment.pipeline, DealRow.stage == segment.stage]
    if segment.kind is SegmentKind.PLANNED:
        assert now is not None, "planned means now or later"
        return [*where, nc >= now]
    return [*where, nc.is_(None)]


def _order(segment: Segment) -> list[Any]:
    """By moment, then id, spelled with the columns of the index that serves the segment even where they
    are all alike (no manager, no next contact): PostgreSQL does not take `IS NULL` as fixing a column's
    order, so it reads the index in order only when asked for every column of it."""
    if segment.kind is SegmentKind.UNSORTED:
        return [DealRow.manager_id, DealRow.status, DealRow.created_at, DealRow.id]
    return [DealRow.next_contact_at, DealRow.id]


def _moment(segment: Segment) -> Any:
    return DealRow.created_at if segment.kind is SegmentKind.UNSORTED else DealRow.next_contact_at


def _beyond(segment: Segment, position: Position, *, forward: bool) -> ColumnElement[bool]:
    """The deals after `position` in the segment's order (`forward`), or before it.

    Spelled as `moment >= x AND (moment > x OR id > n)` rather than a row value: both planners read the
    first half as a range of the index, and SQLite then checks the rest on the index entries alone.
    """
    if not segment.timed:
        return DealRow.id > position.deal_id if forward else DealRow.id < position.deal_id
    column, at = _moment(segment), position.at
    if forward:
        return and_(column >= at, or_(column > at, DealRow.id > position.deal_id))
    return and_(column <= at, or_(column < at, DealRow.id < position.deal_id))
