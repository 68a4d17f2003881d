"""Percentiles by the nearest-rank method (README.md, "Reports → Managers"): the value at rank
ceil(p × n / 100) of the n values in order. Always one of the values measured, never an interpolation: a
median of 2 min and 3 h is 2 min, the time one client actually waited. The database computes the same
ranks (`storage/reports/nearest_rank.py`); this is the definition, and what the tests compare it with."""

from __future__ import annotations

from collections.abc import Iterable


def rank_of(percent: int, count: int) -> int:
    """The 1-based rank of the `percent`-th percentile among `count` values: ceil(percent × count / 100)."""
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in 1..100, got {percent}")
    return (percent * count + 99) // 100


def nearest_rank(values: Iterable[int], percent: int) -> int | None:
    """The `percent`-th percentile of `values` by nearest rank; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[rank_of(percent, len(ordered)) - 1]
