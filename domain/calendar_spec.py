"""What a business calendar is built from, read and checked: the working week (``mon-fri``), opening and
closing times, the time zone, and a country's public holidays from the ``holidays`` package. Every
mistake raises :class:`CalendarError` naming the field, so a bad config is one clear line at start-up.
The arithmetic on working time is in :mod:`domain.working_time`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from domain.durations import DurationError, parse_duration

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)


class CalendarError(ValueError):
    """Invalid calendar configuration; the message names the offending field or value."""


def parse_workdays(spec: str) -> frozenset[int]:
    """Parse a working-week spec into weekday numbers (0 = Monday .. 6 = Sunday).

    Accepts comma-separated days and ranges of English day names, three-letter or full,
    case-insensitive: ``mon-fri``, ``mon,wed,fri``, ``mon-fri,sun``. Ranges wrap around the
    week (``sun-thu`` is Sunday to Thursday) because that is how such weeks are written.
    """
    if not spec.strip():
        raise CalendarError("days: working days are empty; expected e.g. 'mon-fri'")
    result: set[int] = set()
    for item in spec.lower().split(","):
        bounds = [bound.strip() for bound in item.split("-")]
        if len(bounds) > 2:
            raise CalendarError(f"days: {item.strip()!r} is not a day or a range like 'mon-fri'")
        first, last = (_day_number(bound, spec) for bound in (bounds[0], bounds[-1]))
        result.update((first + offset) % 7 for offset in range((last - first) % 7 + 1))
    return frozenset(result)


_NO_TIME = re.compile(r"(?:0+\s*[dhms]?\s*)+")


def parse_shortening(value: str | timedelta) -> timedelta:
    """How much shorter a pre-holiday working day is: ``"1h"``, ``"30m"``; ``"0"``, ``"0m"`` for none."""
    if isinstance(value, timedelta):
        shortening = value
    elif _NO_TIME.fullmatch(value.strip().lower()):  # "0", "0m", "0h0m": none at all
        shortening = timedelta(0)
    else:
        try:
            shortening = parse_duration(value)
        except DurationError as error:
            raise CalendarError(f"pre_holiday_shorter: {error}") from None
    if shortening < timedelta(0):
        raise CalendarError(f"pre_holiday_shorter: must not be negative, got {shortening}")
    return shortening


def holidays_for(country: str, years: Iterable[int], subdivision: str | None = None) -> frozenset[date]:
    """Public holidays of ``country`` (ISO code, any case) in ``years``, per the ``holidays`` package.

    An empty country means "no public holidays" and gives an empty set. An unknown country or
    subdivision raises :class:`CalendarError` naming it, even when ``years`` is empty.
    """
    code = country.strip().upper()
    if not code:
        return frozenset()
    check_country(code, subdivision)
    result: set[date] = set()
    for year in years:
        result |= country_year(code, subdivision, year).days_off
    return frozenset(result)


@functools.lru_cache(maxsize=64)
def check_country(country: str, subdivision: str | None) -> None:
    known = country in holidays_lib.list_supported_countries()
    if known and subdivision is not None:
        calendar = holidays_lib.country_holidays(country)
        known = subdivision in (*calendar.subdivisions, *getattr(calendar, "subdivisions_aliases", {}))
    if not known:
        where = f"{country!r}" if subdivision is None else f"{country!r} subdivision {subdivision!r}"
        raise CalendarError(f"unknown holiday country {where}; expected an ISO code like 'RU'")


@dataclass(frozen=True)
class CountryYear:
    """One year of a country's calendar as the ``holidays`` package knows it."""

    days_off: frozenset[date]  # public holidays, their observed days and days off moved by decree
    holidays: frozenset[date]  # the public holidays proper (not an observed or moved day off)
    weekend_workdays: frozenset[date]  # weekend days made working days by decree (a Russian Saturday)
    pre_holiday: frozenset[date]  # days whose working day is shorter when they are working days


@functools.lru_cache(maxsize=512)
def country_year(country: str, subdivision: str | None, year: int) -> CountryYear:
    """One year of a country's calendar, cached: deadline math asks for the same year per day crossed.

    The day before a public holiday is a pre-holiday day (in Russia a working day there is one hour
    shorter, Labour Code art. 95). A day off moved by decree is not a holiday, so the day before it is
    not shortened (30 December 2025, before the moved day off of 31 December); but a weekend day made a
    working day stands in for the day off it was moved to, and is shortened when that day would have
    been (Saturday 1 November 2025 works for Monday 3 November, the day before 4 November). The
    package lists no shortened days of its own, so they are derived here from what it does list.
    """
    # Names in the country's own language, the one its "moved from <date>" label is written in (the
    # package otherwise follows the process locale).
    language = holidays_lib.country_holidays(country, subdiv=subdivision).default_language
    years = (year, year + 1)
    calendar = holidays_lib.country_holidays(country, subdiv=subdivision, years=years, language=language)
    proper = holidays_lib.country_holidays(
        country, subdiv=subdivision, years=years, language=language, observed=False
    )
    moved_label = getattr(calendar, "substituted_label", None)
    moved_format = getattr(calendar, "substituted_date_format", None)

    def moved_from(day: date) -> str:
        return moved_label % day.strftime(moved_format) if moved_label and moved_format else ""

    moved_prefix = moved_label.split("%s")[0] if moved_label else None
    holidays = frozenset(
        day
        for day in proper
        if any(not (moved_prefix and name.startswith(moved_prefix)) for name in proper.get_list(day))
    )
    workdays = frozenset(getattr(calendar, "weekend_workdays", ()))
    pre_holiday = {day - timedelta(days=1) for day in holidays}
    for workday in workdays:
        label = moved_from(workday)
        for day in calendar:
            if label in calendar.get_list(day) and day + timedelta(days=1) in holidays:
                pre_holiday.add(workday)
    return CountryYear(
        days_off=frozenset(day for day in calendar if day.year == year),
        holidays=frozenset(day for day in holidays if day.year == year),
        weekend_workdays=frozenset(day for day in workdays if day.year == year),
        pre_holiday=frozenset(day for day in pre_holiday if day.year == year),
    )


def _day_number(name: str, spec: str) -> int:
    for number, full in enumerate(_DAYS):
        if name in (full, full[:3]):
            return number
    raise CalendarError(f"days: unknown day {name!r} in {spec!r}; use mon, tue, wed, thu, fri, sat, sun")


def parse_clock(value: str, field: str) -> time:
    match = _CLOCK.fullmatch(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise CalendarError(f"{field}: expected a time like '09:00', got {value!r}")
    return time(int(match[1]), int(match[2]))


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(
            f"timezone: unknown time zone {name!r}; expected an IANA name like 'Europe/Moscow'"
        ) from None
