"""The `voronka` command (README.md, "Running in production").

`voronka` alone, or `voronka run`, runs the bot; the other sub-commands do one job and exit. Each
sub-command is a module of this package with the same three names, so that adding one is one line in
`SUB_COMMANDS`:

    HELP: str                                          one line for `voronka --help`
    configure(parser: argparse.ArgumentParser) -> None its own options
    run(args: argparse.Namespace) -> int               the exit code

A module is imported only to list it; whatever is heavy it imports inside `run`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

# (the sub-command, its module in this package), in the order `--help` lists them.
SUB_COMMANDS = (
    ("run", "run"),
    ("migrate", "migrate"),
    ("check", "check"),
    ("backup", "backup"),
    ("copy-db", "copy_db"),
)
DEFAULT = "run"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        args = parser.parse_args([DEFAULT])
    command: ModuleType = args.module
    return int(command.run(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voronka",
        description="Voronka, a Telegram front desk for a small sales team. "
        "Without a sub-command it runs the bot (the same as `voronka run`).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", title="sub-commands", metavar="COMMAND")
    for name, module in _modules():
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(module=module)
    return parser


def _modules() -> list[tuple[str, ModuleType]]:
    found = []
    for name, module_name in SUB_COMMANDS:
        full_name = f"{__name__}.{module_name}"
        try:
            found.append((name, importlib.import_module(full_name)))
        except ModuleNotFoundError as error:
            if error.name != full_name:  # the module is there, and something it imports is missing
                raise
    return found


def _version() -> str:
    try:
        return version("voronka")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"
