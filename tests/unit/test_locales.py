"""Every text exists in Russian and English, and Russian plurals agree with the number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from domain.deal_rules import DealError
from domain.models import BreachKind, NoteKind
from domain.next_contact_time import QUICK_CODES
from domain.preview_deals import DeleteOutcome
from handlers.common.command_menu import EVERYONE, IN_GROUPS, MANAGER, OVERSEER, STAFF
from handlers.common.i18n import LOCALES_DIR, Translator, ftl_files
from handlers.common.message_kinds import RELAYED
from handlers.desk.moves import REWARM_MONTHS
from handlers.notices.digest import SECTIONS as DIGEST_SECTIONS

ROOT = Path(__file__).resolve().parents[2]


def message_ids(locale: str) -> set[str]:
    ids: set[str] = set()
    for path in ftl_files(LOCALES_DIR / locale):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path}: syntax error near {(junk[0].content or '')[:80]!r}"
        ids |= {entry.id.name for entry in resource.body if isinstance(entry, ast.Message)}
    return ids


def keys_used_in_code() -> set[str]:
    """Literal keys passed to t(...) or translator.get(locale, ...) in the code."""
    pattern = re.compile(r"""(?:\bt\(|\.get\(\w+, )\s*"([a-z][a-z0-9-]+)\"""")
    used: set[str] = set()
    for package in ("handlers", "bot"):
        for path in (ROOT / package).rglob("*.py"):
            used |= {key for key in pattern.findall(path.read_text(encoding="utf-8")) if "-" in key}
    return used


def test_russian_and_english_have_the_same_texts() -> None:
    assert message_ids("ru") == message_ids("en")


def test_every_text_the_code_asks_for_exists() -> None:
    assert keys_used_in_code() - message_ids("ru") == set()


@pytest.mark.parametrize(
    "key",
    [f"temperature-{t}" for t in ("hot", "warm", "cold")]
    + [f"role-{r}" for r in ("admin", "supervisor", "manager")]
    + [f"deal-error-{e.value.replace('_', '-')}" for e in DealError]
    + [f"btn-nc-{code}" for code in QUICK_CODES]
    + [f"btn-rewarm-{code}" for code in REWARM_MONTHS]
    + [f"btn-note-{kind.value}" for kind in NoteKind]
    + [f"note-kind-{kind.value}" for kind in NoteKind]
    + [f"content-{kind.value}" for kind in RELAYED]
    + [f"history-{k}" for k in ("created", "queued", "request-repeated", "archived")]
    + [f"input-date-{problem}" for problem in ("past", "too-far")]
    + [f"hint-{menu}" for menu in ("stages", "lost", "nc", "hand", "won", "rewarm")]
    + [f"command-{name}" for name in (*EVERYONE, *IN_GROUPS, *MANAGER, *OVERSEER, *STAFF, "invite")]
    + [f"history-missed-{kind.value}" for kind in BreachKind]
    + [f"digest-{name.replace('_', '-')}" for name, _ in DIGEST_SECTIONS]
    + [f"digest-case-{measure}" for _, measure in DIGEST_SECTIONS if measure != "amount"]
    + [f"test-delete-{o.value.replace('_', '-')}" for o in DeleteOutcome if o is not DeleteOutcome.DELETED]
    + ["hint-nc-closed"],
)
def test_texts_picked_by_value_exist(key: str) -> None:
    """Keys the code builds from values (a refusal's code, a button's kind...), in both languages."""
    assert key in message_ids("ru") and key in message_ids("en")


@pytest.mark.parametrize(
    ("count", "russian"),
    [(1, "1 открытая сделка"), (2, "2 открытые сделки"), (5, "5 открытых сделок"), (11, "11 открытых сделок"),
     (21, "21 открытая сделка"), (24, "24 открытые сделки"), (0, "0 открытых сделок")],
)  # fmt: skip
def test_russian_plurals_agree_with_the_number(count: int, russian: str) -> None:
    assert russian in Translator().get("ru", "staff-menu-open-deals", count=count)


@pytest.mark.parametrize(("count", "english"), [(1, "1 open deal"), (2, "2 open deals"), (0, "0 open deals")])
def test_english_plurals_agree_with_the_number(count: int, english: str) -> None:
    assert english in Translator().get("en", "staff-menu-open-deals", count=count)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [(("ru",), "ru"), (("en-GB",), "en"), (("de", "en"), "en"), (("uk",), "ru"), ((None,), "ru")],
)
def test_the_language_is_the_first_supported_one_else_the_default(
    candidates: tuple[str | None, ...], expected: str
) -> None:
    assert Translator(default_locale="ru").pick(*candidates) == expected
    assert Translator(default_locale="en").pick("de") == "en"


def test_deal_numbers_are_never_grouped_like_quantities() -> None:
    translator = Translator()
    assert "№12345 " in translator.get("ru", "intake-done", id=12345, summary="", when="")
    assert "#12345 " in translator.get("en", "intake-done", id=12345, summary="", when="")


def test_a_long_text_people_typed_is_put_into_a_message_whole() -> None:
    """fluent.runtime drops placeables over 2500 characters; a long note must still be shown."""
    note = "длинная заметка " * 300
    text = Translator().get("ru", "history-note", icon="📞", actor="Олег", kind="звонок", text=note)
    assert text.endswith(note) and text.startswith("📞 Олег, звонок:")


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_no_text_is_defined_twice(locale: str) -> None:
    """Fluent lets a later definition silently replace an earlier one, across files too."""
    seen: dict[str, str] = {}
    twice = []
    for path in ftl_files(LOCALES_DIR / locale):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            if isinstance(entry, ast.Message):
                if entry.id.name in seen:
                    twice.append(f"{entry.id.name} ({seen[entry.id.name]}, {path.name})")
                seen[entry.id.name] = path.name
    assert twice == []
