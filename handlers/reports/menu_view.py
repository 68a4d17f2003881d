"""The /report menu's screens: the text over the menu, the header of a report's caption, and the
buttons (reports, period, filters, export) with the pickers behind them (README.md, "Reports")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.models import Channel, Staff
from domain.reports.access import sees_own_only
from domain.reports.scope import Period, PeriodKind, ReportScope
from handlers.common.callbacks import ReportMenu
from handlers.common.formatting import channel_label, clip, esc, pipeline_label, source_label, staff_name
from handlers.common.i18n import Texts
from handlers.reports.menu_state import PRESETS, Do, ReportKind, reports_for, with_period

NAME_LIMIT = 24  # a name on a button
CHOSEN = "✓ "
REPORT_ICONS = {
    ReportKind.FUNNEL: "🔻",
    ReportKind.LOSSES: "❌",
    ReportKind.MANAGERS: "👥",
    ReportKind.CHANNELS: "📣",
}


def report_name(kind: ReportKind, t: Texts) -> str:
    return t(f"report-name-{kind.name.lower()}")


def period_words(period: Period, t: Texts, *, now: datetime, timezone: str) -> str:
    """ "30 дней (27.10–25.11)", "01.10–15.10": a preset's name and its days, with the year when it is
    not this one."""
    this_year = now.astimezone(ZoneInfo(timezone)).year
    pattern = "%d.%m" if period.first.year == period.last.year == this_year else "%d.%m.%Y"
    days = (
        period.first.strftime(pattern)
        if period.days == 1
        else (f"{period.first.strftime(pattern)}–{period.last.strftime(pattern)}")
    )
    if period.kind is PeriodKind.CUSTOM:
        return days
    return t("report-period-named", name=t(_period_key(period.kind)), days=days)


def _period_key(kind: PeriodKind) -> str:
    return "report-period-" + kind.value.replace("_", "-")


def scope_lines(
    scope: ReportScope, staff: Staff, config: CrmConfig, t: Texts, *, names: dict[int, str], now: datetime
) -> list[str]:
    """What a report covers, said in the menu's text and over every caption."""
    lines = [t("report-period-line", period=period_words(scope.period, t, now=now, timezone=config.timezone))]
    filters = []
    if scope.pipeline is not None:
        filters.append(pipeline_label(config, scope.pipeline, t.locale))
    if scope.manager_id is not None and not sees_own_only(staff):
        filters.append(names.get(scope.manager_id, str(scope.manager_id)))
    if scope.channel is not None:
        filters.append(channel_label(scope.channel, t))
    if scope.source is not None:
        filters.append(source_label(config, scope.source, t.locale, t))
    if filters:
        lines.append(t("report-filters-line", filters=esc(" · ".join(filters))))
    if sees_own_only(staff):
        lines.append(t("report-own-only"))
    return lines


def menu_text(lines: list[str], t: Texts, *, export: bool = False) -> str:
    return "\n".join(
        [t("report-menu-title"), *lines, "", t("report-export-hint" if export else "report-menu-hint")]
    )


def _button(text: str, data: ReportMenu, **changes: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.model_copy(update=changes).pack())


