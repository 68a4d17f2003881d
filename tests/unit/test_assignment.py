from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.assignment import Candidate, choose_manager

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def c(manager_id: int, open_deals: int, minutes_ago: int | None) -> Candidate:
    last = None if minutes_ago is None else T0 - timedelta(minutes=minutes_ago)
    return Candidate(manager_id, open_deals, last)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([c(1, 5, 10), c(2, 3, 1), c(3, 4, 100)], 2),  # fewest open deals
        ([c(1, 3, 10), c(2, 3, 60), c(3, 3, 30)], 2),  # tie: longest since the last lead
        ([c(1, 3, 10), c(2, 3, None)], 2),  # never got a lead: first in line
        ([c(1, 30, 100), c(2, 29, 1)], 2),  # at the limit: skipped
        ([c(1, 30, 100), c(2, 31, 1)], None),  # everyone full: the lead waits unsorted
        ([], None),
    ],
)
def test_least_loaded_picks_the_freest_manager_round_robin_on_ties(
    candidates: list[Candidate], expected: int | None
) -> None:
    assert choose_manager(candidates, mode="least_loaded", max_open_deals=30) == expected


def test_round_robin_ignores_load_but_respects_the_limit() -> None:
    candidates = [c(1, 1, 5), c(2, 20, 50), c(3, 30, 500)]
    assert choose_manager(candidates, mode="round_robin", max_open_deals=30) == 2


def test_repeated_round_robin_assignment_visits_everyone_in_turn() -> None:
    last: dict[int, datetime | None] = {1: None, 2: None, 3: None}
    order = []
    for step in range(6):
        chosen = choose_manager(
            [Candidate(m, 0, at) for m, at in last.items()], mode="round_robin", max_open_deals=30
        )
        assert chosen is not None
        order.append(chosen)
        last[chosen] = T0 + timedelta(minutes=step)
    assert order == [1, 2, 3, 1, 2, 3]
