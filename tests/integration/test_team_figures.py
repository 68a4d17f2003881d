"""The loss-reason and managers reports counted by SQL on SQLite and PostgreSQL, against hand counts; the
speeds written when a lead is taken and first answered, and filled at start-up for the deals before; the
loss warnings of the daily digest."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.client_chat import OutgoingMessage, reply_to_prospect
from domain.crm_config import CrmConfig
from domain.digest import compose_digest
from domain.models import Breach, BreachKind, Channel, Deal, DealEvent, DealStatus, EventKind
from domain.notice_kinds import NoticeKind
from domain.reports.losses import loss_report
from domain.reports.managers import managers_report
from domain.reports.scope import ReportScope, days_period
from domain.reports.speed_fill import fill_missing_speeds
from domain.reports.team_rows import SpeedFill
from domain.taking import take_deal
from handlers.notices.digest import render_digest_notice
from tests.integration.stored_deals import MANAGER, NOW, OTHER_MANAGER, SUPERVISOR, MakeUow, deal, store
from tests.unit.test_notice_kinds import RecordingTranslator

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# 16-25 November 2026, Moscow: NOW (Wednesday 25th, 11:00) is inside it.
PERIOD = days_period(date(2026, 11, 16), date(2026, 11, 25), timezone="Europe/Moscow")
SCOPE = ReportScope(PERIOD)


def lost(manager: int | None, reason: str | None, closed_ago: timedelta, **fields: Any) -> Deal:
    return deal(
        "lost", manager=manager, status=DealStatus.LOST, loss_reason=reason, closed_at=NOW - closed_ago,
        created_at=NOW - 3 * DAY, **fields,
    )  # fmt: skip


def won(manager: int, closed_ago: timedelta, amount: int = 10_000, **fields: Any) -> Deal:
    return deal(
        "won", manager=manager, status=DealStatus.WON, amount=amount, closed_at=NOW - closed_ago,
        created_at=NOW - 3 * DAY, **fields,
    )  # fmt: skip


async def same_client(make_uow: MakeUow, *deal_ids: int) -> None:
    """The deals' contacts merged into the first's: one client."""
    async with make_uow() as uow:
        deals = [await uow.deals.get(d) for d in deal_ids]
        into = deals[0].contact_id  # type: ignore[union-attr]
        for item in deals[1:]:
            await uow.deals.move_to_contact(item.contact_id, into)  # type: ignore[union-attr]
        await uow.commit()


async def test_losses_are_counted_per_reason_pipeline_and_manager_with_the_other_texts(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    ids = await store(
        make_uow,
        [
            lost(MANAGER, "too_expensive", HOUR),  # 1
            lost(MANAGER, "too_expensive", 2 * HOUR),  # 2
            lost(MANAGER, "no_need", 3 * HOUR),  # 3
            lost(OTHER_MANAGER, "other", 4 * HOUR, loss_note="Уехали в отпуск"),  # 4
            lost(OTHER_MANAGER, "too_expensive", 5 * HOUR, pipeline="rewarm", channel=Channel.SITE),  # 5
            lost(OTHER_MANAGER, "too_expensive", 20 * DAY),  # 6: before the period
            lost(None, "non_target", HOUR, target=False),  # 7: not a sales inquiry: no loss
            won(MANAGER, HOUR),  # 8
            lost(MANAGER, None, 6 * HOUR),  # 9: no reason's key: "other"
        ],
    )
    assert ids == list(range(1, 10))
    async with make_uow() as uow:
        report = await loss_report(uow, crm_config, SCOPE)
    assert report.total == 6 and not report.sample_enough
    assert [(s.reason, s.count) for s in report.reasons] == [
        ("too_expensive", 3),
        ("other", 2),
        ("no_need", 1),
    ]
    assert report.reasons[0].share == 0.5 and report.reasons[0].limit == 0.30
    assert not report.reasons[0].over  # 50 % but only 6 losses: below the minimum sample of 10
    pipelines = {key: {s.reason: s.count for s in shares} for key, shares in report.by_pipeline}
    assert pipelines == {
        "sales": {"too_expensive": 2, "other": 2, "no_need": 1},
        "rewarm": {"too_expensive": 1},
    }
    managers = {key: {s.reason: s.count for s in shares} for key, shares in report.by_manager}
    assert managers == {
        MANAGER: {"too_expensive": 2, "no_need": 1, "other": 1},
        OTHER_MANAGER: {"other": 1, "too_expensive": 1},
    }
    assert report.other_texts == ((4, "Уехали в отпуск"), (9, ""))  # newest first

    async with make_uow() as uow:
        assert (await loss_report(uow, crm_config, SCOPE.but(manager_id=OTHER_MANAGER))).total == 2
        assert (await loss_report(uow, crm_config, SCOPE.but(pipeline="rewarm"))).total == 1
        assert (await loss_report(uow, crm_config, SCOPE.but(channel="site"))).total == 1
        assert (await loss_report(uow, crm_config, SCOPE.but(source="ads"))).total == 0


async def test_a_run_is_the_managers_last_five_closed_deals_all_lost_to_one_reason_and_a_win_breaks_it(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await store(
        make_uow,
        [
            *(lost(MANAGER, "too_expensive", n * HOUR) for n in range(1, 6)),  # 1-5: a run
            won(MANAGER, 6 * HOUR),  # 6: before the run: does not matter
            lost(OTHER_MANAGER, "too_expensive", HOUR),  # 7
            lost(OTHER_MANAGER, "too_expensive", 2 * HOUR),  # 8
            won(OTHER_MANAGER, 3 * HOUR),  # 9: breaks the run of the six losses to "too expensive"
            *(lost(OTHER_MANAGER, "too_expensive", n * HOUR) for n in range(4, 8)),  # 10-13
        ],
    )
    async with make_uow() as uow:
        report = await loss_report(uow, crm_config, SCOPE)
    assert [(r.manager_id, r.reason, r.count, r.deal_ids) for r in report.runs] == [
        (MANAGER, "too_expensive", 5, (1, 2, 3, 4, 5))
    ]
    # As of a period that ended before the last loss, the run was not there yet: four losses and a win.
    earlier = ReportScope(days_period(date(2026, 11, 16), date(2026, 11, 24), timezone="Europe/Moscow"))
    async with make_uow() as uow:
        assert (await loss_report(uow, crm_config, earlier)).runs == ()


async def test_a_run_needs_one_reason(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    reasons = ["too_expensive", "too_expensive", "no_need", "too_expensive", "too_expensive"]
    await store(make_uow, [lost(MANAGER, r, (n + 1) * HOUR) for n, r in enumerate(reasons)])
    async with make_uow() as uow:
        assert (await loss_report(uow, crm_config, SCOPE)).runs == ()


async def test_a_client_lost_twice_to_one_reason_is_named(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await store(
        make_uow,
        [
            lost(MANAGER, "too_expensive", HOUR),  # 1 } one client, twice "too expensive", once in the period
            lost(OTHER_MANAGER, "too_expensive", 60 * DAY),  # 2 }
            lost(MANAGER, "too_expensive", HOUR),  # 3 } another: lost twice, for two reasons
            lost(MANAGER, "no_need", 2 * HOUR),  # 4 }
        ],
    )
    await same_client(make_uow, 1, 2)
    await same_client(make_uow, 3, 4)
    async with make_uow() as uow:
        report = await loss_report(uow, crm_config, SCOPE)
        first = await uow.deals.get(1)
    assert first is not None
    assert [(c.contact_id, c.reason, c.count, c.deal_ids) for c in report.clients] == [
        (first.contact_id, "too_expensive", 2, (1, 2))
    ]


async def test_managers_report_counts_against_a_hand_count(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    contact_by = crm_config.calendar().latest_start(NOW, crm_config.reminders.overdue_after)
    assert contact_by == NOW - HOUR  # Wednesday 10:00 in Moscow: one working hour before NOW
    received: dict[str, Any] = {"assigned_at": NOW - DAY, "created_at": NOW - DAY, "taken_at": NOW - DAY}
    await store(
        make_uow,
        [
            deal(manager=MANAGER, contact_in=-180, **received),  # 1: overdue
            deal(manager=MANAGER, contact_in=-30, **received),  # 2: due, not overdue yet
            deal(
                "won",
                manager=MANAGER,
                status=DealStatus.WON,
                amount=100_000,
                closed_at=NOW - HOUR,
                **received,
            ),
            # 4: taken by MANAGER, handed over to OTHER_MANAGER two hours ago
            deal(
                manager=OTHER_MANAGER,
                created_at=NOW - DAY,
                assigned_at=NOW - 2 * HOUR,
                taken_at=NOW - 2 * HOUR,
            ),
            deal(
                "lost",
                manager=OTHER_MANAGER,
                status=DealStatus.LOST,
                loss_reason="no_need",
                closed_at=NOW - HOUR,
                **received,
            ),  # 5
            deal(
                "won",
                manager=OTHER_MANAGER,
                status=DealStatus.WON,
                amount=50_000,
                closed_at=NOW - 2 * HOUR,
                created_at=NOW - 30 * DAY,
                assigned_at=NOW - 30 * DAY,
                taken_at=NOW - 30 * DAY,
            ),  # 6: a lead of before the period, won in it
        ],
    )
    takers = {1: MANAGER, 2: MANAGER, 3: MANAGER, 4: MANAGER, 5: OTHER_MANAGER, 6: OTHER_MANAGER}
    async with make_uow() as uow:
        for deal_id, taker in takers.items():
            await uow.events.add(DealEvent(deal_id, EventKind.TAKEN, NOW - DAY, actor_id=taker))
        await uow.team_figures.fill_speeds(
            [
                SpeedFill(1, 600, 1200), SpeedFill(2, 1800, None), SpeedFill(3, 3600, None),
                SpeedFill(4, 7200, None), SpeedFill(5, 300, None), SpeedFill(6, 99_999, 99_999),
            ]
        )  # fmt: skip
        for deal_id, manager, detected in ((1, MANAGER, NOW - HOUR), (5, OTHER_MANAGER, NOW - 20 * DAY)):
            await uow.breaches.add(
                Breach(
                    BreachKind.STAGE, deal_id, manager, "sales", "new", due_at=detected, detected_at=detected
                )
            )
        await uow.commit()

    async with make_uow() as uow:
        report = await managers_report(uow, crm_config, SCOPE, now=NOW)
    ivan, oleg = report.rows  # by name
    assert (oleg.manager_id, oleg.name, ivan.manager_id, ivan.name) == (
        MANAGER,
        "Oleg",
        OTHER_MANAGER,
        "Ivan",
    )
    assert (oleg.received, ivan.received) == (3, 2)  # deal 4 counts for whom it was handed to
    # Oleg took 1-4 (4 was handed over after): 600, 1800, 3600, 7200: median the 2nd, 90th the 4th.
    assert (oleg.take_median_s, oleg.take_p90_s, oleg.reply_median_s, oleg.reply_p90_s) == (
        1800,
        7200,
        1200,
        1200,
    )
    assert (ivan.take_median_s, ivan.take_p90_s, ivan.reply_median_s) == (300, 300, None)  # 6: before
    assert (oleg.open_deals, oleg.overdue, ivan.open_deals, ivan.overdue) == (2, 1, 1, 0)
    assert oleg.norm == ivan.norm == crm_config.distribution.max_open_deals
    assert (oleg.breaches, ivan.breaches) == (1, 0)
    assert (oleg.won, oleg.lost, oleg.conversion, oleg.amount_won, oleg.average_deal) == (
        1,
        0,
        1.0,
        100_000,
        100_000,
    )
    assert (ivan.won, ivan.lost, ivan.conversion, ivan.amount_won, ivan.average_deal) == (
        1,
        1,
        0.5,
        50_000,
        50_000,
    )

    async with make_uow() as uow:  # one manager's own report: their speeds include the lead handed over
        [own] = (await managers_report(uow, crm_config, SCOPE.but(manager_id=MANAGER), now=NOW)).rows
    assert (own.manager_id, own.take_p90_s, own.received, own.open_deals) == (MANAGER, 7200, 3, 2)


async def speeds(engine: AsyncEngine, deal_id: int) -> tuple[object, ...]:
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT take_work_s, reply_work_s, first_reply_at FROM deals WHERE id = :id"),
                {"id": deal_id},
            )
        ).one()
    return tuple(row)


async def test_taking_and_the_first_reply_write_the_working_time_once(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    calendar = crm_config.calendar()
    # Arrived on Tuesday 17:00 in Moscow: one working hour that day, two on Wednesday by NOW (11:00).
    [deal_id] = await store(make_uow, [deal(manager=None, created_at=NOW - 18 * HOUR, chat_id=501)])
    async with make_uow() as uow:
        taken = await take_deal(
            uow, deal_id=deal_id, staff=await uow.staff.get(MANAGER), now=NOW, calendar=calendar
        )
    assert taken.outcome.value == "taken"
    assert (await speeds(engine, deal_id))[:2] == (3 * 3600, None)

    message = OutgoingMessage(chat_id=MANAGER, message_id=1, kind="text", text="Здравствуйте!")
    for minutes in (30, 90):  # the second reply changes nothing
        async with make_uow() as uow:
            result = await reply_to_prospect(
                uow, deal_id=deal_id, staff=await uow.staff.get(MANAGER), message=message,
                now=NOW + timedelta(minutes=minutes), calendar=calendar,
            )  # fmt: skip
        assert result.error is None
    take_s, reply_s, first_reply_at = await speeds(engine, deal_id)
    assert (take_s, reply_s) == (3 * 3600, 3 * 3600 + 1800)
    assert first_reply_at is not None


async def test_deals_from_before_get_their_speeds_at_start_up_in_batches(
    make_uow: MakeUow, engine: AsyncEngine, crm_config: CrmConfig
) -> None:
    await store(
        make_uow,
        [
            deal(created_at=NOW - 2 * HOUR, taken_at=NOW - HOUR),  # 1: handed over an hour ago
            deal(manager=None, created_at=NOW - 2 * HOUR),  # 2: not taken: nothing to measure
            deal(created_at=NOW - 2 * HOUR, taken_at=NOW - HOUR),  # 3: its first take is `taken_at`
            deal(created_at=NOW - 2 * HOUR, taken_at=NOW - HOUR),  # 4: measured already
        ],
    )
    async with make_uow() as uow:
        await uow.events.add(DealEvent(1, EventKind.TAKEN, NOW - 90 * timedelta(minutes=1), actor_id=MANAGER))
        await uow.team_figures.record_first_reply(1, at=NOW - timedelta(minutes=30), work_s=None)
        await uow.team_figures.record_take(4, work_s=42)
        await uow.commit()
    async with make_uow() as uow:
        assert await fill_missing_speeds(uow, crm_config.calendar(), batch=1) == 2
    assert (await speeds(engine, 1))[:2] == (1800, 5400)  # from the first take, not the handover
    assert (await speeds(engine, 2))[:2] == (None, None)
    assert (await speeds(engine, 3))[:2] == (3600, None)
    assert (await speeds(engine, 4))[:2] == (42, None)
    async with make_uow() as uow:  # the next start finds nothing to do
        assert await fill_missing_speeds(uow, crm_config.calendar()) == 0


async def test_the_digest_warns_of_a_share_over_its_limit_and_a_run_that_ended_in_its_window(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    await store(
        make_uow,
        [
            *(lost(MANAGER, "too_expensive", n * HOUR) for n in range(1, 6)),  # 1-5: a run, today
            *(lost(OTHER_MANAGER, "no_need", n * DAY) for n in range(10, 15)),  # 6-10: a run, days ago
            lost(SUPERVISOR, "too_expensive", 2 * HOUR),  # 11 } one client lost twice to one reason
            lost(SUPERVISOR, "too_expensive", 40 * DAY),  # 12 }
        ],
    )
    await same_client(make_uow, 11, 12)
    async with make_uow() as uow:
        contact = (await uow.deals.get(11)).contact_id  # type: ignore[union-attr]
        digest = await compose_digest(uow, crm_config, since=NOW - DAY, now=NOW)
    # The last 30 days: 11 losses, 6 "too expensive" (55 %, above 30 %), 5 "no need" (no limit).
    assert digest.loss_total == 11
    assert digest.loss_over == (("too_expensive", 6, 0.30),)
    assert digest.loss_runs == ((MANAGER, "too_expensive", 5),)  # OTHER_MANAGER's ended days ago
    assert digest.clients_lost_again == ((contact, "too_expensive", 2, 11),)

    data = json.loads(json.dumps(digest.as_data()))  # as the outbox keeps it
    expected = {
        "ru": ("Отказы: на что обратить внимание", "«Дорого» — 55 %", "Oleg: последние 5 отказов подряд",
               "Client 11 — 2 отказа"),
        "en": ("Losses to look into", "“Too expensive”: 55%", "Oleg: the last 5 losses in a row",
               "Client 11: lost 2 times"),
    }  # fmt: skip
    for locale, words in expected.items():
        translator = RecordingTranslator()
        async with make_uow() as uow:
            [message] = await render_digest_notice(
                NoticeKind.DIGEST,
                data,
                chat_id=1,
                uow=uow,
                config=crm_config,
                t=translator.bind(locale),
                now=NOW,
            )
        rendered = message.text.replace("\xa0", " ")  # type: ignore[attr-defined]
        assert translator.untranslated == []
        for word in words:
            assert word in rendered, (word, rendered)


async def test_a_quiet_digest_has_no_loss_warnings(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    await store(make_uow, [lost(MANAGER, "too_expensive", HOUR), lost(MANAGER, "no_need", HOUR)])
    async with make_uow() as uow:
        digest = await compose_digest(uow, crm_config, since=NOW - DAY, now=NOW)
    assert (digest.loss_over, digest.loss_runs, digest.clients_lost_again) == ((), (), ())  # 2 < min sample
