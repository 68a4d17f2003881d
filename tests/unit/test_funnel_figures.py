"""The funnel's arithmetic over the database's aggregate rows, with known answers (README.md, "Reports →
Funnel"): counted "with conversion", as Bitrix24 counts."""

from __future__ import annotations

from datetime import date

import pytest

from domain.crm_config import CrmConfig
from domain.reports.figures import StageStep
from domain.reports.funnel import funnel_of, pipelines_of, stage_orders, worst_step
from domain.reports.funnel_rows import ReachCount, StayTimes
from domain.reports.scope import ReportScope, days_period

SALES = ("new", "qualified", "proposal", "negotiation", "invoice")  # the default config's open stages


def reach(status: str, furthest: int, current: int, deals: int = 1, pipeline: str = "sales") -> ReachCount:
    return ReachCount(pipeline, status, furthest, current, deals)


def reached(funnel_steps: tuple[StageStep, ...]) -> list[int]:
    return [step.reached for step in funnel_steps]


def test_stage_orders_number_each_pipelines_open_stages_from_one(crm_config: CrmConfig) -> None:
    orders = stage_orders([crm_config.pipeline("sales")])
    assert orders == {("sales", key): n for n, key in enumerate(SALES, start=1)}  # won and lost left out


def test_an_empty_period_has_no_deals_no_conversion_and_no_worst_step(crm_config: CrmConfig) -> None:
    funnel = funnel_of(crm_config.pipeline("sales"), [], [])
    assert (funnel.deals, funnel.won, funnel.lost, funnel.open) == (0, 0, 0, 0)
    assert [s.stage for s in funnel.steps] == list(SALES)
    assert reached(funnel.steps) == [0, 0, 0, 0, 0]
    assert [s.conversion for s in funnel.steps] == [None] * 5
    assert (funnel.overall, funnel.worst_step) == (None, None)
    assert all(s.average_s is None and s.median_s is None for s in funnel.steps)


def test_an_empty_period_shows_no_pipeline_unless_one_is_chosen(crm_config: CrmConfig) -> None:
    scope = ReportScope(days_period(date(2026, 11, 1), date(2026, 11, 1), timezone="UTC"))
    assert pipelines_of(crm_config, scope, []) == []
    chosen = pipelines_of(crm_config, scope.but(pipeline="rewarm"), [])
    assert [p.key for p in chosen] == ["rewarm"]


def test_a_single_open_deal_counts_up_to_its_stage(crm_config: CrmConfig) -> None:
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("open", 2, 2)], [])
    assert reached(funnel.steps) == [1, 1, 0, 0, 0]
    assert [s.conversion for s in funnel.steps] == [None, 1.0, 0.0, None, None]
    assert (funnel.deals, funnel.open, funnel.overall, funnel.worst_step) == (1, 1, 0.0, "qualified")


def test_a_deal_that_skipped_stages_counts_in_each_one_it_skipped(crm_config: CrmConfig) -> None:
    # Straight from "new" to "invoice": the furthest stay is the fifth stage.
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("open", 5, 5), reach("open", 1, 1)], [])
    assert reached(funnel.steps) == [2, 1, 1, 1, 1]
    # One went no further than "new", one is not won yet after "invoice": equal drops, the earlier named.
    assert funnel.worst_step == "new"


def test_a_won_deal_counts_in_every_stage_however_far_it_got_before(crm_config: CrmConfig) -> None:
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("won", 3, 0, deals=2), reach("lost", 3, 0)], [])
    assert reached(funnel.steps) == [3, 3, 3, 2, 2]
    assert [s.conversion for s in funnel.steps] == [None, 1.0, 1.0, pytest.approx(2 / 3), 1.0]
    assert (funnel.won, funnel.lost, funnel.open) == (2, 1, 0)
    assert funnel.overall == pytest.approx(2 / 3)
    assert funnel.worst_step == "proposal"  # the lost one went no further than the proposal


def test_a_deal_that_went_back_counts_by_the_furthest_stage_it_reached(crm_config: CrmConfig) -> None:
    # At "qualified" now, after a stay in "negotiation".
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("open", 4, 2)], [])
    assert reached(funnel.steps) == [1, 1, 1, 1, 0]


def test_a_deal_with_no_recorded_stay_counts_where_it_stands_and_at_least_in_the_first(
    crm_config: CrmConfig,
) -> None:
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("open", 0, 3), reach("lost", 0, 0)], [])
    assert reached(funnel.steps) == [2, 1, 1, 0, 0]


def test_a_reassigned_deal_is_one_deal_whatever_its_rows_say_of_managers(crm_config: CrmConfig) -> None:
    # The database counts a deal once (by its id), under the manager it has now: its rows carry no
    # manager, and a deal handed over mid-way still counts by the furthest stage, once.
    rows = [reach("open", 3, 3), reach("open", 3, 3)]
    funnel = funnel_of(crm_config.pipeline("sales"), rows, [])
    assert (funnel.deals, reached(funnel.steps)) == (2, [2, 2, 2, 0, 0])


def test_rows_of_another_pipeline_are_left_out(crm_config: CrmConfig) -> None:
    rows = [reach("open", 1, 1), reach("won", 2, 0, pipeline="rewarm")]
    funnel = funnel_of(crm_config.pipeline("rewarm"), rows, [StayTimes("sales", "new", 1, 60, 60)])
    assert (funnel.pipeline, funnel.deals, funnel.won, reached(funnel.steps)) == ("rewarm", 1, 1, [1, 1, 1])
    assert funnel.steps[0].average_s is None


def test_times_in_stage_are_the_average_rounded_and_the_median_given(crm_config: CrmConfig) -> None:
    stays = [StayTimes("sales", "new", 3, 10_001, 3_600), StayTimes("sales", "proposal", 2, 5, 2)]
    funnel = funnel_of(crm_config.pipeline("sales"), [reach("open", 3, 3)], stays)
    times = {s.stage: (s.average_s, s.median_s) for s in funnel.steps}
    assert times["new"] == (3_334, 3_600)
    assert times["proposal"] == (2, 2)  # 2.5 rounds to the even 2: whole seconds either way
    assert times["qualified"] == (None, None)


def test_the_worst_step_is_the_biggest_drop_and_the_last_drops_to_the_won() -> None:
    steps = (StageStep("a", 10), StageStep("b", 8), StageStep("c", 7))
    assert worst_step(steps, won=1) == "c"  # 7 in "c", 1 won: 6 dropped after it
    assert worst_step(steps, won=7) == "a"
    assert worst_step((StageStep("a", 3), StageStep("b", 3)), won=3) is None
