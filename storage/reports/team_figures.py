"""The loss-reason and managers reports' aggregates, and the speed figures written for them.

Every figure is counted by the database: GROUP BY for counts, `row_number()` windows for a manager's last
closed deals and for nearest-rank percentiles. What comes back is a row per group (a manager, a reason, a
pipeline), or the few deals a flag names; never every deal of a period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import DealStatus, EventKind
from domain.reports.scope import ReportScope
from domain.reports.team_rows import (
    ClientLosses,
    LossCount,
    LossRun,
    ManagerCounts,
    SpeedFill,
    SpeedGap,
    Speeds,
)
from storage.reports.nearest_rank import at_rank, rank_and_count
from storage.tables import REAL_DEAL, BreachRow, DealEventRow, DealRow
from storage.types import UtcDateTime

LOST = DealRow.status == DealStatus.LOST.value
WON = DealRow.status == DealStatus.WON.value
# A loss written without a reason's key counts as "other", as the digest counts it (storage/deal_tallies.py).
REASON = func.coalesce(func.nullif(DealRow.loss_reason, ""), "other")
OTHER = "other"
MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)  # nearest ranks, as `domain.reports.nearest_rank` defines them


def _filters(scope: ReportScope, *, manager: Any = DealRow.manager_id) -> list[Any]:
    """Target deals passing the scope's filters, never a test deal (/preview); `manager` is the column the
    manager filter applies to."""
    where: list[Any] = [DealRow.target, REAL_DEAL]
    if scope.pipeline is not None:
        where.append(DealRow.pipeline == scope.pipeline)
    if scope.manager_id is not None:
        where.append(manager == scope.manager_id)
    if scope.channel is not None:
        where.append(DealRow.channel == scope.channel)
    if scope.source is not None:
        where.append(DealRow.source == scope.source)
    return where


def _closed_in(scope: ReportScope) -> list[Any]:
    return [DealRow.closed_at >= scope.period.since, DealRow.closed_at < scope.period.until]


def _first_actor(kind: EventKind) -> Any:
    """Who did `kind` first to the deal (the first take, the first message to the client)."""
    return (
        select(DealEventRow.actor_id)
        .where(DealEventRow.deal_id == DealRow.id, DealEventRow.kind == kind.value)
        .order_by(DealEventRow.id)
        .limit(1)
        .scalar_subquery()
    )


class SqlTeamFigures:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # The speeds, written at the source ------------------------------------------------------------------

    async def record_take(self, deal_id: int, *, work_s: int) -> None:
        await self._session.execute(
            update(DealRow)
            .where(DealRow.id == deal_id, DealRow.take_work_s.is_(None))
            .values(take_work_s=work_s)
            .execution_options(synchronize_session=False)
        )

    async def record_first_reply(self, deal_id: int, *, at: datetime, work_s: int | None) -> bool:
        result = await self._session.execute(
            update(DealRow)
            .where(DealRow.id == deal_id, DealRow.first_reply_at.is_(None))
            .values(first_reply_at=at, reply_work_s=work_s)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def speed_gaps(self, *, after: int, limit: int) -> list[SpeedGap]:
        first_take = type_coerce(
            select(func.min(DealEventRow.at))
            .where(DealEventRow.deal_id == DealRow.id, DealEventRow.kind == EventKind.TAKEN.value)
            .scalar_subquery(),
            UtcDateTime(),
        )
        need_take = and_(DealRow.taken_at.is_not(None), DealRow.take_work_s.is_(None))
        need_reply = and_(DealRow.first_reply_at.is_not(None), DealRow.reply_work_s.is_(None))
        rows = await self._session.execute(
            select(
                DealRow.id,
                DealRow.created_at,
                DealRow.taken_at,
                first_take.label("first_take"),
                DealRow.first_reply_at,
                DealRow.take_work_s,
                DealRow.reply_work_s,
            )
            .where(DealRow.id > after, or_(need_take, need_reply))
            .order_by(DealRow.id)
            .limit(limit)
        )
        return [
            SpeedGap(
                deal_id=int(row.id),
                created_at=row.created_at,
                # The first take, from the history: a handover moves `taken_at` to the moment of the handover.
                taken_at=(row.first_take or row.taken_at) if row.take_work_s is None else None,
                first_reply_at=row.first_reply_at if row.reply_work_s is None else None,
            )
            for row in rows
        ]

    async def fill_speeds(self, fills: Sequence[SpeedFill]) -> None:
        if not fills:
            return
        deals = cast(Table, DealRow.__table__)
        statement = (
            update(deals)
            .where(deals.c.id == bindparam("deal"))
            .values(
                take_work_s=func.coalesce(deals.c.take_work_s, bindparam("take")),
                reply_work_s=func.coalesce(deals.c.reply_work_s, bindparam("reply")),
            )
        )
        await self._session.execute(
            statement,
            [{"deal": f.deal_id, "take": f.take_work_s, "reply": f.reply_work_s} for f in fills],
        )

    # Loss reasons --------------------------------------------------------------------------------------

    async def loss_counts(self, scope: ReportScope) -> list[LossCount]:
        reason = REASON.label("reason")
        rows = await self._session.execute(
            select(DealRow.pipeline, DealRow.manager_id, reason, func.count())
            .where(LOST, *_closed_in(scope), *_filters(scope))
            .group_by(DealRow.pipeline, DealRow.manager_id, reason)
        )
        return [
            LossCount(str(pipeline), None if manager is None else int(manager), str(key), int(count))
            for pipeline, manager, key, count in rows
        ]

    async def other_texts(self, scope: ReportScope, *, limit: int) -> list[tuple[int, str]]:
        rows = await self._session.execute(
            select(DealRow.id, DealRow.loss_note)
            .where(LOST, *_closed_in(scope), *_filters(scope), REASON == OTHER)
            .order_by(DealRow.closed_at.desc(), DealRow.id.desc())
            .limit(limit)
        )
        return [(int(deal_id), note or "") for deal_id, note in rows]

    async def loss_runs(self, scope: ReportScope, *, run: int) -> list[LossRun]:
        """A manager's last `run` deals closed (won or lost) before the period's end, by `row_number()`
        over their closing times: flagged when all were lost and to one reason (a win breaks a run)."""
        ranked = (
            select(
                DealRow.id,
                DealRow.manager_id,
                DealRow.status,
                DealRow.closed_at,
                REASON.label("reason"),
                func.row_number()
                .over(partition_by=DealRow.manager_id, order_by=(DealRow.closed_at.desc(), DealRow.id.desc()))
                .label("n"),
            )
            .where(
                DealRow.status.in_((DealStatus.WON.value, DealStatus.LOST.value)),
                DealRow.closed_at < scope.period.until,
                DealRow.manager_id.is_not(None),
                *_filters(scope),
            )
            .subquery()
        )
        last = select(ranked).where(ranked.c.n <= run).subquery()
        lost = func.sum(case((last.c.status == DealStatus.LOST.value, 1), else_=0))
        flagged = (
            select(last.c.manager_id)
            .group_by(last.c.manager_id)
            .having(func.count() == run, lost == run, func.min(last.c.reason) == func.max(last.c.reason))
        )
        rows = await self._session.execute(
            select(last.c.manager_id, last.c.id, last.c.reason, last.c.closed_at)
            .where(last.c.manager_id.in_(flagged))
            .order_by(last.c.manager_id, last.c.n)
        )
        runs: dict[int, list[Any]] = {}
        for row in rows:
            runs.setdefault(int(row.manager_id), []).append(row)
        return [
            LossRun(manager, str(deals[0].reason), tuple(int(d.id) for d in deals), deals[0].closed_at)
            for manager, deals in runs.items()
        ]

    async def client_losses(self, scope: ReportScope) -> list[ClientLosses]:
        """One pass over the losses of the clients lost in the period: how many times each client was lost
        to each reason, and when last, by window functions (no join back to the deals)."""
        lost = [LOST, DealRow.closed_at < scope.period.until, *_filters(scope)]
        in_period = select(DealRow.contact_id).where(LOST, *_closed_in(scope), *_filters(scope))
        reason = REASON.label("reason")
        group = (DealRow.contact_id, REASON)
        losses = (
            select(
                DealRow.contact_id,
                reason,
                DealRow.id,
                DealRow.closed_at,
                func.count().over(partition_by=group).label("times"),
                func.max(DealRow.closed_at).over(partition_by=group).label("last_at"),
            )
            .where(*lost, DealRow.contact_id.in_(in_period))
            .subquery()
        )
        rows = await self._session.execute(
            select(losses.c.contact_id, losses.c.reason, losses.c.id, losses.c.closed_at)
            .where(losses.c.times >= 2, losses.c.last_at >= scope.period.since)
            .order_by(losses.c.contact_id, losses.c.reason, losses.c.closed_at.desc(), losses.c.id.desc())
        )
        found: dict[tuple[int, str], list[Any]] = {}
        for row in rows:
            found.setdefault((int(row.contact_id), str(row.reason)), []).append(row)
        return [
            ClientLosses(contact, reason, tuple(int(d.id) for d in deals), deals[0].closed_at)
            for (contact, reason), deals in found.items()
        ]

    # Managers ------------------------------------------------------------------------------------------

    async def manager_counts(self, scope: ReportScope, *, contact_by: datetime) -> list[ManagerCounts]:
        since, until = scope.period.since, scope.period.until
        counts: dict[int, dict[str, int]] = {}

        def add(manager: int | None, **values: int) -> None:
            if manager is not None:
                counts.setdefault(int(manager), {}).update(values)

        for manager, received in await self._session.execute(
            select(DealRow.manager_id, func.count())
            .where(DealRow.assigned_at >= since, DealRow.assigned_at < until, *_filters(scope))
            .group_by(DealRow.manager_id)
        ):
            add(manager, received=int(received))
        breach_filters = _filters(scope, manager=BreachRow.manager_id)[1:]  # a breach counts, target or not
        for manager, breaches in await self._session.execute(
            select(BreachRow.manager_id, func.count())
            .join(DealRow, DealRow.id == BreachRow.deal_id)
            .where(BreachRow.detected_at >= since, BreachRow.detected_at < until, *breach_filters)
            .group_by(BreachRow.manager_id)
        ):
            add(manager, breaches=int(breaches))
        won, lost = (func.sum(case((status, 1), else_=0)) for status in (WON, LOST))
        amount = func.sum(case((WON, func.coalesce(DealRow.amount, 0)), else_=0))
        for manager, won_n, lost_n, amount_won in await self._session.execute(
            select(DealRow.manager_id, won, lost, amount)
            .where(DealRow.status.in_((DealStatus.WON.value, DealStatus.LOST.value)), *_closed_in(scope))
            .where(*_filters(scope))
            .group_by(DealRow.manager_id)
        ):
            add(manager, won=int(won_n or 0), lost=int(lost_n or 0), amount_won=int(amount_won or 0))
        overdue = func.sum(case((DealRow.next_contact_at <= contact_by, 1), else_=0))
        now_filters = [DealRow.status == DealStatus.OPEN.value, DealRow.manager_id.is_not(None), REAL_DEAL]
        if scope.manager_id is not None:
            now_filters.append(DealRow.manager_id == scope.manager_id)
        for manager, open_n, overdue_n in await self._session.execute(
            select(DealRow.manager_id, func.count(), overdue).where(*now_filters).group_by(DealRow.manager_id)
        ):
            add(manager, open_deals=int(open_n), overdue=int(overdue_n or 0))
        return [ManagerCounts(manager, **values) for manager, values in sorted(counts.items())]

    async def speeds(self, scope: ReportScope) -> list[Speeds]:
        created = [DealRow.created_at >= scope.period.since, DealRow.created_at < scope.period.until]
        figures: dict[int, dict[str, int | None]] = {}
        # Counted for whoever took (answered) the lead first, not whom it was handed to later. Only a deal
        # that may have changed hands since has its history read: a handover sets `assigned_at` (and a taken
        # deal's `taken_at`) to its moment, so a deal taken as it was assigned (from the queue, or handed
        # over after its take) and one assigned after its first reply; every other deal is its owner's.
        maybe_other = {
            "take": DealRow.taken_at == DealRow.assigned_at,
            "reply": DealRow.assigned_at > DealRow.first_reply_at,
        }
        for name, column, kind in (
            ("take", DealRow.take_work_s, EventKind.TAKEN),
            ("reply", DealRow.reply_work_s, EventKind.MESSAGE_OUT),
        ):
            first = func.coalesce(_first_actor(kind), DealRow.manager_id)
            who = case((maybe_other[name], first), else_=DealRow.manager_id)
            base = (
                select(who.label("who"), column.label("value"))
                .where(*created, column.is_not(None), *_filters(scope, manager=who))
                .subquery()
            )
            rank, count = rank_and_count(base.c.value, base.c.who)
            ranked = select(base.c.who, base.c.value, rank.label("rn"), count.label("n")).subquery()
            rows = await self._session.execute(
                select(
                    ranked.c.who,
                    at_rank(ranked.c.value, ranked.c.rn, ranked.c.n, MEDIAN),
                    at_rank(ranked.c.value, ranked.c.rn, ranked.c.n, P90),
                )
                .where(ranked.c.who.is_not(None))
                .group_by(ranked.c.who)
            )
            for manager, median, p90 in rows:
                entry = figures.setdefault(int(manager), {})
                entry[f"{name}_median_s"], entry[f"{name}_p90_s"] = int(median), int(p90)
        return [Speeds(manager, **values) for manager, values in sorted(figures.items())]
