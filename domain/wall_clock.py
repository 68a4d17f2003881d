"""Team wall-clock times as UTC instants: a naive local time mapped through DST folds (the earlier
occurrence) and gaps (the transition itself), monotonically, as `domain.working_time` describes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MICROSECOND = timedelta(microseconds=1)


def wall_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """Map a naive local wall time to UTC, resolving DST folds and gaps as the module describes."""
    guess = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # earlier occurrence if ambiguous
    if guess.astimezone(tz).replace(tzinfo=None) == wall:
        return guess
    # In a gap, fold=1 lands before the transition and fold=0 after it; bisect for the transition.
    lo = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = guess
    before = lo.astimezone(tz).utcoffset()
    while hi - lo > MICROSECOND:
        middle = lo + (hi - lo) / 2
        if middle.astimezone(tz).utcoffset() == before:
            lo = middle
        else:
            hi = middle
    return hi


def as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)
