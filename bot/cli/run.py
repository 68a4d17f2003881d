"""`voronka run` (and `voronka` alone): the bot itself, as `python -m bot` runs it."""

from __future__ import annotations

import argparse

HELP = "run the bot: apply pending migrations, then poll Telegram or serve the webhook (the default)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options: the bot reads everything from the environment and `.env`."""


def run(args: argparse.Namespace) -> int:
    from bot.launch import main  # the bot's start-up (aiogram, the database): only when it runs

    return int(main())
