"""The loss-reason and managers reports' arithmetic on hand-built counts with known answers (the SQL that
produces the counts is tested on both databases in tests/integration/test_team_figures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.models import Role, Staff
from domain.reports.losses import build_loss_report, loss_shares
from domain.reports.managers import build_managers_report
from domain.reports.nearest_rank import nearest_rank, rank_of
from domain.reports.speed_fill import speeds_of
from domain.reports.team_rows import LossCount, LossRun, ManagerCounts, SpeedGap, Speeds

MOSCOW_FRIDAY_EVENING = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # Friday 17:30 in Moscow
HOUR = 3600


@pytest.fixture(scope="module")
def config() -> CrmConfig:
    return load_crm_config()  # too_expensive: max_share 0.30; reports.min_sample 10, repeat_loss_run 5


def test_the_default_config_limits_too_expensive_at_30_percent(config: CrmConfig) -> None:
    reason = config.loss_reason("too_expensive")
    assert reason is not None and reason.max_share == 0.30
    assert config.reports.min_sample == 10 and config.reports.repeat_loss_run == 5


@pytest.mark.parametrize(
    ("expensive", "total", "over"),
    [
        (31, 100, True),  # just above the limit
        (30, 100, False),  # at the limit: not above it
        (29, 100, False),  # just below
        (4, 10, True),  # the minimum sample exactly: judged
        (4, 9, False),  # 44 % of 9 losses: below the minimum sample, not judged
    ],
)
def test_a_share_is_over_its_limit_only_above_it_and_with_the_minimum_sample(
    config: CrmConfig, expensive: int, total: int, over: bool
) -> None:
    shares = loss_shares({"too_expensive": expensive, "no_need": total - expensive}, config)
    expensive_share = next(s for s in shares if s.reason == "too_expensive")
    assert expensive_share.share == pytest.approx(expensive / total)
    assert expensive_share.limit == 0.30
    assert expensive_share.over is over
    assert all(not s.over and s.limit is None for s in shares if s.reason != "too_expensive")  # no limit


def test_reasons_come_biggest_first_then_in_the_configs_order(config: CrmConfig) -> None:
    shares = loss_shares({"other": 2, "competitor": 2, "no_need": 5, "too_expensive": 0}, config)
    assert [(s.reason, s.count) for s in shares] == [("no_need", 5), ("competitor", 2), ("other", 2)]
    assert sum(s.share for s in shares) == pytest.approx(1.0)


def test_the_report_splits_losses_per_pipeline_and_per_manager_each_judged_on_its_own_sample(
    config: CrmConfig,
) -> None:
    counts = [
        LossCount("sales", 1, "too_expensive", 6),  # manager 1: 6 of 10 too expensive: over
        LossCount("sales", 1, "no_need", 4),
        LossCount("sales", 2, "too_expensive", 2),  # manager 2: 2 of 5: above 30 %, but 5 < 10: not judged
        LossCount("sales", 2, "competitor", 3),
        LossCount("rewarm", None, "too_expensive", 1),  # nobody's (a lead lost unsorted)
        LossCount("rewarm", None, "other", 2),
    ]
    report = build_loss_report(config, counts, others=[(7, "moved abroad")])
    assert report.total == 18 and report.sample_enough
    assert [(s.reason, s.count) for s in report.reasons] == [
        ("too_expensive", 9), ("no_need", 4), ("competitor", 3), ("other", 2),
    ]  # fmt: skip
    assert report.reasons[0].share == pytest.approx(0.5) and report.reasons[0].over
    assert [p for p, _ in report.by_pipeline] == ["sales", "rewarm"]  # the config's order
    managers = dict(report.by_manager)
    assert list(managers) == [1, 2]  # most losses first
    assert managers[1][0].reason == "too_expensive" and managers[1][0].over
    assert managers[2][1].reason == "too_expensive" and not managers[2][1].over
    assert report.other_texts == ((7, "moved abroad"),)


def test_an_empty_period_has_no_shares_and_no_sample(config: CrmConfig) -> None:
    report = build_loss_report(config, [])
    assert report.total == 0 and report.reasons == () and not report.sample_enough
    assert report.by_pipeline == () and report.by_manager == () and report.runs == ()


def test_runs_are_named_newest_first_with_their_deals(config: CrmConfig) -> None:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    runs = [
        LossRun(1, "too_expensive", (9, 8, 7, 6, 5), at),
        LossRun(2, "no_need", (19, 18, 17, 16, 15), at + timedelta(days=1)),
    ]
    report = build_loss_report(config, [], runs=runs)
    assert [(r.manager_id, r.reason, r.count) for r in report.runs] == [
        (2, "no_need", 5),
        (1, "too_expensive", 5),
    ]
    assert report.runs[1].deal_ids == (9, 8, 7, 6, 5) and report.runs[1].contact_id is None


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([300], 300, 300),  # a single deal
        ([60, 3 * HOUR], 60, 3 * HOUR),  # nearest rank: one of the values, never their mean
        ([40, 10, 30, 20], 20, 40),
        (list(range(1, 11)), 5, 9),  # ten values: the 5th and the 9th
        (list(range(1, 12)), 6, 10),  # eleven: ceil(5.5) = 6th, ceil(9.9) = 10th
    ],
)
def test_nearest_rank_percentiles(values: list[int], median: int | None, p90: int | None) -> None:
    assert nearest_rank(values, 50) == median
    assert nearest_rank(values, 90) == p90


def test_the_rank_is_the_ceiling_of_the_share_of_the_count() -> None:
    assert [rank_of(50, n) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 3]
    assert [rank_of(90, n) for n in (1, 9, 10, 11, 20)] == [1, 9, 9, 10, 18]
    with pytest.raises(ValueError):
        rank_of(0, 3)


def test_speeds_are_working_time_a_lead_of_friday_evening_taken_on_monday_waited_one_working_hour(
    config: CrmConfig,
) -> None:
    calendar = config.calendar()  # Moscow, 09:00-18:00, Monday to Friday
    arrived = MOSCOW_FRIDAY_EVENING
    gap = SpeedGap(
        1, arrived, taken_at=arrived + timedelta(days=2, hours=17),  # Monday 10:30: 30 min Friday + 1 h 30
        first_reply_at=arrived + timedelta(minutes=10),
    )  # fmt: skip
    fill = speeds_of(gap, calendar)
    assert (fill.take_work_s, fill.reply_work_s) == (2 * HOUR, 600)
    # Working-time medians of three leads: the weekend does not count against anyone.
    takes = [
        calendar.working_seconds(arrived, arrived + timedelta(days=2, hours=17)),  # 2 h
        calendar.working_seconds(arrived, arrived + timedelta(minutes=20)),  # 20 min
        calendar.working_seconds(arrived, arrived + timedelta(days=3)),  # Monday 17:30: 30 min + 8 h 30
    ]
    assert nearest_rank(takes, 50) == 2 * HOUR
    assert nearest_rank(takes, 90) == 9 * HOUR
    assert speeds_of(SpeedGap(2, arrived, None, None), calendar).take_work_s is None  # nothing to measure
    assert calendar.working_seconds(arrived, arrived - timedelta(hours=1)) == 0


def test_managers_rows_work_out_conversion_average_deal_and_norm(config: CrmConfig) -> None:
    oleg = Staff(1, frozenset({Role.MANAGER}), name="Oleg", max_open_deals=12)
    anna = Staff(2, frozenset({Role.MANAGER}), name="Anna")
    counts = [
        ManagerCounts(
            1, received=10, won=3, lost=1, amount_won=100_000, open_deals=14, overdue=2, breaches=1
        ),
        ManagerCounts(3, lost=2),  # left the team: still counted, with no name
    ]
    speeds = [Speeds(1, take_median_s=600, take_p90_s=HOUR, reply_median_s=900, reply_p90_s=2 * HOUR)]
    report = build_managers_report(config, [1, 2, 3], {1: oleg, 2: anna}, counts, speeds)
    assert [r.manager_id for r in report.rows] == [2, 1, 3]  # by name; the nameless last
    anna_row, oleg_row, gone = report.rows
    assert oleg_row.conversion == pytest.approx(0.75) and oleg_row.average_deal == 33_333
    assert (oleg_row.open_deals, oleg_row.norm, oleg_row.overdue, oleg_row.breaches) == (14, 12, 2, 1)
    assert (oleg_row.take_median_s, oleg_row.reply_p90_s) == (600, 2 * HOUR)
    assert anna_row.norm == config.distribution.max_open_deals  # the team's norm
    assert anna_row.conversion is None and anna_row.average_deal is None and anna_row.take_median_s is None
    assert gone.name == "" and gone.conversion == 0.0
