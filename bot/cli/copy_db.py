"""`voronka copy-db --to postgresql+asyncpg://...`: move a SQLite database into an empty PostgreSQL one
(README.md, "Moving from SQLite to PostgreSQL")."""

from __future__ import annotations

import argparse

HELP = "copy the SQLite database into an empty PostgreSQL database and check the rows (stop the bot first)"
EXIT_CONFIG = 2
EXIT_FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the empty PostgreSQL database, postgresql+asyncpg://user:password@host:5432/name",
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the SQLite database to copy (default: DATABASE_URL from the environment or .env)",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from bot.cli.database_setting import database_url, say_failure
    from bot.settings import SettingsError
    from storage.database_copy import CopyRefused, copy_database, mismatches, source_url, target_url

    try:
        source = source_url(database_url(args.source))
        target = target_url(args.to)
    except (SettingsError, CopyRefused, ValueError) as error:
        say_failure("copy-db", error)
        return EXIT_CONFIG
    shown_target = make_url(target).render_as_string(hide_password=True)
    print(f"Copying {source} into {shown_target}")
    print("Stop the bot first: the source is read at one moment; what the bot writes after it is not copied.")

    def migrated() -> None:
        print("Both databases are at the newest migration; copying (all in one transaction):")

    def copied(table: str, rows: int) -> None:
        print(f"  {table}: {rows} rows")

    try:
        result = asyncio.run(copy_database(source, target, on_migrated=migrated, on_table=copied))
    except CopyRefused as error:
        say_failure("copy-db", error)
        return EXIT_FAILED
    except (OSError, DBAPIError) as error:
        first = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
        say_failure("copy-db", RuntimeError(f"nothing was copied: {type(error).__name__}: {first}"))
        return EXIT_FAILED
    if result.skipped:
        print(f"Not copied, made by no migration: {', '.join(result.skipped)}")
    print(f"Sequences set past the largest ids: {', '.join(result.sequences) or 'none'}")
    width = max(len(count.table) for count in result.counts)
    print(f"  {'table':<{width}}  {'SQLite':>10}  {'PostgreSQL':>10}")
    for count in result.counts:
        mark = "" if count.matches else "  differs"
        print(f"  {count.table:<{width}}  {count.source:>10}  {count.target:>10}{mark}")
    if wrong := mismatches(result.counts):
        names = ", ".join(count.table for count in wrong)
        say_failure("copy-db", RuntimeError(f"the row counts differ in {names}: the copy is not complete"))
        return EXIT_FAILED
    print(
        f"All {len(result.counts)} tables match. Set DATABASE_URL={shown_target} "
        "(with the password) in .env and start the bot."
    )
    return 0
