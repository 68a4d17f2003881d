"""`python -m bot`: the `voronka` command (bot/cli/) by another name. Without arguments it runs the bot
(bot/launch.py): apply pending migrations, then poll (or serve the webhook when WEBHOOK_URL is set);
`python -m bot migrate`, `python -m bot --help` and the rest do what `voronka ...` does."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
