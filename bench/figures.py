"""What a measured run comes to, and how it is printed: percentiles, rates, ratios and plain tables."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def median(values: Sequence[float]) -> float:
    return percentile(values, 0.5)


def ratio(value: float | None, yardstick: float | None) -> str:
    if value is None or yardstick is None or not yardstick or math.isnan(value) or math.isnan(yardstick):
        return "—"
    share = value / yardstick
    return f"{share:.1f}×" if share >= 1.95 else f"{share:.2f}×" if share >= 0.095 else f"{share:.3f}×"


def ms(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "—"
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def num(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{value:,.{digits}f}"


@dataclass
class RunFigures:
    """One crowd against one bot: how many updates went in, how fast, and what came back."""

    label: str
    people: int
    updates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float | None = None
    calls: int = 0  # Bot API calls to the people (getUpdates and staff notices left out)
    messages: int = 0  # of them, sends and edits: what a bot's flood limiter paces
    failed: int = 0  # people told "something went wrong"
    missing: int = 0  # people who never got to the end (confirmation or the last echo)
    bench_busy: float | None = None  # share of the run the bench process (stand-in + people) was on CPU

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else math.nan

    def p(self, share: float) -> float:
        return percentile(self.latencies, share)

    @property
    def cpu_per_update(self) -> float | None:
        return self.cpu_seconds / self.updates if self.cpu_seconds is not None and self.updates else None

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else math.nan

    @property
    def calls_per_update(self) -> float:
        return self.calls / self.updates if self.updates else math.nan


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = (str(c) for c in cells)
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def against_targets(
    first: str,
    sqlite: Mapping[str, tuple[float, float | None]],
    postgres: Mapping[str, tuple[float, float | None]] | None,
    *,
    digits: int,
) -> str:
    """Each measured thing's median ms on SQLite and PostgreSQL beside its target (MISSED past it)."""

    def cell(result: tuple[float, float | None] | None) -> str:
        if result is None:
            return "—"
        median, target = result
        return f"{median:,.{digits}f}" + ("" if target is None or median <= target else " MISSED")

    rows = [
        [
            label,
            "—" if target is None else f"≤ {target:,g}",
            cell(sqlite[label]),
            cell(postgres.get(label) if postgres is not None else None),
        ]
        for label, (_, target) in sqlite.items()
    ]
    return table([first, "target ms", "SQLite ms", "PostgreSQL ms"], rows)
