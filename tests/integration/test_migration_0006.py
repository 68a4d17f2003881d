"""Migration 0006 gives notices queued before it their turn and deal, as the code would write them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from sqlalchemy import text

from storage.engine import create_engine
from storage.migrator import upgrade


async def test_unsettled_notices_get_their_priority_and_deal(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, "0005")
    engine = create_engine(database_url)
    at = datetime(2026, 11, 25, 8, tzinfo=UTC)
    rows = [
        ("prospect_message", {"deal_id": 7, "kind": "text", "text": "hi"}, "pending"),
        ("new_lead", {"deal_id": 8}, "sending"),
        ("team_invite", {"who": 3}, "pending"),
        ("prospect_message", {"deal_id": 7}, "sent"),
    ]
    try:
        async with engine.begin() as connection:
            for kind, data, state in rows:
                await connection.execute(
                    text(
                        "INSERT INTO outbox (chat_id, kind, data, state, attempts, next_attempt_at, "
                        "created_at) VALUES (1, :kind, :data, :state, 0, :at, :at)"
                    ),
                    {"kind": kind, "data": json.dumps(data), "state": state, "at": at},
                )
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as connection:
            filled = (
                await connection.execute(text("SELECT priority, deal_id FROM outbox ORDER BY id"))
            ).all()
        assert [tuple(row) for row in filled] == [(1, 7), (0, 8), (0, None), (0, None)]
    finally:
        await engine.dispose()