def menu_keyboard(
    data: ReportMenu, staff: Staff, config: CrmConfig, t: Texts, *, names: dict[int, str], period: Period,
    now: datetime,
) -> InlineKeyboardMarkup:  # fmt: skip
    """Reports two by two (the one shown marked), the period, the filters, the export."""
    reports = [
        _button((CHOSEN if data.r == kind.value else REPORT_ICONS[kind] + " ") + report_name(kind, t), data,
                do=Do.SHOW.value, r=kind.value)
        for kind in reports_for(staff)
    ]  # fmt: skip
    rows = [reports[i : i + 2] for i in range(0, len(reports), 2)]
    rows.append(
        [
            _button(
                "📅 " + period_words(period, t, now=now, timezone=config.timezone), data, do=Do.PERIOD.value
            )
        ]
    )
    pipeline = (
        t("report-all-pipelines")
        if data.pl is None
        else pipeline_label(config, config.pipelines[data.pl].key, t.locale)
    )
    filters = [_button("🗂 " + clip(pipeline, NAME_LIMIT), data, do=Do.PIPELINE.value)]
    if not sees_own_only(staff):
        manager = t("report-all-managers") if data.m is None else names.get(data.m, str(data.m))
        filters.append(_button("👤 " + clip(manager, NAME_LIMIT), data, do=Do.MANAGER.value))
    rows.append(filters)
    channel = t("report-all-channels") if not data.ch else channel_label(data.ch, t)
    source = (
        t("report-all-sources")
        if data.s is None
        else source_label(config, config.sources[data.s].key, t.locale, t)
    )
    rows.append([
        _button("📡 " + clip(channel, NAME_LIMIT), data, do=Do.CHANNEL.value),
        _button("🏷 " + clip(source, NAME_LIMIT), data, do=Do.SOURCE.value),
    ])  # fmt: skip
    rows.append([_button(t("report-btn-export"), data, do=Do.EXPORT.value)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def picker(
    data: ReportMenu, staff: Staff, config: CrmConfig, t: Texts, *, managers: list[Staff], period: Period,
) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    """The values of one filter, "all" first, the chosen one marked; a value leads back to the report
    (or the menu, when no report is chosen yet): the second tap of a filter is its last."""
    after = Do.SHOW.value if data.r else Do.MENU.value
    choices: Sequence[tuple[str, bool, Mapping[str, object]]]
    match Do(data.do):
        case Do.PERIOD:
            choices = [(t(_period_key(kind)), data.p == kind.value, {"p": kind.value}) for kind in PRESETS]
            title = "report-pick-period"
        case Do.PIPELINE:
            choices = [(t("report-all-pipelines"), data.pl is None, {"pl": None})] + [
                (pipeline_label(config, p.key, t.locale), data.pl == i, {"pl": i})
                for i, p in enumerate(config.pipelines)
            ]
            title = "report-pick-pipeline"
        case Do.MANAGER:
            choices = [(t("report-all-managers"), data.m is None, {"m": None})] + [
                (staff_name(m, t), data.m == m.telegram_id, {"m": m.telegram_id}) for m in managers
            ]
            title = "report-pick-manager"
        case Do.CHANNEL:
            choices = [(t("report-all-channels"), not data.ch, {"ch": ""})] + [
                (channel_label(c.value, t), data.ch == c.value, {"ch": c.value}) for c in Channel
            ]
            title = "report-pick-channel"
        case _:
            choices = [(t("report-all-sources"), data.s is None, {"s": None})] + [
                (source_label(config, s.key, t.locale, t), data.s == i, {"s": i})
                for i, s in enumerate(config.sources)
            ]
            title = "report-pick-source"
    buttons = [
        _button((CHOSEN if chosen else "") + clip(label, NAME_LIMIT * 2), data, do=after, **changes)
        for label, chosen, changes in choices
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if data.do == Do.PERIOD.value:
        rows.append([_button(t("report-btn-type"), data, do=Do.TYPE.value)])
    rows.append([_button(t("report-btn-back"), data, do=after)])
    return t(title), InlineKeyboardMarkup(inline_keyboard=rows)


def typed_button(data: ReportMenu, period: Period) -> ReportMenu:
    """Where a typed range leads: the report with it, or the menu."""
    return with_period(data, period).model_copy(update={"do": Do.SHOW.value if data.r else Do.MENU.value})


def cancel_keyboard(data: ReportMenu, t: Texts) -> InlineKeyboardMarkup:
    back = Do.SHOW.value if data.r else Do.MENU.value
    return InlineKeyboardMarkup(inline_keyboard=[[_button(t("report-btn-cancel-typing"), data, do=back)]])
