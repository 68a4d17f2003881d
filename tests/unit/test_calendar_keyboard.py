"""The next contact's calendar: the month grid marks the team's days off (and not Russia's working
Saturdays), today and the days past; the hours keep to working time; every button fits Telegram's 64
bytes and carries the deal and the card's version."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

from domain.crm_config import CrmConfig
from domain.models import Deal, DealStatus, Temperature
from domain.working_time import BusinessCalendar
from handlers.common.callbacks import DealAction
from handlers.common.i18n import Translator
from handlers.desk.views.calendar import (
    contact_hours,
    day_arg,
    day_of,
    hour_arg,
    hour_of,
    month_arg,
    month_keyboard,
    month_of,
    time_keyboard,
)
from handlers.desk.views.keyboards import next_contact_keyboard
from tests.conftest import FIXED_NOW
from tests.unit.test_locales import message_ids

RU, EN = Translator().bind("ru"), Translator().bind("en")
NOVEMBER = date(2026, 11, 1)
FAR = date(2028, 11, 25)  # the last day a contact may be planned on, about two years ahead


def a_deal(deal_id: int = 7, version: int = 3) -> Deal:
    return Deal(
        id=deal_id, contact_id=1, pipeline="sales", stage="new", status=DealStatus.OPEN, chat_id=500,
        source=None, answers={}, temperature=Temperature.WARM, target=True, created_at=FIXED_NOW,
        stage_entered_at=FIXED_NOW, manager_id=101, taken_at=FIXED_NOW, version=version,
    )  # fmt: skip


def rows(markup: InlineKeyboardMarkup) -> list[list[tuple[str, DealAction]]]:
    return [
        [(b.text, DealAction.unpack(b.callback_data or "")) for b in row] for row in markup.inline_keyboard
    ]


def days(markup: InlineKeyboardMarkup) -> dict[str, DealAction]:
    """The day cells of a month grid, by label (the weeks: below the header and the weekday names)."""
    return {text: data for row in rows(markup)[2:-1] for text, data in row if text.strip()}


def grid(
    calendar: BusinessCalendar, *, month: date = NOVEMBER, today: date, t: Any = RU
) -> InlineKeyboardMarkup:
    return month_keyboard(a_deal(), month, today=today, last_day=FAR, calendar=calendar, t=t)


def test_november_2026_marks_the_days_off_and_today(crm_config: CrmConfig) -> None:
    cells = days(grid(crm_config.calendar(), today=date(2026, 11, 2)))
    # 4 November is National Unity Day, 7 and 8 a weekend; Sunday the 1st is past and still a weekend.
    for off in (1, 4, 7, 8, 14, 15, 28, 29):
        assert f"·{off}·" in cells or f"[·{off}·]" in cells, off
    assert "[2]" in cells, "today, a working Monday"
    assert {"3", "5", "6", "9", "30"} <= set(cells)
    assert cells["·4·"] == DealAction(action="ncday", deal_id=7, v=3, arg="20261104")
    assert cells["·7·"].action == "ncday", "a day off can still be picked"
    assert cells["·1·"].action == "ncpast"
    assert len(cells) == 30


def test_a_russian_working_saturday_is_not_a_day_off(crm_config: CrmConfig) -> None:
    # 1 November 2025 was a working Saturday (its day off moved to Monday the 3rd).
    cells = days(grid(crm_config.calendar(), month=date(2025, 11, 1), today=date(2025, 10, 20)))
    assert "1" in cells and "·1·" not in cells
    assert {"·2·", "·3·", "·4·", "·8·"} <= set(cells)


def test_the_days_before_today_are_drawn_but_not_for_picking(crm_config: CrmConfig) -> None:
    cells = days(grid(crm_config.calendar(), today=date(2026, 11, 25)))
    assert cells["24"] == DealAction(action="ncpast", deal_id=7, v=3, arg="")
    assert cells["·22·"].action == "ncpast"
    assert cells["[25]"].action == "ncday" and cells["[25]"].arg == "20261125"
    assert cells["26"].action == "ncday"


def test_the_header_the_weekdays_and_the_way_back(crm_config: CrmConfig) -> None:
    drawn = rows(grid(crm_config.calendar(), today=date(2026, 11, 25)))
    back, title, forward = drawn[0]
    assert title[0] == "ноябрь 2026" and title[1].action == "ncnop"
    assert back[1].action == "ncnop" and back[0].strip() == "", "no way back before the current month"
    assert forward == ("›", DealAction(action="ncal", deal_id=7, v=3, arg="202612"))
    assert [text for text, _ in drawn[1]] == ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    assert all(data.action == "ncnop" for _, data in drawn[1])
    assert [text.strip() for text, _ in drawn[2]] == ["", "", "", "", "", "", "·1·"]  # Sunday the 1st
    assert all(len(week) == 7 for week in drawn[2:-1])
    assert drawn[-1] == [("« Назад", DealAction(action="nc", deal_id=7, v=3))]


def test_a_later_month_goes_back_and_the_last_one_stops(crm_config: CrmConfig) -> None:
    later = rows(grid(crm_config.calendar(), month=date(2027, 1, 1), today=date(2026, 11, 25)))
    assert later[0][0] == ("‹", DealAction(action="ncal", deal_id=7, v=3, arg="202612"))
    last_day = date(2028, 11, 22)  # a Wednesday
    last = month_keyboard(
        a_deal(), last_day, today=date(2026, 11, 25), last_day=last_day, calendar=crm_config.calendar(), t=RU
    )
    assert rows(last)[0][2][1].action == "ncnop", "nothing beyond the last day"
    cells = days(last)
    assert cells["22"].action == "ncday"
    assert cells["23"] == DealAction(action="ncnop", deal_id=7, v=3, arg="far")


def test_english_names_months_and_weekdays_in_english(crm_config: CrmConfig) -> None:
    drawn = rows(grid(crm_config.calendar(), today=date(2026, 11, 25), t=EN))
    assert drawn[0][1][0] == "November 2026"
    assert [text for text, _ in drawn[1]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert drawn[-1][0][0] == "« Back"
    hours = time_keyboard(
        a_deal(), date(2026, 11, 28), hours=[9], day_off="weekend", offer=date(2026, 11, 30), t=EN
    )
    texts = [text for row in rows(hours) for text, _ in row]
    assert texts == [
        "📅 Sat, 28 Nov — weekend",
        "09:00",
        "➡️ Next working day: Mon, 30 Nov",
        "« To the calendar",
    ]


def test_the_hours_keep_to_working_time(crm_config: CrmConfig) -> None:
    assert contact_hours(crm_config.calendar()) == range(9, 18)  # 09:00 .. 17:00 for a day ending at 18:00
    always = crm_config.business_hours.model_copy(update={"always": True}).calendar("Europe/Moscow")
    assert contact_hours(always) == range(9, 21)
    odd = crm_config.business_hours.model_copy(update={"start": "08:30", "end": "17:30"})
    assert contact_hours(odd.calendar("Europe/Moscow")) == range(9, 17)


def test_the_hours_of_a_day_off_offer_the_next_working_day() -> None:
    markup = time_keyboard(
        a_deal(), date(2026, 11, 4), hours=range(9, 18), day_off="holiday", offer=date(2026, 11, 5), t=RU
    )
    drawn = rows(markup)
    assert drawn[0][0][0] == "📅 ср, 4 нояб. — праздник" and drawn[0][0][1].action == "ncnop"
    picks = [data for row in drawn[1:-2] for _, data in row]
    assert [data.arg for data in picks] == [f"20261104{hour:02d}" for hour in range(9, 18)]
    assert all(data.action == "ncat" and data.v == 3 for data in picks)
    assert drawn[-2] == [
        ("➡️ Ближайший рабочий: чт, 5 нояб.", DealAction(action="ncday", deal_id=7, v=3, arg="20261105"))
    ]
    assert drawn[-1] == [("« К календарю", DealAction(action="ncal", deal_id=7, v=3, arg="202611"))]


def test_a_day_with_no_hours_left_says_so() -> None:
    markup = time_keyboard(
        a_deal(), date(2026, 11, 25), hours=[], day_off=None, offer=date(2026, 11, 26), t=RU
    )
    texts = [text for row in rows(markup) for text, _ in row]
    assert texts[:2] == ["📅 ср, 25 нояб.", "На сегодня рабочее время уже закончилось"]


def test_every_button_fits_64_bytes_with_a_huge_deal_and_version(crm_config: CrmConfig) -> None:
    deal = a_deal(deal_id=2**63 - 1, version=2**31 - 1)
    calendar = crm_config.calendar()
    keyboards = [
        month_keyboard(
            deal, date(2026, 11, 1), today=date(2026, 11, 25), last_day=FAR, calendar=calendar, t=RU
        ),
        time_keyboard(
            deal, date(2026, 12, 31), hours=range(24), day_off="holiday", offer=date(2027, 1, 11), t=RU
        ),
        next_contact_keyboard(deal, RU),
    ]
    packed = [b.callback_data or "" for markup in keyboards for row in markup.inline_keyboard for b in row]
    assert {DealAction.unpack(data).action for data in packed} >= {
        "ncal",
        "ncday",
        "ncat",
        "ncpast",
        "ncnop",
        "nc",
    }
    assert (
        max(len(data.encode()) for data in packed) == len(f"d:ncat:{2**63 - 1}:{2**31 - 1}:2026123123") == 48
    )
    assert all(DealAction.unpack(data).deal_id == 2**63 - 1 for data in packed)


def test_the_next_contact_menu_offers_the_calendar() -> None:
    drawn = rows(next_contact_keyboard(a_deal(), RU))
    assert ("🗓 Календарь", DealAction(action="ncal", deal_id=7, v=3)) in [
        cell for row in drawn for cell in row
    ]


@pytest.mark.parametrize(
    ("arg", "parse", "expected"),
    [
        ("202611", month_of, date(2026, 11, 1)),
        ("202613", month_of, None),
        ("20261", month_of, None),
        ("2026-11", month_of, None),
        ("20261231", day_of, date(2026, 12, 31)),
        ("20260230", day_of, None),
        ("２０２６１１０１", day_of, None),  # digits, but not ASCII ones
        ("2026112515", hour_of, (date(2026, 11, 25), 15)),
        ("2026112524", hour_of, None),
        ("20261125", hour_of, None),
        ("", hour_of, None),
    ],
)
def test_a_forged_or_broken_arg_is_no_date(arg: str, parse: Any, expected: object) -> None:
    assert parse(arg) == expected


def test_args_read_back() -> None:
    day = date(2027, 3, 8)
    assert month_of(month_arg(day)) == day.replace(day=1)
    assert day_of(day_arg(day)) == day
    assert hour_of(hour_arg(day, 9)) == (day, 9)
    assert day_of(day_arg(day + timedelta(days=1))) == date(2027, 3, 9)


def test_both_languages_have_every_calendar_text() -> None:
    keys = {"btn-calendar", "btn-cal-month", "btn-cal-working-day", "hint-cal-month", "hint-cal-time",
            "hint-cal-day-off", "cal-day", "cal-day-weekend", "cal-day-holiday", "cal-no-hours",
            "cal-day-past", "cal-time-past", "cal-too-far", "btn-back"}  # fmt: skip
    assert keys <= message_ids("ru") and keys <= message_ids("en")


def test_a_shortened_day_offers_hours_up_to_its_earlier_closing(crm_config: CrmConfig) -> None:
    calendar = crm_config.calendar()  # 09:00-18:00, one hour shorter before a public holiday
    assert contact_hours(calendar, date(2026, 4, 30)) == range(9, 17)  # 09:00..16:00: closes at 17:00
    assert contact_hours(calendar, date(2026, 4, 29)) == range(9, 18)  # 09:00..17:00


@pytest.mark.parametrize("data", ["d:ncday:99999999999999999999:1:20261130", "d:open:-5:0:", "d:ncat:1:-1:"])
def test_ids_a_database_cannot_hold_are_not_a_deal_button(data: str) -> None:
    with pytest.raises(ValueError):
        DealAction.unpack(data)
