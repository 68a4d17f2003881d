"""The state of the /report menu as its buttons carry it (`handlers.common.callbacks.ReportMenu`): which
report, which period, which filters. Read back into a `ReportScope`, checked against the config and the
presser, since callback data can be forged."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from domain.crm_config import CrmConfig
from domain.models import Channel, Staff
from domain.reports.access import sees_own_only, viewer_scope
from domain.reports.scope import Period, PeriodKind, ReportScope, days_period, period_of
from handlers.common.callbacks import ReportMenu

DEFAULT_PERIOD = PeriodKind.MONTH_BACK
PRESETS = (
    PeriodKind.TODAY,
    PeriodKind.WEEK,
    PeriodKind.MONTH_BACK,
    PeriodKind.THIS_MONTH,
    PeriodKind.LAST_MONTH,
)
_TYPED = re.compile(r"d(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", re.ASCII)


class ReportKind(StrEnum):
    FUNNEL = "f"
    LOSSES = "l"
    MANAGERS = "m"
    CHANNELS = "c"


class Do(StrEnum):
    """What a menu button does."""

    MENU = "menu"  # the menu with no report (or back to it)
    SHOW = "show"  # the report `r` for the state the button carries
    PERIOD = "per"  # the period picker
    TYPE = "type"  # "type a range": the next message is read as one
    PIPELINE = "pl"  # the filter pickers
    MANAGER = "mg"
    CHANNEL = "ch"
    SOURCE = "src"
    EXPORT = "exp"  # the spreadsheet files for this state


PICKERS = (Do.PERIOD, Do.PIPELINE, Do.MANAGER, Do.CHANNEL, Do.SOURCE)


def reports_for(staff: Staff) -> tuple[ReportKind, ...]:
    """A manager compares no colleagues: no Managers report."""
    if sees_own_only(staff):
        return tuple(kind for kind in ReportKind if kind is not ReportKind.MANAGERS)
    return tuple(ReportKind)


def period_code(period: Period) -> str:
    if period.kind is not PeriodKind.CUSTOM:
        return period.kind.value
    return f"d{period.first:%y%m%d}{period.last:%y%m%d}"


def period_from_code(code: str, *, now: datetime, timezone: str) -> Period | None:
    if code in {kind.value for kind in PRESETS}:
        return period_of(PeriodKind(code), now=now, timezone=timezone)
    found = _TYPED.fullmatch(code)
    if found is None:
        return None
    numbers = [int(part) for part in found.groups()]
    try:
        first = date(2000 + numbers[0], numbers[1], numbers[2])
        last = date(2000 + numbers[3], numbers[4], numbers[5])
    except ValueError:
        return None
    return days_period(first, last, timezone=timezone)


def fresh(staff: Staff, do: Do = Do.MENU) -> ReportMenu:
    """A new menu: no report, the last 30 days, everything; a manager's own numbers."""
    return ReportMenu(
        do=do.value, p=DEFAULT_PERIOD.value, m=staff.telegram_id if sees_own_only(staff) else None
    )


def checked(data: ReportMenu, *, staff: Staff, config: CrmConfig, now: datetime) -> ReportScope | None:
    """The scope a button stands for, as this person may see it; None when the button is not one this
    menu draws (forged, or drawn for a config since changed: a pipeline or source gone)."""
    if data.do not in {do.value for do in Do}:
        return None
    if data.r and (data.r not in {kind.value for kind in reports_for(staff)}):
        return None
    period = period_from_code(data.p, now=now, timezone=config.timezone)
    if period is None:
        return None
    if data.pl is not None and data.pl >= len(config.pipelines):
        return None
    if data.s is not None and data.s >= len(config.sources):
        return None
    if data.ch and data.ch not in {channel.value for channel in Channel}:
        return None
    scope = ReportScope(
        period,
        pipeline=None if data.pl is None else config.pipelines[data.pl].key,
        manager_id=data.m,
        channel=data.ch or None,
        source=None if data.s is None else config.sources[data.s].key,
    )
    return viewer_scope(staff, scope)


def with_period(data: ReportMenu, period: Period) -> ReportMenu:
    return data.model_copy(update={"p": period_code(period)})
