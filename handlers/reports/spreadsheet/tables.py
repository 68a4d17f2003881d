"""The export's tables, as rows of plain values with a kind for each column (README.md, "Reports →
Pictures and export"): the four reports, the deals with every field and answer, the event log. The
workbook and the CSV files are written from these (`writing.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.crm_config import CrmConfig
from domain.models import DealEvent
from domain.reports.exported import ExportedDeal
from domain.reports.figures import ChannelsReport, FunnelReport, LossReport, LossShare, ManagersReport
from handlers.common.answers import answer_label
from handlers.common.formatting import channel_label, pipeline_label, source_label, stage_label
from handlers.common.i18n import Texts

Value = str | int | float | datetime | None


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    SHARE = "share"  # a fraction, shown as a percentage
    MOMENT = "moment"  # a time, in the team's time zone
    SECONDS = "seconds"  # a span of time, shown as hours and minutes


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: int = 14  # characters


@dataclass(frozen=True)
class Table:
    key: str  # a CSV file's name part: funnel, losses, managers, channels, deals, events
    title: str  # the sheet's name
    columns: tuple[Column, ...]


def local(moment: datetime | None, config: CrmConfig) -> datetime | None:
    """A moment as the team's wall clock reads it, without a zone (a spreadsheet has none)."""
    return moment.astimezone(ZoneInfo(config.timezone)).replace(tzinfo=None) if moment else None


def yes_no(value: bool, t: Texts) -> str:
    return t("sheet-yes") if value else t("sheet-no")


def funnel_table(t: Texts) -> Table:
    return Table("funnel", t("sheet-funnel"), (
        Column(t("sheet-col-pipeline"), width=22), Column(t("sheet-col-step"), width=26),
        Column(t("sheet-col-count"), Kind.NUMBER), Column(t("sheet-col-conversion"), Kind.SHARE),
        Column(t("sheet-col-average"), Kind.SECONDS), Column(t("sheet-col-median"), Kind.SECONDS),
    ))  # fmt: skip


def funnel_rows(report: FunnelReport, config: CrmConfig, t: Texts) -> Iterator[list[Value]]:
    q, questions = report.questionnaire, config.intake.questions
    before = q.started
    yield [t("sheet-questionnaire"), t("chart-q-started"), q.started, None, None, None]
    named = [
        (questions[n].title(t.locale) if n < len(questions) else t("chart-q-question", number=n + 1), count)
        for n, count in enumerate(q.answered)
    ]
    for name, count in [*named, (t("chart-q-finished"), q.finished), (t("chart-q-target"), q.target)]:
        yield [t("sheet-questionnaire"), name, count, count / before if before else None, None, None]
        before = count
    for funnel in report.funnels:
        pipeline = pipeline_label(config, funnel.pipeline, t.locale)
        for step in funnel.steps:
            stage = stage_label(config, funnel.pipeline, step.stage, t.locale)
            yield [pipeline, stage, step.reached, step.conversion, step.average_s, step.median_s]
        last = funnel.steps[-1].reached if funnel.steps else 0
        yield [pipeline, t("chart-funnel-won"), funnel.won, funnel.won / last if last else None, None, None]
        yield [pipeline, t("sheet-lost"), funnel.lost, None, None, None]
        yield [pipeline, t("sheet-open"), funnel.open, None, None, None]
        yield [pipeline, t("sheet-overall"), funnel.deals, funnel.overall, None, None]


def losses_table(t: Texts) -> Table:
    return Table("losses", t("sheet-losses"), (
        Column(t("sheet-col-scope"), width=22), Column(t("sheet-col-reason"), width=26),
        Column(t("sheet-col-count"), Kind.NUMBER), Column(t("sheet-col-share"), Kind.SHARE),
        Column(t("sheet-col-limit"), Kind.SHARE), Column(t("sheet-col-over"), width=10),
    ))  # fmt: skip


def losses_rows(
    report: LossReport, config: CrmConfig, t: Texts, names: dict[int, str]
) -> Iterator[list[Value]]:
    def rows(scope: str, shares: Iterable[LossShare]) -> Iterator[list[Value]]:
        for share in shares:
            reason = config.loss_reason(share.reason)
            name = reason.text[t.locale] if reason else share.reason
            yield [scope, name, share.count, share.share, share.limit, yes_no(share.over, t)]

    yield from rows(t("sheet-all"), report.reasons)
    for pipeline, shares in report.by_pipeline:
        yield from rows(pipeline_label(config, pipeline, t.locale), shares)
    for manager_id, shares in report.by_manager:
        yield from rows(names.get(manager_id) or t("owner-unknown", id=manager_id), shares)


def managers_table(t: Texts) -> Table:
    number, seconds = Kind.NUMBER, Kind.SECONDS
    return Table("managers", t("sheet-managers"), (
        Column(t("sheet-col-manager"), width=24), Column(t("sheet-col-leads"), number),
        Column(t("sheet-col-take-median"), seconds), Column(t("sheet-col-take-p90"), seconds),
        Column(t("sheet-col-reply-median"), seconds), Column(t("sheet-col-reply-p90"), seconds),
        Column(t("sheet-col-open"), number), Column(t("sheet-col-norm"), number),
        Column(t("sheet-col-overdue"), number), Column(t("sheet-col-breaches"), number),
        Column(t("sheet-col-won"), number), Column(t("sheet-col-lost"), number),
        Column(t("sheet-col-conversion"), Kind.SHARE), Column(t("sheet-col-amount-won"), Kind.MONEY, 16),
        Column(t("sheet-col-average-deal"), Kind.MONEY, 16),
    ))  # fmt: skip


