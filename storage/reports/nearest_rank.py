"""A percentile by nearest rank, computed by the database with window functions (README.md, "Reports"):
the p-th percentile of n values is the ceil(p·n)-th smallest, one of the values itself. The same SQL on
SQLite and PostgreSQL (neither's percentile functions are shared: SQLite has none)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, case, func


def rank_and_count(value: Any, *partition: Any) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """Select these two beside `value` in a subquery: its rank among the partition's values (from 1, the
    smallest first) and how many values the partition has."""
    rank = func.row_number().over(partition_by=list(partition), order_by=value)
    count = func.count().over(partition_by=list(partition))
    return rank, count


def at_rank(value: Any, rank: Any, count: Any, share: Fraction) -> ColumnElement[int]:
    """An aggregate over that subquery, grouped by the partition: the value at rank ceil(share·count),
    in integers (share 1/2: the median, 9/10: the 90th percentile)."""
    wanted = (count * share.numerator + (share.denominator - 1)) // share.denominator
    return func.min(case((rank >= wanted, value)))
