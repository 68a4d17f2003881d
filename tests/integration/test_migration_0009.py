"""Migration 0009 reads each deal's stays back from its history, as the code now writes them (README.md,
"Reports → Funnel"), and its first reply to the client."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from storage.engine import create_engine
from storage.migrator import upgrade
from storage.tables import ContactRow, DealEventRow, DealRow, StageVisitRow

T0 = datetime(2026, 11, 10, 9, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


async def test_stays_are_read_back_from_the_deals_history(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, "0008")
    engine = create_engine(database_url)
    # Written as the code before 0009 wrote them: a deal moved twice and open; one moved and won; one
    # never moved; one that went back a stage and was lost.
    History = list[tuple[str, float, dict[str, object]]]
    deals: dict[str, tuple[str, str, History]] = {
        "moved": ("proposal", "open", [("stage_changed", 1, {"from": "new", "to": "qualified"}),
                                        ("message_out", 1.5, {"text": "Здравствуйте"}),
                                        ("stage_changed", 3, {"from": "qualified", "to": "proposal"})]),
        "won": ("won", "won", [("stage_changed", 1, {"from": "new", "to": "qualified"}),
                               ("won", 2, {"from": "qualified", "amount": 5})]),
        "still": ("new", "open", []),
        "back": ("lost", "lost", [("stage_changed", 1, {"from": "new", "to": "proposal"}),
                                  ("stage_changed", 2, {"from": "proposal", "to": "qualified"}),
                                  ("lost", 4, {"from": "qualified", "reason": "no_need"})]),
    }  # fmt: skip
    ids: dict[str, int] = {}
    try:
        async with engine.begin() as connection:
            contact = (
                await connection.execute(
                    insert(ContactRow)
                    .values(name="Анна", status="active", created_at=T0, search_name="анна")
                    .returning(ContactRow.id)
                )
            ).scalar_one()
            for name, (stage, status, events) in deals.items():
                ids[name] = (
                    await connection.execute(
                        insert(DealRow)
                        .values(
                            contact_id=contact,
                            pipeline="sales",
                            stage=stage,
                            status=status,
                            answers={},
                            temperature="warm",
                            target=True,
                            created_at=T0,
                            stage_entered_at=T0,
                            version=1,
                        )
                        .returning(DealRow.id)
                    )
                ).scalar_one()
                rows: list[dict[str, object]] = [{"kind": "created", "at": T0, "data": {}}]
                rows += [{"kind": kind, "at": hours(at), "data": data} for kind, at, data in events]
                for row in rows:
                    await connection.execute(
                        insert(DealEventRow).values(deal_id=ids[name], actor_id=None, **row)
                    )
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as connection:
            stays = (
                await connection.execute(
                    select(
                        StageVisitRow.deal_id,
                        StageVisitRow.stage,
                        StageVisitRow.entered_at,
                        StageVisitRow.left_at,
                        StageVisitRow.seconds,
                    )
                    .where(StageVisitRow.pipeline == "sales")
                    .order_by(StageVisitRow.deal_id, StageVisitRow.entered_at)
                )
            ).all()
            replies = dict(
                (
                    await connection.execute(select(DealRow.id, DealRow.first_reply_at).order_by(DealRow.id))
                ).all()
            )
    finally:
        await engine.dispose()
    by_deal: dict[int, list[tuple[str, datetime, datetime | None]]] = {}
    for deal_id, stage, entered, left, seconds in stays:
        by_deal.setdefault(deal_id, []).append((stage, entered, left))
        assert seconds == (
            None if left is None else int((left - entered).total_seconds())
        )  # each stay's length
    assert by_deal[ids["moved"]] == [
        ("new", T0, hours(1)), ("qualified", hours(1), hours(3)), ("proposal", hours(3), None),
    ]  # fmt: skip
    assert by_deal[ids["won"]] == [
        ("new", T0, hours(1)),
        ("qualified", hours(1), hours(2)),
        ("won", hours(2), None),
    ]
    assert by_deal[ids["still"]] == [("new", T0, None)]
    assert by_deal[ids["back"]] == [
        ("new", T0, hours(1)), ("proposal", hours(1), hours(2)), ("qualified", hours(2), hours(4)),
        ("lost", hours(4), None),
    ]  # fmt: skip
    assert replies == {ids["moved"]: hours(1.5), ids["won"]: None, ids["still"]: None, ids["back"]: None}
