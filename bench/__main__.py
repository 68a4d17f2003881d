"""``python -m bench smoke`` (every bench, tiny, for CI) or ``python -m bench NAME [options]`` (one bench:
intake, statements, fanout, memory; the same as ``python -m bench.NAME``)."""

from __future__ import annotations

import importlib
import sys

BENCHES = ("smoke", "intake", "statements", "fanout", "memory")


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in BENCHES:
        print(
            f"usage: python -m bench {{{','.join(BENCHES)}}} [options]  (--help after a name for its options)"
        )
        return 2
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    code: int = module.main(sys.argv[2:])
    return code


if __name__ == "__main__":
    sys.exit(main())
