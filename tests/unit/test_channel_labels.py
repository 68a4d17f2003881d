"""A lead's channel and source as staff read them: /find's lines and the names from `[[sources]]`."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.crm_config import CrmConfig, Source
from domain.deal_lists import ListItem, QueryKind, Scope, SearchQuery, SearchResult
from domain.models import Channel, Deal, DealStatus, Temperature
from handlers.common.formatting import channel_label, source_label
from handlers.common.i18n import Translator
from handlers.desk.lists import search_screen

RU, EN = Translator().bind("ru"), Translator().bind("en")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def with_sources(config: CrmConfig) -> CrmConfig:
    named = Source(key="instagram", name={"ru": "Инстаграм", "en": "Instagram"}, spend=30000)
    return config.model_copy(update={"sources": [named]})


def web_deal(source: str | None) -> Deal:
    return Deal(
        id=7, contact_id=1, pipeline="sales", stage="new", status=DealStatus.OPEN, chat_id=None,
        source=source, answers={}, temperature=Temperature.WARM, target=True, created_at=NOW,
        stage_entered_at=NOW, manager_id=5, channel=Channel.SITE,
    )  # fmt: skip


def test_channels_read_as_words_in_each_language_and_an_unknown_one_as_stored() -> None:
    assert channel_label("site", RU) == "сайт"
    assert channel_label("site", EN) == "website"
    assert channel_label("telegram", RU) == "Telegram"
    assert channel_label("vk", RU) == "vk"  # written by a later version: shown, not a raw text key


def test_a_source_reads_by_its_configured_name_else_as_its_tag(crm_config: CrmConfig) -> None:
    config = with_sources(crm_config)
    assert source_label(config, "instagram", "ru", RU) == "Инстаграм"
    assert source_label(config, "instagram", "en", EN) == "Instagram"
    assert source_label(config, "vk_ads", "ru", RU) == "vk_ads"
    assert source_label(config, None, "ru", RU) == "напрямую"


def test_find_names_each_deal_s_channel_and_source(crm_config: CrmConfig) -> None:
    config = with_sources(crm_config)
    result = SearchResult(
        query=SearchQuery(QueryKind.NAME, text="анна", name="анна"),
        scope=Scope.ALL,
        items=(ListItem(web_deal("instagram"), "Анна", manager_name="Олег"),),
    )
    text, _ = search_screen(result, config=config, t=RU)
    assert "сайт, Инстаграм" in text
    text, _ = search_screen(result, config=config, t=EN)
    assert "website, Instagram" in text
