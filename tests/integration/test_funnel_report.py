"""The funnel and channels reports' SQL on SQLite and PostgreSQL, against hand-counted answers (README.md,
"Reports → Funnel", "Channels and sources"); and the stays written where deals enter stages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.crm_config import CrmConfig, Source
from domain.deal_stages import lose_deal, move_stage, rewarm_client
from domain.models import Channel, DealEvent, DealStatus, EventKind, Inquiry, InquiryState
from domain.reports.channels import channels_report
from domain.reports.funnel import funnel_report
from domain.reports.scope import ReportScope, days_period
from domain.sleeping_clients import wake_client
from storage.tables import StageVisitRow
from tests.integration.stored_deals import MANAGER, OTHER_MANAGER, MakeUow, deal, staff_member, store

T0 = datetime(2026, 11, 10, 9, tzinfo=UTC)
LAST_EVENING = datetime(2026, 11, 30, 20, 30, tzinfo=UTC)  # 23:30 in Moscow on the period's last day: in
NEXT_NIGHT = datetime(2026, 11, 30, 21, 10, tzinfo=UTC)  # 00:10 in Moscow on 1 December: out
NOVEMBER = ReportScope(days_period(date(2026, 11, 1), date(2026, 11, 30), timezone="Europe/Moscow"))


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


async def _moves(make_uow: MakeUow, deal_id: int, *moves: tuple[str, datetime]) -> None:
    """The deal enters each stage in turn (a closing one closes it), as the use cases record it."""
    async with make_uow() as uow:
        for stage, at in moves:
            current = await uow.deals.get(deal_id)
            assert current is not None
            current.stage, current.stage_entered_at = stage, at
            if stage in ("won", "lost"):
                current.status, current.closed_at = DealStatus(stage), at
            await uow.deals.save(current)
            await uow.stage_visits.enter(deal_id, current.pipeline, stage, at)
        await uow.commit()


async def _period(make_uow: MakeUow) -> dict[str, int]:
    """Deals and inquiries with a hand-counted funnel:
    d1 new → qualified (1 h) → proposal (3 h) → won (6 h), 100 000; d2 new → invoice (2 h, skipping three
    stages) → lost (4 h); d3 new → qualified (1 h) → proposal (2 h) → back to qualified (5 h), open;
    d4 in "new", handed over to the other manager; d5 non-target (left out of the funnel); d6 at 23:30
    on the last evening, from the site's form, source "vk"; d7 ten past midnight after it (out);
    d8 in the rewarm pipeline."""
    names = ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]
    ids = await store(
        make_uow,
        [
            deal(created_at=T0, stage_entered_at=T0),
            deal(created_at=T0, stage_entered_at=T0),
            deal(created_at=T0, stage_entered_at=T0),
            deal(created_at=T0, stage_entered_at=T0),
            deal("lost", created_at=T0, stage_entered_at=T0, target=False, status=DealStatus.LOST),
            deal(created_at=LAST_EVENING, stage_entered_at=LAST_EVENING, channel=Channel.SITE, source="vk"),
            deal(created_at=NEXT_NIGHT, stage_entered_at=NEXT_NIGHT),
            deal(pipeline="rewarm", created_at=T0, stage_entered_at=T0),
        ],
    )
    d = dict(zip(names, ids, strict=True))
    await _moves(make_uow, d["d1"], ("qualified", hours(1)), ("proposal", hours(3)), ("won", hours(6)))
    await _moves(make_uow, d["d2"], ("invoice", hours(2)), ("lost", hours(4)))
    await _moves(make_uow, d["d3"], ("qualified", hours(1)), ("proposal", hours(2)), ("qualified", hours(5)))
    async with make_uow() as uow:
        won = await uow.deals.get(d["d1"])
        handed = await uow.deals.get(d["d4"])
        assert won is not None and handed is not None
        won.amount = 100_000
        handed.manager_id = OTHER_MANAGER
        await uow.deals.save(won)
        await uow.deals.save(handed)
        telegram = Channel.TELEGRAM
        for inquiry in (
            Inquiry(telegram, T0, state=InquiryState.FINISHED, step=4, deal_id=d["d1"]),
            Inquiry(telegram, T0, state=InquiryState.FINISHED, step=4, deal_id=d["d5"]),
            Inquiry(telegram, T0, state=InquiryState.ABANDONED, step=2),
            Inquiry(telegram, T0, state=InquiryState.OPEN, step=0),
            Inquiry(Channel.SITE, LAST_EVENING, source="vk", state=InquiryState.FINISHED, deal_id=d["d6"]),
            Inquiry(telegram, NEXT_NIGHT, state=InquiryState.FINISHED, step=4, deal_id=d["d7"]),
        ):
            await uow.inquiries.add(inquiry)
        await uow.commit()
    return d


async def test_the_funnel_counts_with_conversion_and_times_each_stage(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await _period(make_uow)
    async with make_uow() as uow:
        report = await funnel_report(uow, crm_config, NOVEMBER)
    sales, rewarm = report.funnels
    assert (sales.pipeline, rewarm.pipeline) == ("sales", "rewarm")
    # d1 won: every stage; d2 skipped to "invoice": every stage; d3 went back: up to "proposal"; d4, d6 "new".
    assert [(s.stage, s.reached) for s in sales.steps] == [
        ("new", 5), ("qualified", 3), ("proposal", 3), ("negotiation", 2), ("invoice", 2),
    ]  # fmt: skip
    assert [s.conversion for s in sales.steps] == [None, 0.6, 1.0, pytest.approx(2 / 3), 1.0]
    assert (sales.deals, sales.won, sales.lost, sales.open, sales.overall) == (5, 1, 1, 3, 0.2)
    assert sales.worst_step == "new"  # two of five never left it
    times = {s.stage: (s.average_s, s.median_s) for s in sales.steps}
    # "new": 1 h (d1), 2 h (d2), 1 h (d3); "qualified": 2 h (d1), 1 h (d3; its second stay goes on);
    # "proposal": 3 h (d1), 3 h (d3); "invoice": 2 h (d2); nobody left "negotiation".
    assert times == {
        "new": (4_800, 3_600), "qualified": (5_400, 3_600), "proposal": (10_800, 10_800),
        "negotiation": (None, None), "invoice": (7_200, 7_200),
    }  # fmt: skip
    assert [s.reached for s in rewarm.steps] == [1, 0, 0]
    questionnaire = report.questionnaire  # the form and the questionnaire after midnight are not in it
    assert (questionnaire.started, questionnaire.answered) == (4, (3, 3, 2, 2))
    assert (questionnaire.finished, questionnaire.target) == (2, 1)


async def test_the_funnels_filters_count_a_handed_over_deal_for_its_manager_now(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await _period(make_uow)
    async with make_uow() as uow:
        others = await funnel_report(uow, crm_config, NOVEMBER.but(manager_id=OTHER_MANAGER))
    async with make_uow() as uow:
        mine = await funnel_report(uow, crm_config, NOVEMBER.but(manager_id=MANAGER, pipeline="sales"))
    async with make_uow() as uow:
        site = await funnel_report(uow, crm_config, NOVEMBER.but(channel="site", source="vk"))
    async with make_uow() as uow:
        empty = await funnel_report(uow, crm_config, NOVEMBER.but(pipeline="repeat"))
    assert [(f.pipeline, f.deals) for f in others.funnels] == [("sales", 1)]
    assert [(f.pipeline, f.deals, f.won) for f in mine.funnels] == [("sales", 4, 1)]
    assert [(f.pipeline, f.deals) for f in site.funnels] == [("sales", 1)]  # d6, on the last evening
    assert site.questionnaire.started == 0  # the site has no questionnaire
    assert [(f.pipeline, f.deals, f.overall, f.worst_step) for f in empty.funnels] == [
        ("repeat", 0, None, None)
    ]


async def test_channels_count_inquiries_leads_and_cost_per_source(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await _period(make_uow)
    config = crm_config.model_copy(
        update={"sources": [Source(key="vk", name={"ru": "ВК", "en": "VK"}, spend=30_000)]}
    )
    async with make_uow() as uow:
        report = await channels_report(uow, config, NOVEMBER)
    telegram, site = report.rows
    assert (telegram.channel, telegram.source, site.channel, site.source) == ("telegram", None, "site", "vk")
    # d1-d5 and d8 from Telegram (d5 non-target), d6 from the form; d7 came after the period.
    assert (telegram.inquiries, telegram.finished, telegram.leads, telegram.non_target) == (4, 2, 6, 1)
    assert (telegram.won, telegram.amount_won, telegram.spend, telegram.cost_per_lead) == (
        1,
        100_000,
        None,
        None,
    )
    assert telegram.non_target_share == pytest.approx(1 / 6)
    assert telegram.conversion == pytest.approx(1 / 6)
    assert (site.inquiries, site.finished, site.leads, site.won, site.conversion) == (1, 1, 1, 0, 0.0)
    assert (site.spend, site.cost_per_lead, site.cost_per_won) == (30_000, 30_000, None)


async def _follow_ups(make_uow: MakeUow, config: CrmConfig) -> None:
    """Five leads from Telegram, source "vk": a1 won (100 000), a2 (a client of a1's written in again
    through intake), a3 Oleg's; a4, a5 Ivan's. Then the follow-ups, through their use cases: a5 lost and
    sent to rewarming (r), r lost, and r's planned contact falls due (s, in "sales": rewarming happens
    once); a1's planned contact falls due (in "repeat")."""
    vk: dict[str, Any] = {
        "created_at": T0,
        "stage_entered_at": T0,
        "assigned_at": T0,
        "taken_at": T0,
        "source": "vk",
    }
    a1, a2, _, _, a5 = await store(
        make_uow,
        [
            deal("won", status=DealStatus.WON, amount=100_000, closed_at=T0, **vk),
            deal(**vk),
            deal(**vk),
            deal(manager=OTHER_MANAGER, **vk),
            deal(manager=OTHER_MANAGER, **vk),
        ],
    )
    async with make_uow() as uow:  # a2 came through intake, a client of a1's writing again: a lead
        returning = {"deal_id": a1, "manager": MANAGER}
        data = {"source": "vk", "pipeline": "sales", "channel": "telegram", "returning_from": returning}
        await uow.events.add(DealEvent(a2, EventKind.CREATED, T0, data=data))
        await uow.commit()
    ivan = await staff_member(make_uow, OTHER_MANAGER)
    async with make_uow() as uow:
        lost = await lose_deal(
            uow, config, deal_id=a5, staff=ivan, version=None, reason="no_need", now=hours(1)
        )
    assert lost.error is None
    async with make_uow() as uow:
        rewarmed = await rewarm_client(
            uow, config, deal_id=a5, staff=ivan, next_contact_at=hours(48), now=hours(2)
        )
    assert rewarmed.error is None
    r = rewarmed.extra["new_deal_id"]
    async with make_uow() as uow:
        lost = await lose_deal(
            uow, config, deal_id=r, staff=ivan, version=None, reason="no_need", now=hours(3)
        )
    assert lost.error is None
    for closed_id, pipeline in ((r, "sales"), (a1, "repeat")):
        async with make_uow() as uow:
            closed = await uow.deals.get(closed_id)
            assert closed is not None
            woken, new = await wake_client(uow, config, closed, due=hours(4), now=hours(4))
            await uow.commit()
        assert new and woken.pipeline == pipeline


