"""The daily digest: when it is due, with a fixed clock (what it says, counted by SQL, is tested in
tests/integration/test_digest_tallies.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.crm_config_file import load_crm_config
from domain.crm_config import CrmConfig
from domain.digest import digest_key, next_digest_at
from domain.models import Deal, DealStatus, Temperature

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
