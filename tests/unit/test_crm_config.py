from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.crm_config_file import ConfigFileError, load_crm_config
from domain.crm_config import CrmConfig


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crm.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_default_has_the_three_pipelines_six_reasons_and_four_questions() -> None:
    config = load_crm_config()
    assert [p.key for p in config.pipelines] == ["sales", "rewarm", "repeat"]
    sales = [s.key for s in config.pipeline("sales").stages]
    assert sales == ["new", "qualified", "proposal", "negotiation", "invoice", "won", "lost"]
    assert len(config.loss_reasons) >= 7 and config.loss_reasons[-1].key == "other"
    assert [(q.key, q.kind.value) for q in config.intake.questions] == [
        ("need", "text"), ("budget", "choice"), ("timing", "choice"), ("phone", "contact"),
    ]  # fmt: skip


def test_a_file_changes_only_the_keys_it_gives(tmp_path: Path) -> None:
    config = load_crm_config(write(tmp_path, '[intake]\ntake_sla = "30m"\n[business_hours]\nalways = true\n'))
    assert config.intake.take_sla == timedelta(minutes=30)
    assert config.business_hours.always is True
    assert config.business_hours.start == "09:00"
    assert len(config.intake.questions) == 4


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('[intake]\ntake_sla = "soon"\n', "intake.take_sla"),
        ('timezone = "Mars/Olympus"\n', "Mars/Olympus"),
        ('[distribution]\nmode = "random"\n', "distribution.mode"),
        (
            '[[loss_reasons]]\nkey = "a"\ntext = { ru = "А", en = "A" }\n'
            '[[loss_reasons]]\nkey = "b"\ntext = { ru = "Б", en = "B" }\n',
            'the last reason must be "other"',
        ),
        ('[[loss_reasons]]\nkey = "other"\ntext = { ru = "Другое" }\n', "loss_reasons.0.text"),
        ('[business_hours]\nstart = "25:00"\n', ": business_hours.start: expected a time"),
        ('[business_hours]\ndays = "weekdays"\n', ": business_hours.days:"),
        ('[business_hours]\nholidays = "XX"\n', ": business_hours.holidays:"),
        ("[intake\n", "not valid TOML"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_key(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(ConfigFileError) as error:
        load_crm_config(write(tmp_path, text))
    message = str(error.value)
    assert names in message and "\n" not in message


def test_a_pipeline_without_a_lost_stage_is_refused(tmp_path: Path) -> None:
    text = (
        '[[pipelines]]\nkey = "sales"\nname = { ru = "П", en = "S" }\n'
        'stages = [ { key = "new", name = { ru = "Н", en = "N" } },'
        ' { key = "won", kind = "won", name = { ru = "У", en = "W" } },'
        ' { key = "x", name = { ru = "Х", en = "X" } } ]\n'
    )
    with pytest.raises(ConfigFileError, match=r"pipelines.0: .*lost"):
        load_crm_config(write(tmp_path, text))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="file not found"):
        load_crm_config(tmp_path / "nope.toml")


def test_a_copy_with_other_business_hours_has_its_own_calendar(crm_config: CrmConfig) -> None:
    """The calendar is built once per config; a copy (`model_copy` carries the cache over) is rebuilt."""
    calendar = crm_config.calendar()
    assert crm_config.calendar() is calendar and not calendar.always
    always = crm_config.model_copy(
        update={"business_hours": crm_config.business_hours.model_copy(update={"always": True})}
    )
    assert always.calendar().always and not crm_config.calendar().always
