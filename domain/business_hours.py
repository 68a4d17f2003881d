"""`[business_hours]` of the team's config: when the team works, and the business calendar built from it."""

from __future__ import annotations

from datetime import timedelta

from pydantic import model_validator

from domain.calendar_spec import CalendarError, parse_shortening
from domain.config_types import Strict
from domain.working_time import BusinessCalendar


class BusinessHours(Strict):
    always: bool = False
    days: str = "mon-fri"
    start: str = "09:00"
    end: str = "18:00"
    holidays: str = "RU"
    # The working day before a public holiday is this much shorter: "1h" by default for Russia (Labour
    # Code art. 95), "0m" (none) for every other country.
    pre_holiday_shorter: str | None = None

    @model_validator(mode="after")
    def _shortening_is_a_duration(self) -> BusinessHours:
        self.shortening()
        return self

    def shortening(self) -> timedelta:
        """How much earlier the working day before a public holiday ends."""
        value = self.pre_holiday_shorter
        if value is None:
            return timedelta(hours=1) if self.holidays.strip().upper() == "RU" else timedelta(0)
        try:
            return parse_shortening(value)
        except CalendarError as error:
            raise ValueError(str(error)) from None

    def calendar(self, timezone: str) -> BusinessCalendar:
        return BusinessCalendar.build(
            timezone=timezone,
            days=self.days,
            start=self.start,
            end=self.end,
            holidays_country=self.holidays,
            always=self.always,
            pre_holiday_shorter=self.shortening(),
        )
