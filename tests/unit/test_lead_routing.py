from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.lead_routing import AppendToOpenDeal, OpenNewDeal, route_request
from domain.models import Deal, DealStatus, Temperature

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def deal(deal_id: int, status: DealStatus, *, target: bool = True, pipeline: str = "sales") -> Deal:
    at = T0 + timedelta(days=deal_id)
    return Deal(
        id=deal_id, contact_id=1, pipeline=pipeline, stage="new", status=status, chat_id=1, source=None,
        answers={}, temperature=Temperature.COLD, target=target, created_at=at, stage_entered_at=at,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("deals", "expected"),
    [
        ([], OpenNewDeal("sales")),
        ([deal(1, DealStatus.WON)], OpenNewDeal("repeat")),
        ([deal(1, DealStatus.LOST)], OpenNewDeal("rewarm")),
        ([deal(1, DealStatus.LOST), deal(2, DealStatus.WON)], OpenNewDeal("repeat")),
        ([deal(1, DealStatus.LOST, target=False)], OpenNewDeal("sales")),
    ],
)
def test_a_contact_without_an_open_deal_gets_a_new_one_in_the_right_pipeline(
    deals: list[Deal], expected: OpenNewDeal
) -> None:
    assert route_request(deals) == expected


def test_a_repeated_request_joins_the_open_deal_instead_of_duplicating_it() -> None:
    open_deal = deal(2, DealStatus.OPEN)
    assert route_request([deal(1, DealStatus.WON), open_deal]) == AppendToOpenDeal(open_deal)
