"""Whole seconds between two moments, computed by the database exactly as the domain would compute them.

The digest ranks its worst cases by `max(int((later - earlier).total_seconds()), 0)`: truncated whole
seconds, so two cases a fraction of a second apart tie and the smaller deal number goes first. Ordering
by the raw times instead would rank such a pair by the fraction; `whole_seconds` gives SQL the same
whole numbers, from microseconds, on both databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class whole_seconds(FunctionElement[int]):  # lower case: used like a SQL function, as SQLAlchemy's are
    """`whole_seconds(later, earlier)`: seconds from `earlier` to `later`, truncated, never below 0."""

    type = BigInteger()
    name = "whole_seconds"
    inherit_cache = True

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


def _operands(element: whole_seconds, compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(whole_seconds, "sqlite")
def _sqlite(element: whole_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps a moment as text, "YYYY-MM-DD HH:MM:SS.ffffff": whole seconds since the epoch from
    # strftime, the microseconds from the fraction (padded, so a moment written without one reads 0).
    def micros(moment: str) -> str:
        return (
            f"(CAST(strftime('%s', {moment}) AS INTEGER) * 1000000"
            f" + CAST(substr({moment} || '000000', 21, 6) AS INTEGER))"
        )

    later, earlier = _operands(element, compiler, **kw)
    return f"max(({micros(later)} - {micros(earlier)}) / 1000000, 0)"


@compiles(whole_seconds, "postgresql")
def _postgresql(element: whole_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    def micros(moment: str) -> str:
        return f"CAST(EXTRACT(EPOCH FROM {moment}) * 1000000 AS BIGINT)"

    later, earlier = _operands(element, compiler, **kw)
    return f"GREATEST(({micros(later)} - {micros(earlier)}) / 1000000, 0)"