async def test_follow_ups_are_not_leads_and_a_manager_pays_the_teams_cost_per_lead(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    config = crm_config.model_copy(
        update={"sources": [Source(key="vk", name={"ru": "ВК", "en": "VK"}, spend=30_000)]}
    )
    await _follow_ups(make_uow, config)
    reports = []
    for scope in (
        NOVEMBER,
        NOVEMBER.but(manager_id=OTHER_MANAGER),
        NOVEMBER.but(manager_id=OTHER_MANAGER, pipeline="sales"),
        NOVEMBER.but(pipeline="repeat"),
    ):
        async with make_uow() as uow:
            reports.append(await channels_report(uow, config, scope))
    team, ivan, ivan_sales, repeat = reports
    # a1-a5 are leads; the rewarm deal and the two woken clients' deals are not: 30 000 over 5 leads.
    (row,) = team.rows
    assert (row.channel, row.source, row.leads, row.won, row.amount_won) == ("telegram", "vk", 5, 1, 100_000)
    assert (row.spend, row.cost_per_lead, row.cost_per_won) == (30_000, 6_000, 30_000)
    # Ivan's a4 and a5 cost what a lead costs the team; his share of the spend is what they took.
    for mine in (ivan, ivan_sales):
        (row,) = mine.rows
        assert (row.leads, row.won, row.spend, row.cost_per_lead, row.cost_per_won) == (
            2,
            0,
            12_000,
            6_000,
            30_000,
        )
    assert repeat.rows == ()  # the woken buyer's deal is the only one there, and not a lead
    async with make_uow() as uow:
        funnel = await funnel_report(uow, config, NOVEMBER)
    # The funnel counts pipelines, follow-ups included: s in "sales", r in "rewarm", a1's return in "repeat".
    assert sorted((f.pipeline, f.deals) for f in funnel.funnels) == [
        ("repeat", 1),
        ("rewarm", 1),
        ("sales", 6),
    ]


async def test_an_empty_period_reports_nothing(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await _period(make_uow)
    december = ReportScope(days_period(date(2027, 1, 1), date(2027, 1, 31), timezone="Europe/Moscow"))
    async with make_uow() as uow:
        funnel = await funnel_report(uow, crm_config, december)
    async with make_uow() as uow:
        channels = await channels_report(uow, crm_config, december)
    assert funnel.funnels == () and funnel.questionnaire.started == 0
    assert funnel.questionnaire.answered == (0, 0, 0, 0)
    assert channels.rows == ()


async def test_moving_and_closing_a_deal_writes_its_stays(
    make_uow: MakeUow, crm_config: CrmConfig, engine: AsyncEngine
) -> None:
    (deal_id,) = await store(
        make_uow, [deal(created_at=T0, stage_entered_at=T0, assigned_at=T0, taken_at=T0)]
    )
    manager = await staff_member(make_uow, MANAGER)
    async with make_uow() as uow:
        moved = await move_stage(
            uow, crm_config, deal_id=deal_id, staff=manager, version=None, stage="qualified", now=hours(1)
        )
    assert moved.error is None
    async with make_uow() as uow:
        lost = await lose_deal(
            uow, crm_config, deal_id=deal_id, staff=manager, version=None, reason="no_need", now=hours(3)
        )
    assert lost.error is None
    async with engine.connect() as connection:
        stays = (
            await connection.execute(
                select(StageVisitRow.stage, StageVisitRow.entered_at, StageVisitRow.left_at)
                .where(StageVisitRow.deal_id == deal_id)
                .order_by(StageVisitRow.id)
            )
        ).all()
    assert [tuple(s) for s in stays] == [
        ("new", T0, hours(1)),
        ("qualified", hours(1), hours(3)),
        ("lost", hours(3), None),
    ]
