"""Rules of the deal lists: grouping by funnel stage with overdue deals first, paging, query meaning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.crm_config import CrmConfig
from domain.deal_lists import (
    DealGroup,
    ListItem,
    QueryKind,
    classify_query,
    group_deals,
    is_overdue,
    page_bounds,
    paginate,
)
from domain.models import Deal, DealStatus, Temperature

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def deal(deal_id: int, stage: str, *, pipeline: str = "sales", contact_in: int | None = None) -> Deal:
    """A deal whose next contact is `contact_in` minutes from NOW (negative: in the past)."""
    return Deal(
        id=deal_id, contact_id=deal_id, pipeline=pipeline, stage=stage, status=DealStatus.OPEN, chat_id=None,
        source=None, answers={}, temperature=Temperature.WARM, target=True, created_at=NOW,
        stage_entered_at=NOW, manager_id=1,
        next_contact_at=None if contact_in is None else NOW + timedelta(minutes=contact_in),
    )  # fmt: skip


def item(d: Deal) -> ListItem:
    return ListItem(d, f"Client {d.id}", overdue=is_overdue(d, now=NOW))


def layout(groups: tuple[DealGroup, ...]) -> list[tuple[str, list[int]]]:
    """Groups as (name, deal ids): "overdue" or "pipeline/stage"."""
    return [
        ("overdue" if g.overdue else f"{g.pipeline}/{g.stage}", [i.deal.id or 0 for i in g.items])
        for g in groups
    ]


@pytest.mark.parametrize(
    ("contact_in", "overdue"),
    [(None, False), (-1, True), (-60 * 24, True), (0, False), (1, False)],
)
def test_a_deal_is_overdue_once_its_next_contact_has_passed(contact_in: int | None, overdue: bool) -> None:
    assert is_overdue(deal(1, "new", contact_in=contact_in), now=NOW) is overdue


@pytest.mark.parametrize(
    ("deals", "expected"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(
            [deal(1, "proposal"), deal(2, "new"), deal(3, "qualified")],
            [("sales/new", [2]), ("sales/qualified", [3]), ("sales/proposal", [1])],
            id="stages in funnel order, not in the order of the deals",
        ),
        pytest.param(
            [deal(1, "new"), deal(2, "proposal", contact_in=-5), deal(3, "new", contact_in=-90)],
            [("overdue", [3, 2]), ("sales/new", [1])],
            id="overdue first, the longest overdue on top, and not repeated under its stage",
        ),
        pytest.param(
            [deal(1, "new"), deal(2, "new", contact_in=30), deal(3, "new", contact_in=10), deal(4, "new")],
            [("sales/new", [3, 2, 1, 4])],
            id="within a stage the nearest next contact first, deals without one last by number",
        ),
        pytest.param(
            [deal(1, "new", pipeline="repeat"), deal(2, "contacted", pipeline="rewarm"), deal(3, "invoice")],
            [("sales/invoice", [3]), ("rewarm/contacted", [2]), ("repeat/new", [1])],
            id="pipelines in the order of the config",
        ),
        pytest.param(
            [deal(1, "gone"), deal(2, "new")],
            [("sales/new", [2]), ("sales/gone", [1])],
            id="a stage the config no longer has goes last, still listed",
        ),
    ],
)
def test_deals_are_grouped_overdue_first_then_by_stage_in_funnel_order(
    crm_config: CrmConfig, deals: list[Deal], expected: list[tuple[str, list[int]]]
) -> None:
    groups = group_deals([item(d) for d in deals], config=crm_config)
    assert layout(groups) == expected
    assert all(g.count == len(g.items) for g in groups)


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [(0, 0, (0, 1)), (8, 0, (0, 1)), (9, 1, (1, 2)), (17, 5, (2, 3)), (17, -1, (0, 3))],
)
def test_pages_hold_eight_deals_and_a_page_out_of_range_is_clamped(
    total: int, page: int, expected: tuple[int, int]
) -> None:
    assert page_bounds(total, page=page, size=8) == expected


def test_a_group_cut_by_a_page_break_shows_on_both_pages_with_its_full_count(crm_config: CrmConfig) -> None:
    deals = [deal(i, "new", contact_in=-i) for i in range(1, 4)] + [
        deal(i, "qualified") for i in range(4, 15)
    ]
    groups = group_deals([item(d) for d in deals], config=crm_config)
    first, second = paginate(groups, page=0, size=8), paginate(groups, page=1, size=8)
    assert (first.pages, first.total) == (2, 14)
    assert layout(first.groups) == [("overdue", [3, 2, 1]), ("sales/qualified", [4, 5, 6, 7, 8])]
    assert layout(second.groups) == [("sales/qualified", [9, 10, 11, 12, 13, 14])]
    assert first.groups[1].count == second.groups[0].count == 11
    assert paginate(groups, page=9, size=8).page == 1


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (None, QueryKind.EMPTY, None),
        ("   ", QueryKind.EMPTY, None),
        ("12", QueryKind.NUMBER, 12),
        ("#12", QueryKind.NUMBER, 12),
        ("№12", QueryKind.NUMBER, 12),
        ("№ 12", QueryKind.NUMBER, 12),
        ("123456789", QueryKind.NUMBER, 123456789),
        ("+7 916 123-45-67", QueryKind.PHONE, "+79161234567"),
        ("8 (916) 123-45-67", QueryKind.PHONE, "+79161234567"),
        ("89161234567", QueryKind.PHONE, "+79161234567"),
        ("79161234567", QueryKind.PHONE, "+79161234567"),
        ("9161234567", QueryKind.PHONE, "+79161234567"),
        ("+7 916", QueryKind.BAD_PHONE, None),
        ("12-34", QueryKind.BAD_PHONE, None),
        ("Анна", QueryKind.NAME, "Анна"),
        ("  анна   петрова ", QueryKind.NAME, "анна петрова"),
        ("@anna_k", QueryKind.NAME, "anna_k"),
        ("ан", QueryKind.NAME, "ан"),
        ("а", QueryKind.TOO_SHORT, None),
        ("@a", QueryKind.TOO_SHORT, None),
        ("-", QueryKind.TOO_SHORT, None),
        ("Кофейня 12", QueryKind.NAME, "Кофейня 12"),
    ],
)
def test_a_query_is_a_deal_number_a_phone_or_a_name(text: str | None, kind: QueryKind, value: object) -> None:
    query = classify_query(text, region="RU")
    assert query.kind is kind
    found = {QueryKind.NUMBER: query.deal_id, QueryKind.PHONE: query.phone, QueryKind.NAME: query.name}
    assert found.get(kind) == value
    assert query.searchable is (kind in (QueryKind.NUMBER, QueryKind.PHONE, QueryKind.NAME))


def test_a_very_long_query_is_cut_rather_than_sent_to_the_database_whole() -> None:
    query = classify_query("я" * 1000, region="RU")
    assert query.kind is QueryKind.NAME and len(query.name or "") == 64
