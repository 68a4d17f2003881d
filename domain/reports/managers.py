"""Managers (README.md, "Reports → Managers"): per manager, the leads they received, how fast they took
and first answered them in working time, their load now against their norm, overdue contacts, missed
deadlines, and what they won and lost.

- Received: deals assigned to them in the period (a lead handed over counts for the one it was handed to).
- Speeds: over the leads that arrived in the period, `take_work_s` and `reply_work_s` (working seconds
  from the lead's arrival, written when they happen), each counted for whoever first took the lead and
  first wrote to its client, even if it was handed to someone else later. Median and 90th percentile by
  nearest rank (`domain.reports.nearest_rank`): always a time some client actually waited.
- Open deals and overdue contacts: now, all of the manager's open deals whatever the filters (their load
  norm counts every open deal, `domain.load_norms`). Overdue: the next contact plus
  `reminders.overdue_after` of working time is now or earlier, as the digest counts it.
- Breaches: deadlines missed (take, stage, contact) detected in the period.
- Won, lost (target deals), conversion won / (won + lost), amount won and the average won deal: deals
  closed in the period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.crm_config import CrmConfig
from domain.load_norms import norm_of
from domain.models import Staff
from domain.ports import UnitOfWork
from domain.reports.figures import ManagerRow, ManagersReport
from domain.reports.scope import ReportScope
from domain.reports.team_rows import ManagerCounts, Speeds


async def managers_report(
    uow: UnitOfWork, config: CrmConfig, scope: ReportScope, *, now: datetime
) -> ManagersReport:
    """The managers report of the scope as of `now`, from SQL aggregates. Reads only; ends its read."""
    contact_by = config.calendar().latest_start(now, config.reminders.overdue_after)
    counts = await uow.team_figures.manager_counts(scope, contact_by=contact_by)
    speeds = await uow.team_figures.speeds(scope)
    team = {m.telegram_id: m for m in await uow.staff.active() if m.is_manager}
    ids = set(team) | {c.manager_id for c in counts} | {s.manager_id for s in speeds}
    if scope.manager_id is not None:
        ids = {scope.manager_id}
    for manager_id in ids - set(team):  # left the team, or never a manager: named as they were
        if (member := await uow.staff.get(manager_id)) is not None:
            team[manager_id] = member
    await uow.rollback()
    return build_managers_report(config, sorted(ids), team, counts, speeds)


def build_managers_report(
    config: CrmConfig, manager_ids: Sequence[int], staff: Mapping[int, Staff],
    counts: Sequence[ManagerCounts], speeds: Sequence[Speeds],
) -> ManagersReport:  # fmt: skip
    """One row per manager, by name: the database's counts and speeds, with the ratios worked out."""
    by_id = {c.manager_id: c for c in counts}
    fast = {s.manager_id: s for s in speeds}
    rows = []
    for manager_id in manager_ids:
        c = by_id.get(manager_id, ManagerCounts(manager_id))
        s = fast.get(manager_id, Speeds(manager_id))
        member = staff.get(manager_id)
        closed = c.won + c.lost
        rows.append(
            ManagerRow(
                manager_id=manager_id,
                name=member.name if member is not None else "",
                received=c.received,
                take_median_s=s.take_median_s,
                take_p90_s=s.take_p90_s,
                reply_median_s=s.reply_median_s,
                reply_p90_s=s.reply_p90_s,
                open_deals=c.open_deals,
                norm=norm_of(member, config) if member is not None else config.distribution.max_open_deals,
                overdue=c.overdue,
                breaches=c.breaches,
                won=c.won,
                lost=c.lost,
                conversion=c.won / closed if closed else None,
                amount_won=c.amount_won,
                average_deal=round(c.amount_won / c.won) if c.won else None,
            )
        )
    rows.sort(key=lambda r: (not r.name, r.name.casefold(), r.manager_id))
    return ManagersReport(tuple(rows))
