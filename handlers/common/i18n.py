"""Texts for people, from Fluent files in `locales/<lang>/*.ftl` (Russian and English).

The files are the `locales` package's data, found through `importlib.resources`: the same in a source
checkout and in an installed wheel, whatever the current folder (README.md, "Running in production").

We use `fluent.runtime` directly rather than aiogram-i18n: the notifier renders texts outside any
update (for a recipient who is not the sender), so a plain translator object passed around by name is
what both handlers and the notifier need. Fluent gives correct Russian plurals (1 сделка, 2 сделки,
5 сделок) through CLDR rules.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

logger = logging.getLogger(__name__)

LOCALES_DIR: Traversable = files("locales")
SUPPORTED = ("ru", "en")
LABEL_ARGS = frozenset({"id"})
LONG_ARG = 1000


class Translator:
    def __init__(self, *, default_locale: str = "ru", root: Traversable = LOCALES_DIR) -> None:
        if default_locale not in SUPPORTED:
            raise ValueError(f"unsupported locale {default_locale!r}")
        self.default_locale = default_locale
        self._bundles: dict[str, FluentBundle] = {}
        for locale in SUPPORTED:
            bundle = FluentBundle([locale], use_isolating=False)
            for path in ftl_files(root / locale):
                bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
            self._bundles[locale] = bundle

    def pick(self, *candidates: str | None) -> str:
        """The first supported language among `candidates` ("ru-RU" counts as ru), else the default."""
        for candidate in candidates:
            if candidate:
                short = candidate.split("-")[0].lower()
                if short in SUPPORTED:
                    return short
        return self.default_locale

    def get(self, locale: str, key: str, **args: Any) -> str:
        bundle = self._bundles.get(locale) or self._bundles[self.default_locale]
        if not bundle.has_message(key):
            logger.error("missing text %s in %s", key, locale)
            bundle = self._bundles["en"] if locale != "en" else self._bundles["ru"]
            if not bundle.has_message(key):
                return key
        message = bundle.get_message(key)
        if message.value is None:
            return key
        # Ids are labels, not quantities: "сделка №12345", never "№12 345".
        args = {name: str(value) if name in LABEL_ARGS else value for name, value in args.items()}
        # fluent.runtime refuses a placeable longer than 2500 characters (a guard against runaway
        # expansion) and drops it; a long note or message people typed is no such thing. Long texts go in
        # as short stand-ins and are put back after formatting (a stand-in is never selected on).
        long_texts: dict[str, str] = {}
        for name, value in args.items():
            if isinstance(value, str) and len(value) > LONG_ARG:
                long_texts[f"\x00{len(long_texts)}\x00"] = value
                args[name] = f"\x00{len(long_texts) - 1}\x00"
        text, errors = bundle.format_pattern(message.value, args)
        for error in errors:
            logger.error("text %s in %s: %s", key, locale, error)
        text = str(text)
        for stand_in, value in long_texts.items():
            text = text.replace(stand_in, value)
        return text

    def bind(self, locale: str) -> Texts:
        return Texts(self, locale)


def ftl_files(folder: Traversable) -> list[Traversable]:
    """One language's `.ftl` files, by name (a `Traversable` has no glob); none for a missing folder."""
    if not folder.is_dir():
        return []
    return sorted(
        (path for path in folder.iterdir() if path.name.endswith(".ftl")), key=lambda path: path.name
    )


class Texts:
    """A translator bound to one person's language: `t("intake-greeting", name=...)`."""

    def __init__(self, translator: Translator, locale: str) -> None:
        self.translator, self.locale = translator, locale

    def __call__(self, key: str, **args: Any) -> str:
        return self.translator.get(self.locale, key, **args)
