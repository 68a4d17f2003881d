"""The funnel and channels reports' aggregates (README.md, "Reports → Funnel", "Channels and sources"):
every figure is a GROUP BY over the period's deals, stays and inquiries, read by their indexes."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Channel, DealStatus, EventKind, InquiryState
from domain.reports.funnel_rows import InquiryCount, LeadCount, QuestionnaireCounts, ReachCount, StayTimes
from domain.reports.scope import ReportScope
from storage.reports.nearest_rank import at_rank, rank_and_count
from storage.tables import REAL_DEAL, REAL_INQUIRY, DealEventRow, DealRow, InquiryRow, StageVisitRow

FINISHED = InquiryState.FINISHED.value


def period_deals(scope: ReportScope) -> list[ColumnElement[bool]]:
    """The period's deals: created in it, with the scope's filters; never a test deal (/preview)."""
    conditions = [
        DealRow.created_at >= scope.period.since,
        DealRow.created_at < scope.period.until,
        REAL_DEAL,
    ]
    if scope.pipeline is not None:
        conditions.append(DealRow.pipeline == scope.pipeline)
    if scope.manager_id is not None:
        conditions.append(DealRow.manager_id == scope.manager_id)
    if scope.channel is not None:
        conditions.append(DealRow.channel == scope.channel)
    if scope.source is not None:
        conditions.append(DealRow.source == scope.source)
    return conditions


def period_inquiries(scope: ReportScope) -> list[ColumnElement[bool]]:
    """The period's inquiries (joined to their deals): begun in it, from the scope's channel and source;
    with a pipeline or manager filter, only those that became such a deal. Never a /preview's."""
    conditions = [
        InquiryRow.started_at >= scope.period.since,
        InquiryRow.started_at < scope.period.until,
        REAL_INQUIRY,
    ]
    if scope.channel is not None:
        conditions.append(InquiryRow.channel == scope.channel)
    if scope.source is not None:
        conditions.append(InquiryRow.source == scope.source)
    if scope.pipeline is not None:
        conditions.append(DealRow.pipeline == scope.pipeline)
    if scope.manager_id is not None:
        conditions.append(DealRow.manager_id == scope.manager_id)
    return conditions


def _follow_up() -> ColumnElement[bool]:
    """The deal was opened for the client of an earlier one (rewarming, a sleeping client's planned
    contact): its CREATED event names `from_deal`. Not a lead (README.md, "Channels and sources")."""
    return exists().where(
        DealEventRow.deal_id == DealRow.id,
        DealEventRow.kind == EventKind.CREATED.value,
        DealEventRow.data["from_deal"].as_integer().is_not(None),
    )


def _order(pipeline: Any, stage: Any, orders: Mapping[tuple[str, str], int]) -> ColumnElement[int]:
    """An open stage's place in its pipeline (0 for any other stage), as a CASE over the config's keys."""
    if not orders:
        return literal(0)
    whens = [(and_(pipeline == p, stage == s), order) for (p, s), order in orders.items()]
    return case(*whens, else_=0)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class SqlFunnelFigures:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reach(self, scope: ReportScope, orders: Mapping[tuple[str, str], int]) -> list[ReachCount]:
        per_deal = (
            select(
                DealRow.pipeline,
                DealRow.status,
                func.coalesce(func.max(_order(StageVisitRow.pipeline, StageVisitRow.stage, orders)), 0).label(
                    "furthest"
                ),
                _order(DealRow.pipeline, DealRow.stage, orders).label("current"),
            )
            .select_from(DealRow)
            .outerjoin(StageVisitRow, StageVisitRow.deal_id == DealRow.id)
            .where(*period_deals(scope), DealRow.target.is_(True))
            .group_by(DealRow.id, DealRow.pipeline, DealRow.status, DealRow.stage)
            .subquery()
        )
        rows = await self._session.execute(
            select(
                per_deal.c.pipeline, per_deal.c.status, per_deal.c.furthest, per_deal.c.current, func.count()
            ).group_by(per_deal.c.pipeline, per_deal.c.status, per_deal.c.furthest, per_deal.c.current)
        )
        return [
            ReachCount(p, status, int(furthest), int(current), n) for p, status, furthest, current, n in rows
        ]

    async def stays(self, scope: ReportScope) -> list[StayTimes]:
        seconds = StageVisitRow.seconds  # written when the stay ended
        rank, count = rank_and_count(seconds, StageVisitRow.pipeline, StageVisitRow.stage)
        ended = (
            select(
                StageVisitRow.pipeline,
                StageVisitRow.stage,
                seconds.label("seconds"),
                rank.label("rank"),
                count.label("n"),
            )
            .join(DealRow, DealRow.id == StageVisitRow.deal_id)
            .where(*period_deals(scope), DealRow.target.is_(True), StageVisitRow.seconds.is_not(None))
            .subquery()
        )
        rows = await self._session.execute(
            select(
                ended.c.pipeline,
                ended.c.stage,
                func.count(),
                func.sum(ended.c.seconds),
                at_rank(ended.c.seconds, ended.c.rank, ended.c.n, Fraction(1, 2)),
            ).group_by(ended.c.pipeline, ended.c.stage)
        )
        return [StayTimes(p, stage, n, int(total), int(median)) for p, stage, n, total, median in rows]

    async def questionnaire(self, scope: ReportScope, *, questions: int) -> QuestionnaireCounts:
        finished = InquiryRow.state == FINISHED
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    *(_count_if(InquiryRow.step >= k) for k in range(1, questions + 1)),
                    _count_if(finished),
                    _count_if(and_(finished, DealRow.target.is_(True))),
                )
                .select_from(InquiryRow)
                .outerjoin(DealRow, DealRow.id == InquiryRow.deal_id)
                .where(InquiryRow.channel == Channel.TELEGRAM.value, *period_inquiries(scope))
            )
        ).one()
        counts = [int(n) for n in row]
        return QuestionnaireCounts(counts[0], tuple(counts[1:-2]), counts[-2], counts[-1])

    async def inquiries(self, scope: ReportScope) -> list[InquiryCount]:
        rows = await self._session.execute(
            select(
                InquiryRow.channel, InquiryRow.source, func.count(), _count_if(InquiryRow.state == FINISHED)
            )
            .select_from(InquiryRow)
            .outerjoin(DealRow, DealRow.id == InquiryRow.deal_id)
            .where(*period_inquiries(scope))
            .group_by(InquiryRow.channel, InquiryRow.source)
        )
        return [InquiryCount(channel, source, n, int(done)) for channel, source, n, done in rows]

    async def leads(self, scope: ReportScope) -> list[LeadCount]:
        won = DealRow.status == DealStatus.WON.value
        rows = await self._session.execute(
            select(
                DealRow.channel,
                DealRow.source,
                func.count(),
                _count_if(DealRow.target.is_(False)),
                _count_if(won),
                func.coalesce(func.sum(case((won, func.coalesce(DealRow.amount, 0)), else_=0)), 0),
            )
            .where(*period_deals(scope), ~_follow_up())
            .group_by(DealRow.channel, DealRow.source)
        )
        return [
            LeadCount(channel, source, n, int(non_target), int(won_n), int(amount))
            for channel, source, n, non_target, won_n, amount in rows
        ]
