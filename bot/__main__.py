"""`python -m bot`: apply pending migrations, then poll (or serve the webhook when WEBHOOK_URL is set)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from sqlalchemy.exc import DBAPIError

from bot.app import build_app
from bot.crm_config_file import ConfigFileError, load_crm_config
from bot.settings import SettingsError, load_settings

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


def main() -> int:
    try:
        settings = load_settings()
        config = load_crm_config(settings.crm_config)
    except (SettingsError, ConfigFileError) as error:
        print(f"voronka: {error}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # APScheduler logs every sweep it runs (one per SCHEDULER_TICK) at INFO; our own log says what fired.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))
    app = build_app(settings, config)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(app.run())
    except (OSError, DBAPIError) as error:
        # The database or the Bot API cannot be reached at start: say so in one line, not a traceback.
        logging.getLogger("bot").debug("start failed", exc_info=True)
        print(f"voronka: cannot start: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return 0


if __name__ == "__main__":
    sys.exit(main())
