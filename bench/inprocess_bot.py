"""The bot built in this process with ``bot.app.build_app`` (the factory ``python -m bot`` uses), for a
bench that must look inside it (``bench.statements`` counts its SQL). Settings come from the same
env-style dict a subprocess would get. Run on the measured checkout's interpreter with its packages
first on the path (see ``Checkout.run_in_process``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.bot_api_server import FakeBotApi
from tests.e2e.conftest import RunningBot


class InProcessBot(RunningBot):
    """tests/e2e/conftest.py's RunningBot with settings from env vars, a hook before it runs, and the
    faster pace only where this checkout's factory takes one."""

    def __init__(self, api: FakeBotApi, env: dict[str, str]) -> None:
        from bot.crm_config_file import load_crm_config
        from bot.settings import Settings

        values: dict[str, Any] = {key.lower(): value for key, value in env.items()}
        config = load_crm_config(Path(env["CRM_CONFIG"]) if env.get("CRM_CONFIG") else None)
        super().__init__(api, Settings(_env_file=None, **values), config)

    async def start(self, *, before_run: Callable[[Any], None] | None = None) -> Any:
        from bot.app import build_app

        app = self.app = build_app(self.settings, self.config, **_quick_sends(build_app))
        if before_run is not None:
            before_run(app)
        self._task = running = asyncio.create_task(app.run(handle_signals=False, polling_timeout=1))
        polling = asyncio.create_task(self.api.wait_for_long_poll(timeout=60))
        await asyncio.wait((polling, running), return_when=asyncio.FIRST_COMPLETED)
        if running.done():  # it stopped before polling: say why at once
            polling.cancel()
            running.result()
            raise RuntimeError("the bot stopped before it polled")
        await polling
        return app


def _quick_sends(build_app: Callable[..., Any]) -> dict[str, Any]:
    """A faster per-chat pace where the factory takes one (as tests/e2e/conftest.py does): counting
    statements needs no waiting for Telegram's pace. Today's factory takes the outbox's `pacer`; an
    older checkout's took `send_limits`. Nothing when this checkout's factory takes neither."""
    parameters = inspect.signature(build_app).parameters
    try:
        if "pacer" in parameters:
            from bot.outbox_pacing import OutboxPacer

            return {"pacer": OutboxPacer(private_per_second=50)}
        if "send_limits" in parameters:
            from bot.rate_limit import SendRateLimiter

            return {"send_limits": SendRateLimiter(private_per_second=50)}
    except (ImportError, TypeError):
        pass
    return {}
