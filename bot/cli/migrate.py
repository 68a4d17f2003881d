"""`voronka migrate`: apply pending migrations and exit.

The bot applies them itself when it starts; run this first when several workers start at once, so that
none of them races another to migrate (compose.yaml's `migrate` service does it). Like `voronka backup`,
it needs DATABASE_URL only, no bot token.
"""

from __future__ import annotations

import argparse

HELP = "apply pending database migrations and exit (run it before starting several workers)"
EXIT_CONFIG = 2
EXIT_FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        "--database-url",
        dest="database",
        metavar="URL",
        help="the database to migrate (default: DATABASE_URL from the environment or .env)",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from bot.cli.database_setting import database_url, say_failure
    from bot.settings import SettingsError
    from storage.migrator import current_revision, head_revision, upgrade_async

    try:
        url = database_url(args.database)
    except (SettingsError, ValueError) as error:
        say_failure("migrate", error)
        return EXIT_CONFIG
    shown = make_url(url).render_as_string(hide_password=True)

    async def migrate() -> tuple[str | None, str | None]:
        before = await current_revision(url)
        await upgrade_async(url)
        return before, await current_revision(url)

    try:
        before, after = asyncio.run(migrate())
    except (OSError, DBAPIError) as error:
        first_line = (str(error).splitlines() or [""])[0]
        failure = RuntimeError(f"cannot migrate {shown}: {type(error).__name__}: {first_line}")
        failure.__cause__ = error  # the whole story with LOG_LEVEL=DEBUG
        say_failure("migrate", failure)
        return EXIT_FAILED
    if after != (head := head_revision()):
        say_failure("migrate", RuntimeError(f"{shown} is at {after}, not at the newest migration {head}"))
        return EXIT_FAILED
    if before == after:
        print(f"{shown}: up to date (migration {after})")
    else:
        print(f"{shown}: migrated from {before or 'an empty database'} to {after}")
    return 0
