"""``python -m bench smoke`` (every bench, tiny, for CI) or ``python -m bench NAME [options]`` (one bench:
intake, statements, fanout, memory, queries, reports; the same as ``python -m bench.NAME``)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys

BENCHES = ("smoke", "intake", "statements", "fanout", "memory", "queries", "reports")


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHES:
        print(
            f"usage: python -m bench {{{','.join(BENCHES)}}} [options]  (--help after a name for its options)"
        )
        return 2
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    result = module.main(sys.argv[2:])
    code: int = asyncio.run(result) if inspect.iscoroutine(result) else result  # queries, reports: async
    return code


if __name__ == "__main__":
    code = main()
    if sys.argv[1:2] == ["smoke"]:
        # Everything is stopped and cleaned up by now; what is left is the interpreter taking apart
        # aiogram's thousands of models, about a second the smoke run's budget has no room for.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
