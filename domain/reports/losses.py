"""Loss reasons (README.md, "Reports → Loss reasons"): why the period's deals were lost, overall, per
pipeline and per manager, with each reason's limit judged, a manager's run of losses to one reason, and
clients lost more than once to the same reason.

Counted: target deals lost in the period (closed in [since, until)), passing the scope's filters; a deal
archived as not a sales inquiry is not a loss. A share is over its limit (`loss_reasons[].max_share`) when
it is above it and the group has at least `reports.min_sample` losses: a share of 2 losses out of 3 says
nothing yet.

A run: a manager's last `reports.repeat_loss_run` closed deals, up to the period's end, all lost to one
reason. Closed deals, won ones included: a win among them breaks the run (the manager did sell), so five
losses to «Too expensive», a win, then four more to it is not a run until a fifth comes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.crm_config import CrmConfig
from domain.ports import UnitOfWork
from domain.reports.figures import LossReport, LossShare, RepeatedLoss
from domain.reports.scope import Period, PeriodKind, ReportScope
from domain.reports.team_rows import ClientLosses, LossCount, LossRun

OTHER_TEXTS = 500  # the newest «other» texts listed; the count of them is in the reason's share
DIGEST_LOSS_WINDOW = timedelta(days=30)  # the digest judges the limits over the last 30 days


async def loss_report(uow: UnitOfWork, config: CrmConfig, scope: ReportScope) -> LossReport:
    """The loss report of the scope, from SQL aggregates. Reads only; ends its read."""
    figures = uow.team_figures
    counts = await figures.loss_counts(scope)
    others = await figures.other_texts(scope, limit=OTHER_TEXTS)
    runs = await figures.loss_runs(scope, run=config.reports.repeat_loss_run)
    clients = await figures.client_losses(scope)
    await uow.rollback()
    return build_loss_report(config, counts, others=others, runs=runs, clients=clients)


def build_loss_report(
    config: CrmConfig, counts: Iterable[LossCount], *, others: Sequence[tuple[int, str]] = (),
    runs: Sequence[LossRun] = (), clients: Sequence[ClientLosses] = (),
) -> LossReport:  # fmt: skip
    """The report from the database's counts per (pipeline, manager, reason)."""
    overall: dict[str, int] = defaultdict(int)
    by_pipeline: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_manager: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        overall[row.reason] += row.count
        by_pipeline[row.pipeline][row.reason] += row.count
        if row.manager_id is not None:
            by_manager[row.manager_id][row.reason] += row.count
    order = {p.key: n for n, p in enumerate(config.pipelines)}
    total = sum(overall.values())
    return LossReport(
        total=total,
        reasons=loss_shares(overall, config),
        by_pipeline=tuple(
            (key, loss_shares(by_pipeline[key], config))
            for key in sorted(by_pipeline, key=lambda k: (order.get(k, len(order)), k))
        ),
        by_manager=tuple(
            (manager, loss_shares(by_manager[manager], config))
            for manager in sorted(by_manager, key=lambda m: (-sum(by_manager[m].values()), m))
        ),
        other_texts=tuple(others),
        sample_enough=total >= config.reports.min_sample,
        runs=tuple(
            RepeatedLoss(run.reason, len(run.deal_ids), manager_id=run.manager_id, deal_ids=run.deal_ids)
            for run in sorted(runs, key=lambda r: (r.last_at, r.manager_id), reverse=True)
        ),
        clients=tuple(
            RepeatedLoss(c.reason, len(c.deal_ids), contact_id=c.contact_id, deal_ids=c.deal_ids)
            for c in sorted(clients, key=lambda c: (c.last_at, c.contact_id), reverse=True)
        ),
    )


def loss_shares(counts: Mapping[str, int], config: CrmConfig) -> tuple[LossShare, ...]:
    """Each reason's count and share of `counts`, biggest first (then in the config's order), with its
    limit and whether the share is over it (judged only with at least `reports.min_sample` losses)."""
    total = sum(counts.values())
    order = {r.key: n for n, r in enumerate(config.loss_reasons)}
    shares = []
    for key, count in counts.items():
        if count <= 0:
            continue
        reason = config.loss_reason(key)
        limit = reason.max_share if reason is not None else None
        share = count / total
        over = limit is not None and share > limit and total >= config.reports.min_sample
        shares.append(LossShare(key, count, share, limit, over))
    return tuple(sorted(shares, key=lambda s: (-s.count, order.get(s.reason, len(order)), s.reason)))


@dataclass(frozen=True)
class LossWarnings:
    """What the daily digest warns of: reasons over their limit over the last 30 days, and the runs and
    repeated client losses whose latest loss fell in the digest's window."""

    over: tuple[LossShare, ...] = ()
    total: int = 0  # the losses of the last 30 days the shares are of
    runs: tuple[RepeatedLoss, ...] = ()
    clients: tuple[RepeatedLoss, ...] = ()


async def loss_warnings(
    uow: UnitOfWork, config: CrmConfig, *, since: datetime, now: datetime
) -> LossWarnings:
    """For the digest of [since, now). Reads in the caller's transaction (does not end it)."""
    figures = uow.team_figures
    month = window_scope(now - DIGEST_LOSS_WINDOW, now, config.timezone)
    window = window_scope(since, now, config.timezone)
    counts: dict[str, int] = defaultdict(int)
    for row in await figures.loss_counts(month):
        counts[row.reason] += row.count
    runs = await figures.loss_runs(window, run=config.reports.repeat_loss_run)
    clients = await figures.client_losses(window)
    report = build_loss_report(config, [], runs=[r for r in runs if r.last_at >= since], clients=clients)
    return LossWarnings(
        over=tuple(s for s in loss_shares(counts, config) if s.over),
        total=sum(counts.values()),
        runs=report.runs,
        clients=report.clients,
    )


def window_scope(since: datetime, until: datetime, timezone: str) -> ReportScope:
    """A scope over any window [since, until) (the digest's), with no filters."""
    zone = ZoneInfo(timezone)
    first, last = since.astimezone(zone).date(), until.astimezone(zone).date()
    return ReportScope(Period(PeriodKind.CUSTOM, since, until, first, last))
