"""How the intake questions, the summary and the confirmation look to a prospect."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from domain.crm_config import CrmConfig, Question, QuestionKind
from handlers.common.answers import answer_label
from handlers.common.callbacks import IntakeAnswer, IntakeRestart
from handlers.common.formatting import ANSWER_PREVIEW, clip, esc
from handlers.common.i18n import Texts

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def question_message(
    config: CrmConfig, index: int, t: Texts, *, run: str, header: str | None = None
) -> tuple[str, Markup]:
    """Question `index` as a message: its text, under `header` when there is one (an error, or the answers
    given in the same message), and what a new message with it carries: a choice its options as inline
    buttons, the contact question its own keyboard, any other question the navigation keyboard."""
    questions = config.intake.questions
    question = questions[index]
    text = t("intake-question", number=index + 1, total=len(questions), text=esc(question.text[t.locale]))
    if header:
        text = f"{header}\n\n{text}"
    if question.kind is QuestionKind.CONTACT:
        return text + "\n\n" + t("intake-phone-hint"), contact_keyboard(t, first=index == 0)
    if question.kind is QuestionKind.CHOICE:
        return text, _option_buttons(question, index, t, run)
    if question.kind is QuestionKind.TEXT:
        text += "\n\n" + t("intake-text-hint")
    return text, nav_keyboard(t)


def _option_buttons(question: Question, index: int, t: Texts, run: str) -> InlineKeyboardMarkup:
    rows = []
    for option in question.options:
        data = IntakeAnswer(r=run, q=index, opt=option.key).pack()
        rows.append([InlineKeyboardButton(text=option.label(t.locale), callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def nav_keyboard(t: Texts) -> ReplyKeyboardMarkup:
    """Back and Cancel, shown under the input field for the whole questionnaire. On a reply keyboard rather
    than under every question, a typed answer leaves no old buttons to take away: the next question is
    one message. Persistent and one row high, so they stay in reach on a phone whenever the letters are
    put away, and take little room from the chat."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("btn-back")), KeyboardButton(text=t("btn-cancel"))]],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=t("intake-answer-placeholder"),
    )


def contact_keyboard(t: Texts, *, first: bool) -> ReplyKeyboardMarkup:
    nav = [KeyboardButton(text=t("btn-cancel"))] if first else [
        KeyboardButton(text=t("btn-back")), KeyboardButton(text=t("btn-cancel"))
    ]  # fmt: skip
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("btn-share-phone"), request_contact=True)], nav],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder="+7 900 000-00-00",
    )


def acknowledgement(config: CrmConfig, answers: dict[str, str], t: Texts, *, first: int, stop: int) -> str:
    """A line like "✓ Бюджет: до 100 тыс. ₽" for each answered question from `first` up to `stop`: the
    answers given with the buttons of one message, shown at its top."""
    lines = []
    for question in config.intake.questions[first:stop]:
        if question.key in answers:
            answer = clip(answer_label(question, answers[question.key], t.locale), ANSWER_PREVIEW)
            lines.append(t("intake-answered", question=esc(question.title(t.locale)), answer=esc(answer)))
    return "\n".join(lines)


def restart_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("btn-continue"), callback_data=IntakeRestart(action="continue").pack()
                ),
                InlineKeyboardButton(
                    text=t("btn-start-over"), callback_data=IntakeRestart(action="restart").pack()
                ),
            ]
        ]
    )


def when_we_reply(config: CrmConfig, *, now: datetime, reply_due: datetime, t: Texts) -> str:
    """The promise in the confirmation: the take deadline, said the way people say it. "Within 15 minutes"
    when it falls today; otherwise the day and time, with the team's zone, since the team may be far away."""
    tz = ZoneInfo(config.timezone)
    local_now, local_due = now.astimezone(tz), reply_due.astimezone(tz)
    if local_due.date() == local_now.date():
        return t("intake-reply-within", duration=human_duration(reply_due - now, t))
    zone = local_due.strftime("%Z")
    zone = f"UTC{zone}" if zone[:1] in "+-" else zone
    return t("intake-reply-by", date=local_due.strftime("%d.%m"), time=local_due.strftime("%H:%M"), zone=zone)


def human_duration(span: timedelta, t: Texts) -> str:
    """15 минут, 2 часа, 1 час 30 минут: rounded up to a minute, never "120 minutes"."""
    minutes = max(1, -(-int(span.total_seconds()) // 60))
    hours, minutes = divmod(minutes, 60)
    parts = ([t("duration-hours", count=hours)] if hours else []) + (
        [t("duration-minutes", count=minutes)] if minutes else []
    )
    return " ".join(parts)
