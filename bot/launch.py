"""What `python -m bot` (and `voronka`) does: read the settings, migrate, wait for Telegram, serve until
SIGTERM or SIGINT (README.md, "Running in production").

A start that cannot go on ends with one line on stderr and an exit code, never a traceback (that is
logged at DEBUG, so LOG_LEVEL=DEBUG shows it):

    0  stopped by SIGTERM / SIGINT (also while waiting for Telegram)
    1  anything else that stopped the start or the run: the database, the port, a fault
    2  a setting to fix: a bad variable or CRM config, or the token refused by Telegram (401)

The heavy imports (aiogram's types, SQLAlchemy, the handlers: seconds on a small machine) come after
the signal handlers are set, so a SIGTERM during them is a clean stop rather than a kill (rc -15).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

from bot.start_failure import BotApiRefused, CannotStart, one_line, redacted

if TYPE_CHECKING:
    from bot.app import App

EXIT_STOPPED = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger("bot")


class EarlyStop:
    """SIGTERM / SIGINT before the event loop takes them over (`App.run`), and after it gave them back:
    noted, so the start is skipped or the exit goes on, instead of the process being killed mid-way."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._note)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.signal = signum


def main() -> int:
    early = EarlyStop()
    early.install()
    return _start(early)


def _start(early: EarlyStop) -> int:
    from bot.crm_config_file import ConfigFileError, load_crm_config
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        config = load_crm_config(settings.crm_config)
    except (SettingsError, ConfigFileError) as error:
        print(f"voronka: {error}", file=sys.stderr)
        return EXIT_CONFIG
    _configure_logging(settings.log_level)
    if early.signal is not None:
        return EXIT_STOPPED
    app: App | None = None
    try:
        from bot.app import build_app

        app = build_app(settings, config)
        try:
            asyncio.run(_serve(app, early))
        finally:
            early.install()  # closing, the event loop put the default handlers back: a kill, not a stop
    except BotApiRefused as refused:
        print(f"voronka: {refused}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception as error:
        logger.debug("the bot stopped on an error", exc_info=True)
        said = str(error) if isinstance(error, CannotStart) else one_line(error)
        when = "stopped" if app is not None and app.serving else "cannot start"
        print(f"voronka: {when}: {redacted(said, settings.bot_token.get_secret_value())}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_STOPPED


async def _serve(app: App, early: EarlyStop) -> None:
    running = asyncio.ensure_future(app.run())
    await asyncio.sleep(0)  # `run` takes SIGTERM and SIGINT over before it first waits
    if early.signal is not None:  # one came before that: noted only
        app.stop()
    await running


class OneLineErrors(logging.Filter):
    """A record's traceback made one line at its end: for asyncio's own complaints ("Task exception was
    never retrieved"), which App.close should leave no cause for, and which are a bug when they come."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = (
                f"{record.getMessage()} ({one_line(record.exc_info[1])}; LOG_LEVEL=DEBUG shows where)"
            )
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)
    quiet = max(logging.WARNING, logging.getLogger().level)
    # APScheduler logs every sweep it runs (one per SCHEDULER_TICK) at INFO; our own log says what fired.
    logging.getLogger("apscheduler").setLevel(quiet)
    # Alembic names each plugin it sets up before a migration; the migrations themselves are still logged.
    logging.getLogger("alembic.runtime.plugins").setLevel(quiet)
    # aiogram logs every update it handled at INFO (a line per message at a campaign peak); the metrics
    # count them (README.md, "Health and metrics"). Matplotlib says once that it built its font cache.
    for chatty in ("aiogram.event", "matplotlib"):
        logging.getLogger(chatty).setLevel(quiet)
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("asyncio").addFilter(OneLineErrors())
