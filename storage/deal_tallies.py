"""The digest's counts over deals, by SQL aggregates; the worst cases by ORDER BY ... LIMIT.

Test deals (a staff member's /preview) are counted nowhere. Nothing here loads more rows than the
cases it names: at 100,000 deals the digest reads counts and a handful of ids, never every open deal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import DealStatus
from domain.tallies import ClosedTally, Tally
from storage.elapsed import whole_seconds
from storage.tables import REAL_DEAL, DealRow
from storage.types import UtcDateTime


async def created_tally(
    session: AsyncSession, since: datetime, until: datetime, *, now: datetime, limit: int
) -> Tally:
    window = [DealRow.created_at >= since, DealRow.created_at < until, DealRow.target, REAL_DEAL]
    waiting = [DealRow.status == DealStatus.OPEN.value, DealRow.taken_at.is_(None)]
    waited = whole_seconds(moment(now), DealRow.created_at)
    counted = await tally(session, window, worst=(waited, [*window, *waiting]), limit=limit)
    if not counted.count:
        return counted
    channels = await session.execute(
        select(DealRow.channel, func.count()).where(*window).group_by(DealRow.channel)
    )
    split = sorted(((str(channel), int(n)) for channel, n in channels), key=lambda c: (-c[1], c[0]))
    return replace(counted, split=tuple(split))


async def overdue_tally(session: AsyncSession, *, contact_by: datetime, now: datetime, limit: int) -> Tally:
    nc = DealRow.next_contact_at
    overdue = [DealRow.status == DealStatus.OPEN.value, nc.is_not(None), nc <= contact_by, REAL_DEAL]
    return await tally(session, overdue, worst=(whole_seconds(moment(now), nc), overdue), limit=limit)


async def closed_tally(session: AsyncSession, since: datetime, until: datetime, *, limit: int) -> ClosedTally:
    window = [DealRow.closed_at >= since, DealRow.closed_at < until, REAL_DEAL]
    won = [*window, DealRow.status == DealStatus.WON.value]
    lost = [*window, DealRow.status == DealStatus.LOST.value, DealRow.target]
    amount = func.coalesce(DealRow.amount, 0)
    won_amount = await session.scalar(select(func.coalesce(func.sum(DealRow.amount), 0)).where(*won))
    reason = func.coalesce(func.nullif(DealRow.loss_reason, ""), "other")
    reasons = await session.execute(select(reason, func.count()).where(*lost).group_by(reason))
    return ClosedTally(
        won=await tally(session, won, worst=(amount, won), limit=limit),
        won_amount=int(won_amount or 0),
        lost=await tally(
            session,
            lost,
            worst=(amount, [*lost, DealRow.amount.is_not(None), DealRow.amount != 0]),
            limit=limit,
        ),
        lost_reasons=tuple(
            sorted(((str(key), int(count)) for key, count in reasons), key=lambda item: (-item[1], item[0]))
        ),
    )


async def tally(
    session: AsyncSession, counted: list[Any], *, worst: tuple[Any, list[Any]], limit: int,
    id_column: Any = DealRow.id,
) -> Tally:  # fmt: skip
    """How many rows match `counted`, and the `limit` worst of those matching `worst`'s conditions by its
    measure, highest first, then by `id_column` (a deal number): as (deal id, measure)."""
    measure, among = worst
    count_query: Select[int] = select(func.count()).select_from(id_column.table).where(*counted)
    count = await session.scalar(count_query)
    rows = await session.execute(
        select(id_column, measure).where(*among).order_by(measure.desc(), id_column).limit(limit)
    )
    return Tally(int(count or 0), tuple((int(key), int(value)) for key, value in rows))


def moment(at: datetime) -> ColumnElement[datetime]:
    """A moment given to SQL as a value of the same type as the stored ones."""
    return literal(at, UtcDateTime())
