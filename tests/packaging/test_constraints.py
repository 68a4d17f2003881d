"""constraints.txt pins every dependency of pyproject.toml, the dev extra's too, inside its range.

A dependency with no pin would install whatever is newest, silently (pip takes a constraints file as
"at most these", not as "all of these"); a pin outside the range would make the install fail.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            found[canonicalize_name(name)] = version
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(line) for line in listed]


def test_every_dependency_is_pinned_inside_its_range() -> None:
    pinned = pins()
    unpinned = [str(req) for req in requirements() if canonicalize_name(req.name) not in pinned]
    assert unpinned == [], "refresh constraints.txt (its first lines say how)"
    outside = [
        f"{req} (pinned {pinned[canonicalize_name(req.name)]})"
        for req in requirements()
        if not req.specifier.contains(pinned[canonicalize_name(req.name)], prereleases=True)
    ]
    assert outside == []


def test_the_project_itself_is_not_pinned() -> None:
    assert "voronka" not in pins()
