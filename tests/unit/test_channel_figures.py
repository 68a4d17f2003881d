"""The channels and sources report's arithmetic over aggregate rows (README.md, "Channels and sources")."""

from __future__ import annotations

from datetime import date

from domain.crm_config import CrmConfig, Source
from domain.reports.channels import rows_of, whole, with_spend, with_team_cost
from domain.reports.funnel_rows import InquiryCount, LeadCount
from domain.reports.scope import days_period

NOVEMBER = days_period(date(2026, 11, 1), date(2026, 11, 30), timezone="Europe/Moscow")
HALF_NOVEMBER = days_period(date(2026, 11, 1), date(2026, 11, 15), timezone="Europe/Moscow")


def priced(config: CrmConfig, **spend: int | None) -> CrmConfig:
    sources = [Source(key=key, name={"ru": key, "en": key}, spend=amount) for key, amount in spend.items()]
    return config.model_copy(update={"sources": sources})


def test_an_empty_period_has_no_rows() -> None:
    assert rows_of([], []) == []


def test_inquiries_and_leads_of_a_channel_and_source_make_one_row() -> None:
    rows = rows_of(
        [InquiryCount("telegram", "vk", 10, 6), InquiryCount("site", None, 3, 3)],
        [LeadCount("telegram", "vk", 6, 2, 1, 50_000), LeadCount("telegram", None, 1, 0, 0, 0)],
    )
    assert [(r.channel, r.source) for r in rows] == [("telegram", "vk"), ("telegram", None), ("site", None)]
    vk = rows[0]
    assert (vk.inquiries, vk.finished, vk.leads, vk.non_target, vk.won, vk.amount_won) == (
        10,
        6,
        6,
        2,
        1,
        50_000,
    )
    assert (vk.non_target_share, vk.conversion) == (2 / 6, 1 / 6)
    site = rows[2]  # forms that made no deal in this scope: nothing to divide by
    assert (site.leads, site.non_target_share, site.conversion) == (0, None, None)
    assert rows[1].inquiries == 0  # a lead with no recorded inquiry (written before inquiries were)


def test_a_source_with_spend_costs_its_months_share_and_per_lead_and_won(crm_config: CrmConfig) -> None:
    config = priced(crm_config, vk=30_000, free=None)
    rows = rows_of([], [LeadCount("telegram", "vk", 4, 0, 1, 9), LeadCount("telegram", "free", 2, 0, 0, 0)])
    month = {r.source: r for r in with_spend(rows, config, NOVEMBER)}
    assert (month["vk"].spend, month["vk"].cost_per_lead, month["vk"].cost_per_won) == (30_000, 7_500, 30_000)
    assert (month["free"].spend, month["free"].cost_per_lead) == (None, None)
    half = {r.source: r for r in with_spend(rows, config, HALF_NOVEMBER)}
    assert (half["vk"].spend, half["vk"].cost_per_lead, half["vk"].cost_per_won) == (15_000, 3_750, 15_000)


def test_costs_are_rounded_to_whole_units_and_none_without_leads(crm_config: CrmConfig) -> None:
    config = priced(crm_config, vk=10_000)
    three = with_spend(rows_of([], [LeadCount("telegram", "vk", 3, 0, 0, 0)]), config, NOVEMBER)[0]
    assert (three.spend, three.cost_per_lead, three.cost_per_won) == (10_000, 3_333, None)
    idle = with_spend(rows_of([InquiryCount("telegram", "vk", 2, 0)], []), config, NOVEMBER)[0]
    assert (idle.spend, idle.cost_per_lead, idle.cost_per_won) == (10_000, None, None)
    assert (whole(2.5), whole(3.49), whole(0.0)) == (3, 3, 0)


def test_a_source_in_two_channels_has_its_spend_shared_by_their_leads(crm_config: CrmConfig) -> None:
    config = priced(crm_config, vk=30_000)
    rows = rows_of([], [LeadCount("telegram", "vk", 2, 0, 0, 0), LeadCount("site", "vk", 1, 0, 1, 5)])
    costed = {r.channel: r for r in with_spend(rows, config, NOVEMBER)}
    assert (costed["telegram"].spend, costed["telegram"].cost_per_lead) == (20_000, 10_000)
    assert (costed["site"].spend, costed["site"].cost_per_lead, costed["site"].cost_per_won) == (
        10_000,
        10_000,
        10_000,
    )


def test_under_a_manager_a_lead_costs_what_it_costs_the_team(crm_config: CrmConfig) -> None:
    config = priced(crm_config, vk=10_000, free=None)
    team = [LeadCount("telegram", "vk", 3, 0, 2, 9), LeadCount("telegram", "free", 4, 0, 0, 0)]
    mine = rows_of([], [LeadCount("telegram", "vk", 2, 0, 0, 0), LeadCount("telegram", "free", 1, 0, 0, 0)])
    costed = {r.source: r for r in with_team_cost(mine, team, config, NOVEMBER)}
    # 10 000 over the team's 3 leads and 2 won deals; the manager's 2 leads took 2/3 of it (rounded once).
    assert (costed["vk"].spend, costed["vk"].cost_per_lead, costed["vk"].cost_per_won) == (
        6_667,
        3_333,
        5_000,
    )
    assert (costed["vk"].leads, costed["vk"].won) == (2, 0)
    assert (costed["free"].spend, costed["free"].cost_per_lead, costed["free"].cost_per_won) == (
        None,
        None,
        None,
    )


def test_under_a_filter_a_source_in_two_channels_and_one_without_leads_are_costed_as_for_the_team(
    crm_config: CrmConfig,
) -> None:
    config = priced(crm_config, vk=30_000, ok=5_000)
    team = [LeadCount("telegram", "vk", 2, 0, 0, 0), LeadCount("site", "vk", 1, 0, 1, 5)]
    mine = rows_of([InquiryCount("telegram", "ok", 1, 0)], [LeadCount("telegram", "vk", 1, 0, 0, 0)])
    costed = {r.source: r for r in with_team_cost(mine, team, config, NOVEMBER)}
    assert (costed["vk"].spend, costed["vk"].cost_per_lead, costed["vk"].cost_per_won) == (
        10_000,
        10_000,
        None,
    )
    # No lead from "ok" anywhere: nothing to price a lead by, and none of the spend is theirs.
    assert (costed["ok"].spend, costed["ok"].cost_per_lead, costed["ok"].cost_per_won) == (0, None, None)
