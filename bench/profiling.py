"""Where a bot spends its time under load, by package: py-spy attached to the running bot for the
measured part only (start-up imports left out), its raw stacks summed per package, once by the frame
that was running (self) and once by every package on the stack (inclusive). Idle time is left out by
py-spy, so the shares are of the time the bot was busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from bench.figures import table

OURS = ("bot", "handlers", "domain", "storage")
# "function (path/to/file.py:line)" in py-spy's raw (collapsed) output
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::\d+)?\)$")


def spy_command() -> str | None:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


@contextlib.asynccontextmanager
async def sampling(pid: int, output: Path, *, rate: int = 200) -> AsyncIterator[bool]:
    """py-spy records ``pid`` while the block runs; yields whether it could start."""
    spy = spy_command()
    if spy is None:
        print("profile: py-spy is not installed (pip install py-spy), so there is none")
        yield False
        return
    argv = [spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--full-filenames",
            "--nonblocking", "--output", str(output)]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield True
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        except TimeoutError:
            process.kill()
            err = b"py-spy did not stop"
        if process.returncode:
            print(f"profile: py-spy said: {err.decode(errors='replace').strip()[-300:]}")


def package_of(path: str, roots: tuple[str, ...] = ()) -> str:
    """site-packages/<pkg>/..., the checkout's own packages (``roots``: its path), or the standard
    library module."""
    if path.startswith("<frozen "):
        return "stdlib: " + path.removeprefix("<frozen ").split(".")[0].rstrip(">")
    if path.startswith("<"):  # code made at run time, e.g. "<sqlalchemy generated _go() wrapper ...>"
        return match.group(1) if (match := re.match(r"<(\w+)", path)) else path
    parts = Path(path).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        return rest[0].removesuffix(".py") if rest else "?"
    for root in roots:
        if path.startswith(root.rstrip("/") + "/"):
            inside = Path(path).relative_to(root).parts
            return f"ours: {inside[0]}" if inside and inside[0] in OURS else f"ours: {'/'.join(inside)}"
    if any(part.startswith("python3") for part in parts[:-1]):
        after = parts[[p.startswith("python3") for p in parts].index(True) + 1 :]
        return "stdlib: " + (after[0].removesuffix(".py") if after else "?")
    return path


def summarise(raw: str, roots: tuple[str, ...] = ()) -> tuple[int, Counter[str], Counter[str]]:
    """(samples, self samples by package, inclusive samples by package)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [m.group("file") for f in stack.split(";") if (m := _FRAME.match(f))]
        packages = [package_of(file, roots) for file in frames]
        if packages:
            own[packages[-1]] += samples
        for package in set(packages):
            inclusive[package] += samples
    return total, own, inclusive


def print_profile(path: Path, *, title: str, roots: tuple[str, ...] = (), top: int = 15) -> None:
    if not path.exists():
        print(f"{title}: py-spy wrote no profile")
        return
    total, own, inclusive = summarise(path.read_text(errors="replace"), roots)
    if not total:
        print(f"{title}: no samples")
        return
    rows = [
        [package, f"{own[package] / total:.1%}", f"{inclusive[package] / total:.1%}"]
        for package, _ in own.most_common(top)
    ]
    print(f"{title}: {total} samples; self = the frame running, by package (selectors = waiting in epoll)")
    print(table(("package", "self", "on the stack"), rows))
    print()
