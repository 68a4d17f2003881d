"""What a business calendar is built from, read and checked: the working week (``mon-fri``), opening and
closing times, the time zone, and a country's public holidays from the ``holidays`` package. Every
mistake raises :class:`CalendarError` naming the field, so a bad config is one clear line at start-up.
The arithmetic on working time is in :mod:`domain.working_time`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

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
        result |= country_year(code, subdivision, year)
    return frozenset(result)


@functools.lru_cache(maxsize=64)
def check_country(country: str, subdivision: str | None) -> None:
    try:
        holidays_lib.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:  # how the holidays package says it has no such country: not a stub
        where = f"{country!r}" if subdivision is None else f"{country!r} subdivision {subdivision!r}"
        raise CalendarError(f"unknown holiday country {where}; expected an ISO code like 'RU'") from None


@functools.lru_cache(maxsize=512)
def country_year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """One year of public holidays, cached: deadline math asks for the same year per day crossed."""
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys())


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
