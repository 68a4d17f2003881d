"""What a report covers: a period in the team's time zone, and filters by pipeline, manager, channel and
source (README.md, "Reports")."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from domain.next_contact_time import local_time


class PeriodKind(StrEnum):
    TODAY = "today"
    WEEK = "7d"  # the last 7 days, today included
    MONTH_BACK = "30d"  # the last 30 days, today included
    THIS_MONTH = "month"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"  # typed: from one day to another, both included


@dataclass(frozen=True)
class Period:
    """[since, until) in UTC, from midnight to midnight in the team's time zone; `first` and `last` are the
    days as the team reads them (both included)."""

    kind: PeriodKind
    since: datetime
    until: datetime
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period_of(kind: PeriodKind, *, now: datetime, timezone: str) -> Period:
    """A preset period as of `now` (not CUSTOM: see `days_period`)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    match kind:
        case PeriodKind.TODAY:
            first, last = today, today
        case PeriodKind.WEEK:
            first, last = today - timedelta(days=6), today
        case PeriodKind.MONTH_BACK:
            first, last = today - timedelta(days=29), today
        case PeriodKind.THIS_MONTH:
            first, last = today.replace(day=1), today
        case PeriodKind.LAST_MONTH:
            last = today.replace(day=1) - timedelta(days=1)
            first = last.replace(day=1)
        case PeriodKind.CUSTOM:
            raise ValueError("a typed period is made by days_period")
    return days_period(first, last, timezone=timezone, kind=kind)


def days_period(first: date, last: date, *, timezone: str, kind: PeriodKind = PeriodKind.CUSTOM) -> Period:
    """From the start of `first` to the end of `last`, team time (swapped when given the other way)."""
    first, last = min(first, last), max(first, last)
    since = local_time(first, time(0, 0), timezone=timezone)
    until = local_time(last + timedelta(days=1), time(0, 0), timezone=timezone)
    return Period(kind, since, until, first, last)


def months_in(period: Period) -> float:
    """How many months the period spans, counting each month's share of its days: a month's spend times
    this is what the period cost (`[[sources]].spend` is a month's)."""
    total, day = 0.0, period.first
    while day <= period.last:
        month_end = day + relativedelta(day=31)
        stop = min(month_end, period.last)
        total += ((stop - day).days + 1) / month_end.day
        day = stop + timedelta(days=1)
    return total


@dataclass(frozen=True)
class ReportScope:
    """The period and the filters one report is drawn for; None: every pipeline, manager, channel, source.
    A manager's own `/report` always has their id in `manager_id`."""

    period: Period
    pipeline: str | None = None
    manager_id: int | None = None
    channel: str | None = None
    source: str | None = None

    def but(self, **changes: object) -> ReportScope:
        return replace(self, **changes)  # type: ignore[arg-type]
