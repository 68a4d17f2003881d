"""`python -m bot`: apply pending migrations, then poll (or serve the webhook when WEBHOOK_URL is set).
The start itself is bot/launch.py, shared with the `voronka` command."""

from __future__ import annotations

import sys

from bot.launch import main

if __name__ == "__main__":
    sys.exit(main())
