"""The funnel report (README.md, "Reports → Funnel"): per pipeline, how many of the period's target deals
reached each open stage, counted "with conversion" as Bitrix24 counts it (a deal counts in every stage
up to the furthest it reached; a won deal in all of them), the conversion step to step and overall, the
biggest drop, and the time spent in each stage; before the first stage, the questionnaire's funnel.

The database counts (`FunnelFigures`); the arithmetic here works on its small aggregate rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.crm_config import CrmConfig, Pipeline
from domain.models import DealStatus
from domain.ports import UnitOfWork
from domain.reports.figures import Funnel, FunnelReport, QuestionnaireFunnel, StageStep
from domain.reports.funnel_rows import QuestionnaireCounts, ReachCount, StayTimes
from domain.reports.scope import ReportScope


def stage_orders(pipelines: Iterable[Pipeline]) -> dict[tuple[str, str], int]:
    """Each open stage's place in its pipeline, from 1, in the config's order."""
    return {
        (pipeline.key, stage.key): n
        for pipeline in pipelines
        for n, stage in enumerate(pipeline.open_stages, start=1)
    }


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def reach_of(row: ReachCount, stages: int) -> int:
    """How many open stages a deal counts in: all of them once won; else up to the furthest it stayed in
    or stands in now (a deal that went back counts by the furthest), and at least the first."""
    if row.status == DealStatus.WON.value:
        return stages
    return min(max(row.furthest, row.current, 1), stages)


def funnel_of(pipeline: Pipeline, reach: Iterable[ReachCount], stays: Iterable[StayTimes]) -> Funnel:
    """One pipeline's funnel from its rows (rows of other pipelines are left out)."""
    rows = [r for r in reach if r.pipeline == pipeline.key]
    open_stages = pipeline.open_stages
    reached = [0] * len(open_stages)
    for row in rows:
        for n in range(reach_of(row, len(open_stages))):
            reached[n] += row.deals
    deals = sum(r.deals for r in rows)
    won = sum(r.deals for r in rows if r.status == DealStatus.WON.value)
    lost = sum(r.deals for r in rows if r.status == DealStatus.LOST.value)
    times = {s.stage: s for s in stays if s.pipeline == pipeline.key and s.stays}
    steps = tuple(
        StageStep(
            stage.key,
            reached[n],
            conversion=None if n == 0 else share(reached[n], reached[n - 1]),
            average_s=round(times[stage.key].total_s / times[stage.key].stays)
            if stage.key in times
            else None,
            median_s=times[stage.key].median_s if stage.key in times else None,
        )
        for n, stage in enumerate(open_stages)
    )
    return Funnel(
        pipeline=pipeline.key,
        deals=deals,
        steps=steps,
        won=won,
        lost=lost,
        open=deals - won - lost,
        overall=share(won, deals),
        worst_step=worst_step(steps, won),
    )


def worst_step(steps: Sequence[StageStep], won: int) -> str | None:
    """The stage after which the most deals went no further (the last stage's drop is to the won ones);
    the earliest of equal drops; None when nobody dropped."""
    drops = [
        (step.reached - (steps[n + 1].reached if n + 1 < len(steps) else won), step.stage)
        for n, step in enumerate(steps)
    ]
    worst = max(drops, key=lambda drop: drop[0], default=None)
    return worst[1] if worst is not None and worst[0] > 0 else None


def questionnaire_of(counts: QuestionnaireCounts) -> QuestionnaireFunnel:
    return QuestionnaireFunnel(counts.started, counts.answered, counts.finished, counts.target)


def pipelines_of(config: CrmConfig, scope: ReportScope, reach: Iterable[ReachCount]) -> list[Pipeline]:
    """The scope's pipeline (with or without deals), else each configured pipeline that has deals."""
    if scope.pipeline is not None:
        return [p for p in config.pipelines if p.key == scope.pipeline]
    present = {r.pipeline for r in reach if r.deals}
    return [p for p in config.pipelines if p.key in present]


async def funnel_report(uow: UnitOfWork, config: CrmConfig, scope: ReportScope) -> FunnelReport:
    """The funnel of each pipeline over the scope's period and filters, and the questionnaire's. Reads
    only."""
    candidates = [p for p in config.pipelines if scope.pipeline in (None, p.key)]
    reach = await uow.funnel_figures.reach(scope, stage_orders(candidates))
    stays = await uow.funnel_figures.stays(scope)
    questionnaire = await uow.funnel_figures.questionnaire(scope, questions=len(config.intake.questions))
    await uow.rollback()
    funnels = tuple(funnel_of(p, reach, stays) for p in pipelines_of(config, scope, reach))
    return FunnelReport(funnels, questionnaire_of(questionnaire))
