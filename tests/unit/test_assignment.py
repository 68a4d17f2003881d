from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.crm_config_file import load_crm_config
from domain.assignment import Candidate, choose_manager, previous_deal, returning_owner
from domain.load_norms import norm_of
from domain.models import Deal, DealStatus, Role, Staff, Temperature

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


CONFIG = load_crm_config()  # distribution.max_open_deals = 30


def c(manager_id: int, open_deals: int, minutes_ago: int | None, norm: int = 30) -> Candidate:
    last = None if minutes_ago is None else T0 - timedelta(minutes=minutes_ago)
    return Candidate(manager_id, open_deals, last, norm)


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
    assert choose_manager(candidates, mode="least_loaded") == expected


def test_round_robin_ignores_load_but_respects_the_limit() -> None:
    candidates = [c(1, 1, 5), c(2, 20, 50), c(3, 30, 500)]
    assert choose_manager(candidates, mode="round_robin") == 2


def test_repeated_round_robin_assignment_visits_everyone_in_turn() -> None:
    last: dict[int, datetime | None] = {1: None, 2: None, 3: None}
    order = []
    for step in range(6):
        chosen = choose_manager([Candidate(m, 0, at, 30) for m, at in last.items()], mode="round_robin")
        assert chosen is not None
        order.append(chosen)
        last[chosen] = T0 + timedelta(minutes=step)
    assert order == [1, 2, 3, 1, 2, 3]


def test_a_manager_s_own_norm_wins_over_the_team_s_and_none_means_the_team_s() -> None:
    assert norm_of(Staff(1, frozenset({Role.MANAGER})), CONFIG) == CONFIG.distribution.max_open_deals == 30
    assert norm_of(Staff(1, frozenset({Role.MANAGER}), max_open_deals=5), CONFIG) == 5
    assert norm_of(Staff(1, frozenset({Role.MANAGER}), max_open_deals=80), CONFIG) == 80


def test_each_manager_is_held_to_their_own_norm() -> None:
    # 1 is at their own norm of 5 though freest; 2 is under their 50 with more deals than the team's 30
    assert choose_manager([c(1, 5, 100, norm=5), c(2, 40, 1, norm=50)], mode="least_loaded") == 2
    assert choose_manager([c(1, 5, 100, norm=5), c(2, 40, 1, norm=50)], mode="round_robin") == 2
    assert choose_manager([c(1, 5, 100, norm=5), c(2, 50, 1, norm=50)], mode="least_loaded") is None


def deal(deal_id: int, manager_id: int | None, *, days_ago: int, status: DealStatus = DealStatus.WON,
         target: bool = True) -> Deal:  # fmt: skip
    at = T0 - timedelta(days=days_ago)
    return Deal(
        deal_id,
        1,
        "sales",
        "won",
        status,
        1,
        None,
        {},
        Temperature.WARM,
        target,
        at,
        at,
        manager_id=manager_id,
    )


OLEG, PETR = 101, 102


def manager(telegram_id: int, *, on_duty: bool = True, norm: int | None = None) -> Staff:
    return Staff(telegram_id, frozenset({Role.MANAGER}), on_duty=on_duty, max_open_deals=norm)


def test_the_previous_deal_is_the_latest_worked_one() -> None:
    earlier = [
        deal(1, OLEG, days_ago=30),
        deal(2, PETR, days_ago=10),
        deal(3, None, days_ago=5, target=False),
    ]
    found = previous_deal(earlier)
    assert found is not None and found.id == 2
    assert previous_deal([deal(4, None, days_ago=1, status=DealStatus.LOST)]) is None
    assert previous_deal([]) is None


def test_a_returning_client_goes_back_to_their_manager_while_they_can_take_them() -> None:
    earlier = [deal(1, PETR, days_ago=30), deal(2, OLEG, days_ago=3, status=DealStatus.LOST)]
    team = [manager(OLEG), manager(PETR)]
    owner = returning_owner(earlier, team, {OLEG: 29, PETR: 0}, CONFIG)
    assert owner is not None and owner.telegram_id == OLEG


@pytest.mark.parametrize(
    ("team", "loads"),
    [
        ([manager(PETR)], {}),  # left the team, or blocked the bot: not among those available
        ([manager(OLEG, on_duty=False), manager(PETR)], {}),  # on /pause
        ([manager(OLEG), manager(PETR)], {OLEG: 30}),  # at the team's norm
        ([manager(OLEG, norm=3), manager(PETR)], {OLEG: 3}),  # at their own norm
        ([Staff(OLEG, frozenset({Role.SUPERVISOR})), manager(PETR)], {}),  # no longer a manager
    ],
)
def test_a_returning_client_goes_to_distribution_when_their_manager_cannot_take_them(
    team: list[Staff], loads: dict[int, int]
) -> None:
    assert returning_owner([deal(1, OLEG, days_ago=3)], team, loads, CONFIG) is None


def test_a_new_client_has_no_previous_owner() -> None:
    assert returning_owner([], [manager(OLEG)], {}, CONFIG) is None
