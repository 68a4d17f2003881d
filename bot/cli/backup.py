"""`voronka backup`: a consistent copy of the database, taken while the bot runs (README.md, "Backups")."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

HELP = "copy the database while the bot runs (SQLite: its online backup API; PostgreSQL: pg_dump)"
EXIT_CONFIG = 2
EXIT_FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        metavar="PATH",  # a str: the trailing slash of a folder not made yet says it is one
        help="a folder (one that exists, or ending in /) for a file named by the UTC time, or the file "
        "itself (default: ./backups/voronka-YYYYMMDD-HHMMSSZ.db, or .dump on PostgreSQL)",
    )
    parser.add_argument(
        "--database",
        "--database-url",
        dest="database",
        metavar="URL",
        help="the database to back up (default: DATABASE_URL from the environment or .env)",
    )


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from bot.cli.database_setting import database_url, say_failure
    from bot.settings import SettingsError
    from storage.backup import BackupError, take_backup

    try:
        url = database_url(args.database)
    except (SettingsError, ValueError) as error:
        say_failure("backup", error)
        return EXIT_CONFIG
    shown = make_url(url).render_as_string(hide_password=True)
    taken_at = datetime.now(UTC).replace(microsecond=0)
    method = "pg_dump" if make_url(url).get_backend_name() == "postgresql" else "SQLite's online backup API"
    print(f"Backing up {shown} with {method}")
    try:
        backup = take_backup(url, args.to, taken_at)
    except (BackupError, OSError) as error:
        say_failure("backup", error)
        return EXIT_FAILED
    print(f"Backup: {backup.path}")
    print(f"  size:    {_size(backup.size)}")
    print(f"  taken:   {backup.taken_at:%Y-%m-%d %H:%M:%S} UTC, by {backup.method}")
    print(f"  checked: {', '.join(backup.checks)}")
    return 0


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"
