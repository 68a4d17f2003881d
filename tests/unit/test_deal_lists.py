"""Rules of the deal lists: when a deal is overdue, how pages are numbered, what a query means (the grouping
and paging themselves are read from SQL: tests/integration/test_deal_list_pages.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.deal_lists import QueryKind, classify_query, is_overdue
from domain.list_pages import Slice
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


@pytest.mark.parametrize(
    ("contact_in", "overdue"),
    [(None, False), (-1, True), (-60 * 24, True), (0, False), (1, False)],
)
def test_a_deal_is_overdue_once_its_next_contact_has_passed(contact_in: int | None, overdue: bool) -> None:
    assert is_overdue(deal(1, "new", contact_in=contact_in), now=NOW) is overdue


@pytest.mark.parametrize(
    ("before", "shown", "after", "expected"),
    [(0, 0, 0, (0, 1)), (0, 8, 0, (0, 1)), (8, 1, 0, (1, 2)), (16, 1, 0, (2, 3)), (0, 8, 9, (0, 3))],
)
def test_pages_hold_eight_deals_counted_from_the_deals_before_and_after_the_page(
    before: int, shown: int, after: int, expected: tuple[int, int]
) -> None:
    page = Slice(tuple((1, deal(n, "new")) for n in range(shown)), before, after, size=8)
    assert (page.page, page.pages) == expected


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
