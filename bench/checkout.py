"""Which checkout's bot is measured: its root, its interpreter, and what its questionnaire looks like.

The bench runs from this repository (the stand-in and the echo bot are always this one's), but the bot
under test may be another checkout's (``--repo PATH``), so the integrator can rerun the same bench on
new code. What the prospects need to know (the kind of each question, the confirmation's words) is read
from that checkout's files rather than written here, so the bench keeps working while texts move.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_ROOT = Path(__file__).resolve().parents[1]
TARGET_ENV = "BENCH_TARGET_ROOT"  # set in a re-executed bench: put that checkout's packages first


@dataclass(frozen=True)
class Checkout:
    root: Path
    python: str

    @classmethod
    def at(cls, path: str | None) -> Checkout:
        root = Path(path or os.environ.get(TARGET_ENV) or BENCH_ROOT).resolve()
        if not (root / "bot" / "__main__.py").exists():
            raise SystemExit(f"bench: {root} is not a checkout of the bot (no bot/__main__.py)")
        venv = root / ".venv" / "bin" / "python"
        return cls(root, str(venv) if venv.exists() else sys.executable)

    @property
    def is_here(self) -> bool:
        return self.root == BENCH_ROOT and Path(self.python).resolve() == Path(sys.executable).resolve()

    def run_in_process(self, module: str, argv: list[str]) -> None:
        """Code that imports the bot in this process (``bench.statements``) must run on the checkout's
        interpreter with its packages first: re-execute there when that is not this process."""
        if self.is_here or os.environ.get(TARGET_ENV):
            self.put_first_on_path()
            return
        env = {**os.environ, TARGET_ENV: str(self.root)}
        os.chdir(BENCH_ROOT)
        os.execve(self.python, [self.python, "-m", module, *argv], env)

    def put_first_on_path(self) -> None:
        """``bot``, ``handlers``, ``domain`` and ``storage`` from this checkout; import the stand-in first
        (it stays this repository's)."""
        import tests.e2e.bot_api_server  # noqa: F401 - pins the stand-in to the bench's own copy

        if str(self.root) not in sys.path[:1]:
            sys.path.insert(0, str(self.root))

    def questionnaire(self, override: dict[str, Any] | None = None) -> Questionnaire:
        defaults = _toml(self.root / "bot" / "defaults" / "crm.toml")
        questions = ((override or {}).get("intake") or {}).get("questions") or defaults["intake"]["questions"]
        texts = _ftl(self.root / "locales" / "ru" / "main.ftl")
        return Questionnaire(
            kinds=tuple(str(q["kind"]) for q in questions),
            done=_before_placeable(texts.get("intake-done"), "Ваша заявка №"),
            failure=_before_placeable(texts.get("error-generic"), "что-то пошло не так")[:40],
        )


@dataclass(frozen=True)
class Questionnaire:
    """What a prospect meets: the kind of each question, the start of the confirmation and of the
    "something went wrong" reply."""

    kinds: tuple[str, ...]
    done: str
    failure: str

    def question(self, number: int) -> str:
        """Text that marks question ``number`` (1-based), as locales/ru/main.ftl ``intake-question``."""
        return f"Вопрос {number} из"


def _toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def _ftl(path: Path) -> dict[str, str]:
    """First text line of each message of a Fluent file (enough to recognise it)."""
    found: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([a-z][a-z0-9-]*)\s*=\s*(.*)$", line):
            key = match.group(1)
            if match.group(2).strip():
                found[key] = match.group(2).strip()
                key = None
        elif key and line.strip():
            found[key] = line.strip()
            key = None
    return found


def _before_placeable(text: str | None, fallback: str) -> str:
    """The words before the first ``{ $var }``, without markup: what every such message starts with."""
    if not text:
        return fallback
    plain = re.sub(r"<[^>]+>", "", text.split("{", 1)[0]).strip()
    return plain if len(plain) >= 5 else fallback
