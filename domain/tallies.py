"""Counts and the worst cases behind them, as storage reports them from SQL aggregates (the digest)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """How many there are, and the worst few as (deal id, measure): seconds waiting or late, an amount."""

    count: int
    worst: tuple[tuple[int, int], ...] = ()
    split: tuple[tuple[str, int], ...] = ()  # the count by a category (new leads: by channel), biggest first


@dataclass(frozen=True)
class ClosedTally:
    """Deals closed in a window: the won ones (with their summed amount; the worst are the biggest) and
    the lost target leads (the worst are the biggest amounts among those that had one), with how many
    were lost for each reason (no reason counts as "other")."""

    won: Tally
    won_amount: int
    lost: Tally
    lost_reasons: tuple[tuple[str, int], ...] = ()
