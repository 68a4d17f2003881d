"""The daily digest: when it is due, and what it says, from plain data with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.digest import WORST, compose_digest, digest_key, next_digest_at
from domain.models import Breach, BreachKind, Deal, DealStatus, Temperature

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 11:00 in Moscow


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> CrmConfig:
    return load_crm_config()


@pytest.mark.parametrize(
    ("after", "due"),
    [
        ("2026-11-25T05:00", "2026-11-25T06:00"),  # Wednesday 08:00 MSK: today at 09:00
        ("2026-11-25T06:00", "2026-11-26T06:00"),  # exactly 09:00: the next one, tomorrow
        ("2026-11-27T10:00", "2026-11-30T06:00"),  # Friday afternoon: Monday
        ("2026-11-28T10:00", "2026-11-30T06:00"),  # Saturday: Monday
        ("2026-12-31T10:00", "2027-01-11T06:00"),  # New Year holidays in Russia: after them
        ("2026-11-03T10:00", "2026-11-05T06:00"),  # Unity Day, Wednesday 4 November: Thursday
    ],
)
def test_the_digest_is_due_at_digest_at_on_the_next_working_day(
    config: CrmConfig, after: str, due: str
) -> None:
    assert next_digest_at(config, utc(after)) == utc(due)


def test_a_team_working_every_day_gets_a_digest_on_weekends_too(config: CrmConfig) -> None:
    always = config.model_copy(
        update={"business_hours": config.business_hours.model_copy(update={"always": True})}
    )
    assert next_digest_at(always, utc("2026-11-28T10:00")) == utc("2026-11-29T06:00")  # Sunday


def test_digest_keys_name_the_team_date_so_one_digest_is_planned_per_day(config: CrmConfig) -> None:
    assert digest_key(config, utc("2026-11-25T06:00")) == "digest:2026-11-25T09:00"
    assert digest_key(config, utc("2026-11-25T21:30")) == "digest:2026-11-26T00:30"  # Moscow's date


def deal(deal_id: int, **fields: object) -> Deal:
    values: dict[str, object] = {
        "id": deal_id, "contact_id": deal_id, "pipeline": "sales", "stage": "new", "status": DealStatus.OPEN,
        "chat_id": deal_id, "source": None, "answers": {}, "temperature": Temperature.WARM, "target": True,
        "created_at": NOW - timedelta(hours=1), "stage_entered_at": NOW - timedelta(hours=1),
    }  # fmt: skip
    values.update(fields)
    return Deal(**values)  # type: ignore[arg-type]


def breach(deal_id: int, kind: BreachKind, *, due: datetime, resolved: datetime | None = None) -> Breach:
    return Breach(kind, deal_id, 101, "sales", "new", due_at=due, detected_at=due, resolved_at=resolved)


def test_the_digest_counts_each_thing_and_names_the_worst_cases(config: CrmConfig) -> None:
    since = NOW - timedelta(days=1)
    hour = timedelta(hours=1)
    created = [
        deal(1, taken_at=NOW - 2 * hour),
        deal(2, created_at=NOW - 5 * hour),  # waiting longest
        deal(3, created_at=NOW - 2 * hour),
        deal(4, target=False, status=DealStatus.LOST, loss_reason="non_target"),  # not a lead
    ]
    open_deals = [
        deal(5, next_contact_at=NOW - 3 * hour, taken_at=since),  # overdue (1h working time, 24/7 below)
        deal(6, next_contact_at=NOW - 30 * timedelta(minutes=1), taken_at=since),  # due, not yet overdue
        deal(7, next_contact_at=NOW + hour, taken_at=since),
    ]
    closed = [
        deal(8, status=DealStatus.WON, amount=100_000, closed_at=NOW - hour),
        deal(9, status=DealStatus.WON, amount=300_000, closed_at=NOW - hour),
        deal(10, status=DealStatus.LOST, loss_reason="too_expensive", closed_at=NOW - hour),
        deal(11, status=DealStatus.LOST, loss_reason="too_expensive", closed_at=NOW - hour),
        deal(12, status=DealStatus.LOST, loss_reason="competitor", closed_at=NOW - hour),
        deal(4, target=False, status=DealStatus.LOST, loss_reason="non_target"),
    ]
    breaches = [
        breach(1, BreachKind.TAKE, due=NOW - 3 * hour, resolved=NOW - 2 * hour),  # 1 h late
        *(breach(20 + n, BreachKind.TAKE, due=NOW - n * hour) for n in range(2, 6)),  # still open: n h
        breach(5, BreachKind.STAGE, due=NOW - 10 * hour),
        breach(5, BreachKind.CONTACT, due=NOW - 2 * hour),
    ]
    always = config.model_copy(
        update={"business_hours": config.business_hours.model_copy(update={"always": True})}
    )
    digest = compose_digest(
        always, since=since, now=NOW, created=created, unsorted=[deal(2), deal(3)], unsorted_count=2,
        breaches=breaches, open_deals=open_deals, closed=closed,
    )  # fmt: skip
    seconds = 3600
    assert digest.new.count == 3
    assert digest.new.cases == ((2, 5 * seconds), (3, 2 * seconds))
    assert digest.unsorted.count == 2
    assert digest.taken_late.count == 5
    assert digest.taken_late.cases == ((25, 5 * seconds), (24, 4 * seconds), (23, 3 * seconds))
    assert len(digest.taken_late.cases) == WORST
    assert (digest.stage.count, digest.stage.cases) == (1, ((5, 10 * seconds),))
    assert (digest.overdue.count, digest.overdue.cases) == (1, ((5, 3 * seconds),))
    assert (digest.won.count, digest.won_amount, digest.won.cases) == (
        2,
        400_000,
        ((9, 300_000), (8, 100_000)),
    )
    assert digest.lost.count == 3
    assert digest.lost_reasons == (("too_expensive", 2), ("competitor", 1))
    data = digest.as_data()
    assert data["taken_late"] == {"count": 5, "cases": [[25, 18000], [24, 14400], [23, 10800]]}


def test_overdue_in_the_digest_counts_working_time(config: CrmConfig) -> None:
    """Moscow hours 09-18: a contact due Friday 17:30 is overdue (1 h of working time) at Monday 09:30."""
    friday_1730, monday_0920, monday_0930 = (
        utc("2026-11-27T14:30"),
        utc("2026-11-30T06:20"),
        utc("2026-11-30T06:30"),
    )
    open_deals = [deal(1, next_contact_at=friday_1730, taken_at=friday_1730)]

    def overdue_at(now: datetime) -> int:
        return compose_digest(
            config, since=now - timedelta(days=1), now=now, created=[], unsorted=[], unsorted_count=0,
            breaches=[], open_deals=open_deals, closed=[],
        ).overdue.count  # fmt: skip

    assert (overdue_at(monday_0920), overdue_at(monday_0930)) == (0, 1)


@pytest.mark.parametrize(
    ("history", "pipeline"),
    [
        ([("sales", DealStatus.WON)], "repeat"),
        ([("sales", DealStatus.LOST)], "rewarm"),
        ([("sales", DealStatus.LOST), ("rewarm", DealStatus.LOST)], "sales"),  # rewarmed once already
        ([("sales", DealStatus.WON), ("repeat", DealStatus.LOST)], "repeat"),  # a buyer stays a buyer
    ],
)
def test_a_sleeping_client_comes_back_where_a_new_request_of_theirs_would_go(
    history: list[tuple[str, DealStatus]], pipeline: str
) -> None:
    from domain.sleeping_clients import pipeline_for_return

    deals = [deal(n, pipeline=p, status=s, closed_at=NOW) for n, (p, s) in enumerate(history, start=1)]
    assert pipeline_for_return(deals) == pipeline
