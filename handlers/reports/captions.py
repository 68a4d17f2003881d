"""Each report's key numbers as text, under its picture (README.md, "Reports → Pictures and export"):
someone may not open the picture, and a screen reader cannot read it. HTML, as messages are sent;
within Telegram's 1024 characters for a caption, the most important lines first, so that when the
menu's lines above them push it over, what is cut is the least needed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TypeVar

from domain.crm_config import CrmConfig
from domain.reports.figures import ChannelsReport, FunnelReport, LossReport, LossShare, ManagersReport
from handlers.common.formatting import (
    channel_label,
    clip,
    deal_numbers,
    esc,
    money,
    pipeline_label,
    source_label,
    stage_label,
    time_span,
    visible_length,
)
from handlers.common.i18n import Texts
from handlers.reports.charts.canvas import number, percent, reason_label

CAPTION_LIMIT = 1024  # Telegram's, for a photo's caption
QUOTE_CHARS = 80  # an "other" reason's text quoted in a caption
QUOTES = 3  # "other" texts quoted at most; the rest are in the export

K = TypeVar("K")


def fit(lines: list[str], t: Texts, limit: int = CAPTION_LIMIT) -> str:
    """As many whole lines as fit `limit` (as Telegram counts), then how many were left out."""
    for keep in range(len(lines), 0, -1):
        text = "\n".join(lines[:keep])
        if keep < len(lines):
            text += "\n" + t("caption-more", count=len(lines) - keep)
        if visible_length(text) <= limit:
            return text
    return clip(lines[0], limit) if lines else ""


def span(seconds: int | None, t: Texts) -> str:
    return "—" if seconds is None else time_span(timedelta(seconds=seconds), t)


def funnel_caption(report: FunnelReport, config: CrmConfig, t: Texts) -> str:
    funnels = [funnel for funnel in report.funnels if funnel.deals]
    q = report.questionnaire
    if not funnels and not q.started:
        return t("chart-no-data")
    lines = []
    for funnel in funnels:
        pipeline = esc(pipeline_label(config, funnel.pipeline, t.locale))
        lines.append(
            t("caption-funnel", pipeline=pipeline, deals=funnel.deals, won=funnel.won, lost=funnel.lost,
              open=funnel.open, overall=percent(funnel.overall, t))
        )  # fmt: skip
        if funnel.worst_step and funnel.lost:
            stage = esc(stage_label(config, funnel.pipeline, funnel.worst_step, t.locale))
            lines.append(t("caption-funnel-worst", stage=stage))
        steps = " → ".join(
            f"{esc(stage_label(config, funnel.pipeline, step.stage, t.locale))} {number(step.reached, t)}"
            + (f" ({percent(step.conversion, t)})" if step.conversion is not None else "")
            for step in funnel.steps
        )
        lines.append(steps)
        times = [
            f"{esc(stage_label(config, funnel.pipeline, step.stage, t.locale))} {span(step.median_s, t)}"
            for step in funnel.steps
            if step.median_s is not None
        ]
        if times:
            lines.append(t("caption-funnel-times", times=", ".join(times)))
    if q.started:
        lines.append(t("caption-questionnaire", started=q.started, finished=q.finished, target=q.target))
    lines.append(t("caption-funnel-counting"))
    return fit(lines, t)


def losses_caption(
    report: LossReport, config: CrmConfig, t: Texts, *, names: Mapping[int, str] | None = None
) -> str:
    """`names`: the managers' names by id, for the runs of losses and the line by manager (their ids
    otherwise). The warnings first, then the repeated clients, the «Другое» texts, each manager's and
    each pipeline's top reason, and last each reason's share, which the picture shows too: what `fit`
    cuts is the end."""
    if not report.total:
        return t("chart-no-data")

    def reason(key: str) -> str:
        return esc(reason_label(config, key, t))

    def manager(manager_id: int) -> str:
        return esc(clip((names or {}).get(manager_id) or t("owner-unknown", id=manager_id), 40))

    lines = [t("caption-losses", count=report.total)]
    lines.extend(
        t("caption-losses-over", reason=reason(share.reason), share=percent(share.share, t),
          limit=percent(share.limit, t))
        for share in report.reasons
        if share.over and share.limit is not None
    )  # fmt: skip
    if not report.sample_enough:
        lines.append(t("caption-losses-small-sample", count=config.reports.min_sample))
    lines.extend(
        t("caption-losses-run", manager=manager(run.manager_id), count=run.count, reason=reason(run.reason))
        for run in report.runs
        if run.manager_id is not None
    )
    lines.extend(
        t("caption-losses-client", count=client.count, reason=reason(client.reason),
          deals=deal_numbers(client.deal_ids, t))
        for client in report.clients
    )  # fmt: skip
    lines.extend(
        t("caption-losses-other", id=deal_id, text=esc(clip(text, QUOTE_CHARS)))
        for deal_id, text in report.other_texts[:QUOTES]
    )
    if len(report.other_texts) > QUOTES:
        lines.append(t("caption-losses-other-more", count=len(report.other_texts) - QUOTES))
    if len(report.by_manager) > 1:
        lines.append(t("caption-losses-by-manager", tops=top_reasons(report.by_manager, manager, reason, t)))
    if len(report.by_pipeline) > 1:

        def pipeline(key: str) -> str:
            return esc(pipeline_label(config, key, t.locale))

        tops = top_reasons(report.by_pipeline, pipeline, reason, t)
        lines.append(t("caption-losses-by-pipeline", tops=tops))
    lines.extend(
        t("caption-losses-reason", reason=reason(share.reason), share=percent(share.share, t),
          count=share.count)
        for share in report.reasons
    )  # fmt: skip
    return fit(lines, t)


def top_reasons(
    groups: Sequence[tuple[K, Sequence[LossShare]]],
    name: Callable[[K], str],
    reason: Callable[[str], str],
    t: Texts,
) -> str:
    """Each group's (a manager's, a pipeline's) biggest reason and its share: "Олег — Дорого 60 %; …"."""
    return "; ".join(
        f"{name(key)} — {reason(shares[0].reason)} {percent(shares[0].share, t)}"
        for key, shares in groups
        if shares
    )


