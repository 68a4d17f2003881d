"""The channels and sources report (README.md, "Channels and sources"): per channel and source, the
period's inquiries, finished questionnaires (a web form counts as finished when received), leads, the
non-target share, won deals, conversion and amount won; with `[[sources]].spend`, what the source cost
over the period and per lead and per won deal. A lead is a deal that came in through intake: a follow-up
(rewarming, a sleeping client's planned contact) is not one. A manager or pipeline filter does not change
what a lead costs: only the share of the spend their leads took.

The database counts (`FunnelFigures`); the arithmetic here works on its small aggregate rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from domain.crm_config import CrmConfig
from domain.models import Channel
from domain.ports import UnitOfWork
from domain.reports.figures import ChannelRow, ChannelsReport
from domain.reports.funnel_rows import InquiryCount, LeadCount
from domain.reports.scope import Period, ReportScope, months_in

CHANNELS = [c.value for c in Channel]


def whole(amount: float) -> int:
    """Rounded to whole units, halves up (money is shown in whole units)."""
    return math.floor(amount + 0.5)


def rows_of(inquiries: Iterable[InquiryCount], leads: Iterable[LeadCount]) -> list[ChannelRow]:
    """One row per channel and source seen in either count; by channel, then the most leads first."""
    asked = {(r.channel, r.source): r for r in inquiries}
    came = {(r.channel, r.source): r for r in leads}
    rows = []
    for key in asked.keys() | came.keys():
        inquiry, lead = asked.get(key), came.get(key)
        n = lead.leads if lead else 0
        non_target = lead.non_target if lead else 0
        won = lead.won if lead else 0
        rows.append(
            ChannelRow(
                channel=key[0],
                source=key[1],
                inquiries=inquiry.inquiries if inquiry else 0,
                finished=inquiry.finished if inquiry else 0,
                leads=n,
                non_target=non_target,
                non_target_share=non_target / n if n else None,
                won=won,
                conversion=won / n if n else None,
                amount_won=lead.amount_won if lead else 0,
            )
        )
    rank = {channel: n for n, channel in enumerate(CHANNELS)}
    rows.sort(
        key=lambda r: (rank.get(r.channel, len(rank)), r.channel, -r.leads, -r.inquiries, r.source or "")
    )
    return rows


def spend_shares(rows: list[ChannelRow], config: CrmConfig, period: Period) -> dict[int, float]:
    """What each row's source cost, by the row's index, for the sources with a `spend`: spend × the months
    the period spans; a source seen in more than one channel has it shared by their leads (by their
    inquiries when none led anywhere)."""
    shares: dict[int, float] = {}
    for source in {r.source for r in rows}:
        configured = config.source(source)
        if configured is None or configured.spend is None:
            continue
        total = configured.spend * months_in(period)
        mine = [n for n, r in enumerate(rows) if r.source == source]
        weights = [rows[n].leads for n in mine]
        if not any(weights):
            weights = [rows[n].inquiries for n in mine]
        if not any(weights):
            weights = [1] + [0] * (len(mine) - 1)
        for n, weight in zip(mine, weights, strict=True):
            shares[n] = total * weight / sum(weights)
    return shares


def with_spend(rows: list[ChannelRow], config: CrmConfig, period: Period) -> list[ChannelRow]:
    """Each row of a source with a `spend`: its share of it (`spend_shares`), per lead and per won deal."""
    costed = list(rows)
    for n, spend in spend_shares(rows, config, period).items():
        row = rows[n]
        costed[n] = replace(
            row,
            spend=whole(spend),
            cost_per_lead=whole(spend / row.leads) if row.leads else None,
            cost_per_won=whole(spend / row.won) if row.won else None,
        )
    return costed


def with_team_cost(
    rows: list[ChannelRow], team: Iterable[LeadCount], config: CrmConfig, period: Period
) -> list[ChannelRow]:
    """Under a manager or pipeline filter: a lead and a won deal cost what they cost the whole team
    (`team`: the leads with only the period's, channel's and source's filters, priced by `spend_shares`),
    and a row's `spend` is that cost per lead × its leads, the share of the spend its leads took."""
    everyone = rows_of([], team)
    prices = {(everyone[n].channel, everyone[n].source): (spend, everyone[n])
              for n, spend in spend_shares(everyone, config, period).items()}  # fmt: skip
    costed = list(rows)
    for n, row in enumerate(rows):
        configured = config.source(row.source)
        if configured is None or configured.spend is None:
            continue
        spend, whole_team = prices.get((row.channel, row.source), (0.0, None))
        per_lead = spend / whole_team.leads if whole_team and whole_team.leads else None
        costed[n] = replace(
            row,
            spend=whole(per_lead * row.leads) if per_lead is not None else 0,
            cost_per_lead=whole(per_lead) if per_lead is not None else None,
            cost_per_won=whole(spend / whole_team.won) if whole_team and whole_team.won else None,
        )
    return costed


async def channels_report(uow: UnitOfWork, config: CrmConfig, scope: ReportScope) -> ChannelsReport:
    """The channels and sources of the scope's period and filters. Reads only."""
    inquiries = await uow.funnel_figures.inquiries(scope)
    leads = await uow.funnel_figures.leads(scope)
    rows = rows_of(inquiries, leads)
    if scope.manager_id is None and scope.pipeline is None:
        await uow.rollback()
        return ChannelsReport(tuple(with_spend(rows, config, scope.period)))
    team = await uow.funnel_figures.leads(scope.but(manager_id=None, pipeline=None))
    await uow.rollback()
    return ChannelsReport(tuple(with_team_cost(rows, team, config, scope.period)))