def managers_rows(report: ManagersReport) -> Iterator[list[Value]]:
    for r in report.rows:
        yield [
            r.name, r.received, r.take_median_s, r.take_p90_s, r.reply_median_s, r.reply_p90_s, r.open_deals,
            r.norm, r.overdue, r.breaches, r.won, r.lost, r.conversion, r.amount_won, r.average_deal,
        ]  # fmt: skip


def channels_table(t: Texts) -> Table:
    number, money = Kind.NUMBER, Kind.MONEY
    return Table("channels", t("sheet-channels"), (
        Column(t("sheet-col-channel")), Column(t("sheet-col-source"), width=20),
        Column(t("sheet-col-inquiries"), number), Column(t("sheet-col-finished"), number),
        Column(t("sheet-col-leads"), number), Column(t("sheet-col-non-target"), number),
        Column(t("sheet-col-non-target-share"), Kind.SHARE), Column(t("sheet-col-won"), number),
        Column(t("sheet-col-conversion"), Kind.SHARE), Column(t("sheet-col-amount-won"), money, 16),
        Column(t("sheet-col-spend"), money, 16), Column(t("sheet-col-cost-per-lead"), money, 16),
        Column(t("sheet-col-cost-per-won"), money, 16),
    ))  # fmt: skip


def channels_rows(report: ChannelsReport, config: CrmConfig, t: Texts) -> Iterator[list[Value]]:
    for r in report.rows:
        yield [
            channel_label(r.channel, t), source_label(config, r.source, t.locale, t), r.inquiries, r.finished,
            r.leads, r.non_target, r.non_target_share, r.won, r.conversion, r.amount_won, r.spend,
            r.cost_per_lead, r.cost_per_won,
        ]  # fmt: skip


def deals_table(config: CrmConfig, t: Texts) -> Table:
    moment, seconds = Kind.MOMENT, Kind.SECONDS
    fixed = (
        Column(t("sheet-col-deal"), Kind.NUMBER, 9), Column(t("sheet-col-created"), moment, 17),
        Column(t("sheet-col-pipeline"), width=18), Column(t("sheet-col-stage"), width=20),
        Column(t("sheet-col-status"), width=12), Column(t("sheet-col-channel")),
        Column(t("sheet-col-source"), width=18), Column(t("sheet-col-temperature"), width=12),
        Column(t("sheet-col-target"), width=10), Column(t("sheet-col-client"), width=24),
        Column(t("sheet-col-phone"), width=18), Column(t("sheet-col-username"), width=18),
        Column(t("sheet-col-email"), width=24), Column(t("sheet-col-manager"), width=20),
        Column(t("sheet-col-assigned"), moment, 17), Column(t("sheet-col-taken"), moment, 17),
        Column(t("sheet-col-first-reply"), moment, 17), Column(t("sheet-col-take-work"), seconds),
        Column(t("sheet-col-reply-work"), seconds), Column(t("sheet-col-closed"), moment, 17),
        Column(t("sheet-col-reason"), width=22), Column(t("sheet-col-loss-note"), width=30),
        Column(t("sheet-col-amount"), Kind.MONEY, 16), Column(t("sheet-col-next-contact"), moment, 17),
    )  # fmt: skip
    answers = tuple(Column(q.title(t.locale), width=24) for q in config.intake.questions)
    return Table("deals", t("sheet-deals"), fixed + answers)


def deal_row(row: ExportedDeal, config: CrmConfig, t: Texts) -> list[Value]:
    deal = row.deal
    reason = config.loss_reason(deal.loss_reason) if deal.loss_reason else None
    fields: list[Value] = [
        deal.id, local(deal.created_at, config), pipeline_label(config, deal.pipeline, t.locale),
        stage_label(config, deal.pipeline, deal.stage, t.locale), t(f"sheet-status-{deal.status.value}"),
        channel_label(deal.channel.value, t), source_label(config, deal.source, t.locale, t),
        t(f"temperature-{deal.temperature.value}"), yes_no(deal.target, t), row.contact_name, row.phone,
        f"@{row.username}" if row.username else None, row.email,
        row.manager_name or (t("owner-unknown", id=deal.manager_id) if deal.manager_id else None),
        local(deal.assigned_at, config), local(deal.taken_at, config), local(row.first_reply_at, config),
        row.take_work_s, row.reply_work_s, local(deal.closed_at, config),
        reason.text[t.locale] if reason else deal.loss_reason, deal.loss_note, deal.amount,
        local(deal.next_contact_at, config),
    ]  # fmt: skip
    answers = [
        answer_label(q, deal.answers[q.key], t.locale) if q.key in deal.answers else None
        for q in config.intake.questions
    ]
    return fields + answers


def events_table(t: Texts) -> Table:
    return Table("events", t("sheet-events"), (
        Column(t("sheet-col-event"), Kind.NUMBER, 10), Column(t("sheet-col-deal"), Kind.NUMBER, 9),
        Column(t("sheet-col-at"), Kind.MOMENT, 17), Column(t("sheet-col-kind"), width=24),
        Column(t("sheet-col-actor"), Kind.NUMBER, 14), Column(t("sheet-col-details"), width=60),
    ))  # fmt: skip


def event_row(event: DealEvent, config: CrmConfig, t: Texts) -> list[Value]:
    details = json.dumps(event.data, ensure_ascii=False, sort_keys=True, default=str) if event.data else None
    kind = t(f"sheet-event-{event.kind.value.replace('_', '-')}")
    return [event.id, event.deal_id, local(event.at, config), kind, event.actor_id, details]