def managers_caption(report: ManagersReport, config: CrmConfig, t: Texts) -> str:
    if not report.rows:
        return t("chart-no-data")
    lines = [
        t(
            "caption-manager", name=esc(clip(row.name, 40)), received=row.received,
            take=span(row.take_median_s, t), reply=span(row.reply_median_s, t), open=row.open_deals,
            norm=row.norm, won=row.won, lost=row.lost, conversion=percent(row.conversion, t),
            amount=money(row.amount_won, config, t.locale),
        )
        + ("; " + t("caption-manager-overloaded") if row.open_deals > row.norm else "")
        + ("; " + t("caption-manager-overdue", count=row.overdue) if row.overdue else "")
        + ("; " + t("caption-manager-breaches", count=row.breaches) if row.breaches else "")
        for row in report.rows
    ]  # fmt: skip
    return fit(lines, t)


def channels_caption(report: ChannelsReport, config: CrmConfig, t: Texts) -> str:
    rows = [row for row in report.rows if row.leads or row.inquiries]
    if not rows:
        return t("chart-no-data")
    lines = []
    for row in rows:
        name = esc(f"{channel_label(row.channel, t)} · {source_label(config, row.source, t.locale, t)}")
        line = t(
            "caption-channel", name=name, inquiries=row.inquiries, leads=row.leads, won=row.won,
            conversion=percent(row.conversion, t), non_target=percent(row.non_target_share, t),
        )  # fmt: skip
        if row.cost_per_lead is not None:
            line += ", " + t("caption-channel-cpl", cost=money(row.cost_per_lead, config, t.locale))
        if row.cost_per_won is not None:
            line += ", " + t("caption-channel-cpw", cost=money(row.cost_per_won, config, t.locale))
        lines.append(line)
    return fit(lines, t)
