"""Long lists of values cut into slices that one statement may carry.

asyncpg refuses a statement with more than 32,767 bound parameters, and a long IN list makes a plan no
cache can keep; every IN list storage builds from data (ids of deals, contacts, chats) goes through
`batches`, so no statement carries more than `MAX_PARAMETERS` of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

MAX_PARAMETERS = 1000

T = TypeVar("T")


def batches(values: Iterable[T], *, size: int = MAX_PARAMETERS) -> Iterator[list[T]]:
    """Consecutive slices of `values`, each of at most `size`; none for no values."""
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch
