"""``python -m bench smoke`` runs every bench at a tiny size and says so with its exit code. It uses the
suite's PostgreSQL and Redis when TEST_DATABASE_URL and TEST_REDIS_URL are set, and otherwise points at
ports where nothing listens, so those parts are skipped with a line rather than touching other data."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOWHERE_PG = "postgresql://postgres@127.0.0.1:9/postgres"
NOWHERE_REDIS = "redis://127.0.0.1:9/0"


async def test_the_smoke_run_puts_every_bench_through_its_paces() -> None:
    pg = os.environ.get("TEST_DATABASE_URL") or NOWHERE_PG
    redis = os.environ.get("TEST_REDIS_URL") or NOWHERE_REDIS
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench", "smoke", "--pg", pg, "--redis", redis,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    said = output.decode(errors="replace")
    assert process.returncode == 0, said[-4000:]
    assert "smoke: every bench ran" in said
    for table in (
        "statements on sqlite",
        "intake (smoke",
        "RSS per prospect",
        "supervisor told of all",
        "429 to staff",
    ):
        assert table in said, said[-4000:]
    if pg == NOWHERE_PG:
        assert "statements on postgres skipped: PostgreSQL at 127.0.0.1:9 is unreachable" in said
