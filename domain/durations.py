"""Compact duration strings such as ``15m``, ``4h`` or ``1h30m``.

These appear in team configuration (SLA limits, reminder offsets) and in bot commands, so
parsing is strict and every rejection carries a message that can be shown to a person as is:
a typo in a deadline must not silently turn into a different deadline.

Grammar (case-insensitive, whitespace allowed around numbers and units)::

    duration := part+          parts in the order d, h, m, s; each unit at most once
    part     := digits unit     digits are ASCII 0-9; unit is one of d, h, m, s

``d`` is a calendar day of 24 hours; whether such a duration is counted in working time is
the caller's business (see :mod:`domain.working_time`).
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["DurationError", "format_duration", "parse_duration"]

_UNITS: dict[str, int] = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_ORDER = tuple(_UNITS)
_PART = re.compile(r"([0-9]+)\s*([a-z]*)", re.ASCII)
_EXAMPLE = "e.g. '90s', '15m', '4h', '2d' or '1h30m'"


class DurationError(ValueError):
    """A duration string could not be parsed; the message explains why in plain English."""


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration string into a strictly positive ``timedelta``.

    Raises :class:`DurationError` for empty input, zero or negative totals, fractional numbers,
    unknown or missing units, units out of order or repeated, and anything else that does not
    match the grammar. Zero is rejected because every use of a duration here (a deadline, a
    reminder offset) is meaningless at zero and a ``0m`` in configuration is almost always a typo.
    """
    source = text
    text = text.strip().lower()
    if not text:
        raise DurationError(f"duration is empty; expected {_EXAMPLE}")

    total = 0
    last_rank = -1
    pos = 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            raise DurationError(_garbage_message(source, text[pos], at_start=pos == 0))
        digits, unit = match.groups()
        if not unit and re.match(r"[.,][0-9]", text[match.end() :]):
            raise DurationError(
                f"duration {source!r} has a fractional number; use whole units, e.g. '1h30m' not '1.5h'"
            )
        if not unit:
            raise DurationError(f"number {digits} in duration {source!r} has no unit; use d, h, m or s")
        if unit not in _UNITS:
            raise DurationError(f"unknown unit {unit!r} in duration {source!r}; use d, h, m or s")
        rank = _ORDER.index(unit)
        if rank == last_rank:
            raise DurationError(f"unit {unit!r} appears more than once in duration {source!r}")
        if rank < last_rank:
            raise DurationError(
                f"units in duration {source!r} must go from largest to smallest (d, h, m, s), e.g. '1h30m'"
            )
        last_rank = rank
        total += int(digits) * _UNITS[unit]
        pos = _skip_spaces(text, match.end())

    if total == 0:
        raise DurationError(f"duration {source!r} is zero; it must be greater than zero")
    try:
        return timedelta(seconds=total)
    except OverflowError:
        raise DurationError(f"duration {source!r} is too large") from None


def format_duration(value: timedelta) -> str:
    """Render ``value`` in the canonical compact form: ``1h30m``, ``2d4h``, ``45s``, ``0s``.

    Zero-valued units are omitted and fractions of a second are truncated, so for any whole
    number of seconds greater than zero ``parse_duration(format_duration(td)) == td``.
    Negative values get a leading ``-`` (useful for "overdue by" log lines); ``parse_duration``
    does not accept that form.
    """
    if value < timedelta(0):
        return "-" + format_duration(-value)
    remaining = value.days * 86_400 + value.seconds
    parts: list[str] = []
    for unit, size in _UNITS.items():
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _garbage_message(source: str, char: str, *, at_start: bool) -> str:
    if char == "-" and at_start:
        return f"duration {source!r} is negative; it must be greater than zero"
    return f"cannot read duration {source!r}; expected {_EXAMPLE}"
