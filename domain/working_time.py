"""Business calendar: working hours, days off and SLA deadline arithmetic.

Model. Every local date that is a working day (its weekday is in ``workdays`` and it is not a
holiday) has exactly one working interval, from the local ``start`` to the local ``end`` of that
date. Each interval is turned into a pair of UTC instants and all arithmetic happens on those
instants, so working time is *real elapsed time*: on a DST day an interval spanning the
transition is an hour shorter or longer than its wall-clock length, and ``add`` and
``working_between`` are exact inverses of each other.

Intervals are half-open, ``[opening, closing)``: the opening instant is working time, the closing
instant is not. ``add`` with a positive duration that runs out exactly at closing returns that
closing instant ("due today 18:00"), never the next opening, so a deadline is always a moment
reached by counting working time.

Local times that DST makes awkward are resolved so that the wall-clock-to-UTC mapping stays
monotonic (intervals never invert or overlap):

* ambiguous (repeated) wall time: the earlier occurrence (PEP 495 ``fold=0``);
* nonexistent (skipped) wall time: the first instant after the gap, i.e. the transition itself
  (02:30 on New York's spring-forward day means 03:00 EDT). A working day swallowed whole by a
  gap has no working time.

Holidays come from two sources, united: ``holidays``, a fixed set of local dates (custom days
off), and ``holiday_country``/``holiday_subdivision``, looked up per year in the ``holidays``
package through an ``lru_cache``'d module function. Storing the country code rather than
precomputed dates keeps the dataclass small, frozen and hashable while a calendar built this
year still knows next year's holidays when a deadline crosses New Year. Weekend days made working
days by decree (Russian working Saturdays, the package's ``weekend_workdays``) are working days, and
with ``pre_holiday_shorter`` the working day before a public holiday closes that much earlier
(`domain.calendar_spec.country_year` says which days those are).

Every datetime accepted must be timezone-aware (naive ones raise ``ValueError``); any zone is
accepted and every datetime returned is in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.calendar_spec import (
    CalendarError,
    CountryYear,
    check_country,
    country_year,
    holidays_for,
    parse_clock,
    parse_shortening,
    parse_workdays,
    parse_zone,
)
from domain.wall_clock import MICROSECOND, as_utc, wall_to_utc

__all__ = ["BusinessCalendar", "CalendarError", "holidays_for", "parse_workdays"]

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# A calendar whose workdays are all covered by holidays for this long has no working time at
# all; fail loudly instead of looping forever.
_MAX_IDLE_DAYS = 3_660


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team is at work; answers "when is this due" and "how much working time passed".

    ``start``/``end`` are naive local wall times of ``tz`` with ``end > start`` (no overnight
    shifts). ``always=True`` makes every moment working time and ignores all other fields except
    for validation. See the module docstring for DST and holiday semantics.
    """

    tz: ZoneInfo
    workdays: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()
    always: bool = False
    holiday_country: str = ""
    holiday_subdivision: str | None = None
    # The working day before a public holiday ends this much earlier (Russia: one hour, Labour Code
    # art. 95); only with a ``holiday_country``, whose calendar says which days those are.
    pre_holiday_shorter: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not self.workdays <= frozenset(range(7)):
            raise CalendarError(f"workdays: weekday numbers must be 0..6, got {sorted(self.workdays)}")
        if not self.workdays and not self.always:
            raise CalendarError("workdays: no working days, so no deadline could ever fall due")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise CalendarError("start/end: must be naive local times; the zone comes from tz")
        if self.pre_holiday_shorter < _ZERO:
            raise CalendarError(f"pre_holiday_shorter: must not be negative, got {self.pre_holiday_shorter}")
        if self.end <= self.start:
            raise CalendarError(f"end ({self.end:%H:%M}) must be after start ({self.start:%H:%M})")
        day = datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)
        if self.pre_holiday_shorter >= day:
            raise CalendarError(
                f"pre_holiday_shorter: {self.pre_holiday_shorter} would leave the day before a holiday no"
                f" working time ({self.start:%H:%M}-{self.end:%H:%M})"
            )
        if self.holiday_country != self.holiday_country.strip().upper():
            raise CalendarError(
                f"holiday_country: must be an upper-case ISO code, got {self.holiday_country!r}"
            )
        if self.holiday_country:
            check_country(self.holiday_country, self.holiday_subdivision)

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        days: str,
        start: str,
        end: str,
        holidays_country: str,
        always: bool,
        holidays_subdivision: str | None = None,
        pre_holiday_shorter: str | timedelta = timedelta(0),
    ) -> BusinessCalendar:
        """Build a calendar from configuration strings, validating each one.

        ``timezone`` is an IANA name (``Europe/Moscow``), ``days`` a :func:`parse_workdays` spec,
        ``start``/``end`` are ``HH:MM`` and ``holidays_country`` an ISO code or ``""`` for none.
        Every field is validated even when ``always`` is set, so a broken value is reported
        before someone turns 24/7 mode off. Raises :class:`CalendarError` naming the field.
        """
        country = holidays_country.strip().upper()
        if country:
            try:
                check_country(country, holidays_subdivision)
            except CalendarError as exc:
                raise CalendarError(f"holidays_country: {exc}") from None
        return cls(
            tz=parse_zone(timezone),
            workdays=parse_workdays(days),
            start=parse_clock(start, "start"),
            end=parse_clock(end, "end"),
            always=always,
            holiday_country=country,
            holiday_subdivision=holidays_subdivision,
            pre_holiday_shorter=parse_shortening(pre_holiday_shorter),
        )

    def is_day_off(self, day: date) -> bool:
        """Whether the local date ``day`` has no working hours: a weekend day (unless a decree made it a
        working day, like a Russian working Saturday), a public holiday or a day off moved by decree,
        or one of the team's own ``holidays``."""
        if self.always:
            return False
        if day in self.holidays:
            return True
        country = self._country(day)
        if country is not None and day in country.days_off:
            return True
        if day.weekday() not in self.workdays:
            return country is None or day not in country.weekend_workdays
        return False

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is off for a holiday (public, moved by decree, or the team's own), not for
        being a weekend day."""
        if self.always:
            return False
        country = self._country(day)
        return day in self.holidays or (country is not None and day in country.days_off)

    def working_day_from(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next working day."""
        for _ in range(_MAX_IDLE_DAYS):
            if not self.is_day_off(day):
                return day
            day += _ONE_DAY
        raise CalendarError(f"calendar has no working day in the {_MAX_IDLE_DAYS} days from {day}")

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` ("in 3 working days" said on a Friday is Wednesday):
        ``day`` itself does not count, working or not."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        for _ in range(count):
            day = self.working_day_from(day + _ONE_DAY)
        return day

    def working_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """When the local ``day``'s work opens and closes, in UTC (shorter before a public holiday);
        None on a day off."""
        return None if self.always else self._interval(day)

    def _country(self, day: date) -> CountryYear | None:
        if not self.holiday_country:
            return None
        return country_year(self.holiday_country, self.holiday_subdivision, day.year)

    def is_working(self, moment: datetime) -> bool:
        """Whether ``moment`` lies inside working hours (opening inclusive, closing exclusive)."""
        moment = as_utc(moment, "moment")
        if self.always:
            return True
        opening, _ = next(self._intervals_from(moment))
        return opening <= moment

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, otherwise the next opening instant."""
        moment = as_utc(moment, "moment")
        if self.always:
            return moment
        opening, _ = next(self._intervals_from(moment))
        return max(opening, moment)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of working time has elapsed, counting from ``start``.

        Counting begins at ``next_working_moment(start)``; a zero duration therefore returns
        that moment. A positive duration that runs out exactly at closing returns the closing
        instant. For ``a >= 0`` and ``b > 0``: ``add(add(s, a), b) == add(s, a + b)``.
        Cost is one step per calendar day crossed, independent of the duration's resolution.
        """
        moment = as_utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if self.always:
            return moment + duration
        remaining = duration
        for opening, closing in self._intervals_from(moment):
            begin = max(opening, moment)
            available = closing - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: working intervals never run out")

    def latest_start(self, end: datetime, duration: timedelta) -> datetime:
        """The latest instant from which ``duration`` of working time has elapsed by ``end``: for every
        ``t``, ``add(t, duration) <= end`` exactly when ``t <= latest_start(end, duration)``.

        So "is this overdue by now?" asked of many moments becomes one comparison with one moment,
        which a database can answer from an index. ``add`` never decreases as ``t`` grows, so the
        answer is found by search: ``add(t, d) >= t + d`` bounds it from above, steps back a day,
        then two, four... find a moment below it, and bisection narrows the two to a microsecond.
        """
        end = as_utc(end, "end")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if self.always:
            return end - duration
        late = end - duration  # nothing later can qualify: working time is never more than real time
        if self.add(late, duration) <= end:
            return late
        step = _ONE_DAY
        early = late - step
        while self.add(early, duration) > end:
            if step > timedelta(days=2 * _MAX_IDLE_DAYS):
                raise CalendarError(f"calendar has no working time in the {_MAX_IDLE_DAYS} days before {end}")
            step *= 2
            early = late - step
        while late - early > MICROSECOND:  # add(early) <= end < add(late)
            middle = early + MICROSECOND * ((late - early) // MICROSECOND // 2)
            if self.add(middle, duration) <= end:
                early = middle
            else:
                late = middle
        return early

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed from ``a`` to ``b``; zero when ``b <= a``."""
        a = as_utc(a, "a")
        b = as_utc(b, "b")
        if b <= a:
            return _ZERO
        if self.always:
            return b - a
        total = _ZERO
        for opening, closing in self._intervals_from(a):
            if opening >= b:
                break
            total += min(closing, b) - max(opening, a)
        return total

    def working_seconds(self, a: datetime, b: datetime) -> int:
        """Whole seconds of working time from ``a`` to ``b``, truncated; zero when ``b <= a``. The reports'
        speeds: a lead's arrival to its take, and to the manager's first reply (README.md, "Reports")."""
        return self.working_between(a, b) // timedelta(seconds=1)

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals, in order, whose closing is after ``moment`` (endless)."""
        # Start a day early: a DST gap can push an interval's instants past its own local date.
        day = moment.astimezone(self.tz).date() - _ONE_DAY
        idle = 0
        while True:
            interval = self._interval(day)
            day += _ONE_DAY
            if interval is not None and interval[1] > moment:
                idle = 0
                yield interval
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise CalendarError(
                        f"calendar has no working time in the {_MAX_IDLE_DAYS} days before {day}"
                    )

    def _interval(self, day: date) -> tuple[datetime, datetime] | None:
        if self.is_day_off(day):
            return None
        opening = wall_to_utc(datetime.combine(day, self.start), self.tz)
        closing = wall_to_utc(datetime.combine(day, self.end), self.tz)
        if self.pre_holiday_shorter:
            country = self._country(day)
            if country is not None and day in country.pre_holiday:
                closing = max(opening, closing - self.pre_holiday_shorter)
        return (opening, closing) if closing > opening else None
