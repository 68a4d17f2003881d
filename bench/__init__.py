"""Benchmarks of the bot as people meet it: the real ``python -m bot`` process against the local Bot API
stand-in (``tests/e2e/bot_api_server.py``), next to a bare aiogram echo bot (``bench/echo_bot.py``)
measured in the same run, so every figure comes with its yardstick.

``python -m bench.intake``, ``bench.statements``, ``bench.fanout`` and ``bench.memory`` each print a
table; ``python -m bench smoke`` runs them all at a tiny size for CI. Targets live here, never in the
tests. ``--repo PATH`` measures another checkout's bot (its ``.venv`` when it has one).
"""

import time

IMPORTED_AT = time.monotonic()  # the smoke run's clock starts here, before any heavy import
