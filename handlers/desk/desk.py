"""What every deal button and typed answer needs, in one object: the person, their texts, the clock, the
unit of work, the bot; and the common moves: refuse (and log why), answer how an action went, show the
card (drawn fresh from the database, in place of an old one or as a new message).

A middleware puts a `Desk` into the handler data of the deal routers, so a handler reads
`async def on_x(callback, callback_data, desk)` rather than nine parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject

from domain.crm_config import CrmConfig
from domain.deal_access import ActionResult, may_act, may_view
from domain.deal_card import DealCard, deal_card
from domain.deal_notes import plan_next_contact
from domain.deal_rules import DealError
from domain.models import Deal, Staff
from domain.ports import UnitOfWork
from handlers.common.callbacks import DealAction
from handlers.common.formatting import moment, stage_label
from handlers.common.i18n import Texts
from handlers.common.pending_input import drop_buttons_of, forget_input
from handlers.desk.views.card import deal_card_text
from handlers.desk.views.keyboards import deal_card_keyboard

logger = logging.getLogger(__name__)

CardRef = tuple[int, int]  # (chat id, message id) of a card message
GONE_FOR_GOOD = (DealError.NOT_ALLOWED, DealError.NOT_FOUND)


async def read_card(uow: UnitOfWork, deal_id: int) -> DealCard | None:
    """The card as it is now; ends the read so no transaction is held while Telegram is called."""
    card = await deal_card(uow, deal_id)
    await uow.rollback()
    return card


def render(
    card: DealCard, config: CrmConfig, t: Texts, staff: Staff | None, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    viewer = staff.telegram_id if staff else None
    text = deal_card_text(card, config, t, viewer_id=viewer, now=now)
    return text, deal_card_keyboard(card, t, viewer=staff, config=config)


@dataclass
class Desk:
    bot: Bot
    uow: UnitOfWork
    config: CrmConfig
    t: Texts
    staff: Staff | None
    now: datetime
    state: FSMContext

    @property
    def user_id(self) -> int | None:
        return self.staff.telegram_id if self.staff else None

    def stage_name(self, deal: Deal | None, key: str) -> str:
        """A stage of `deal`'s pipeline in the reader's language (not escaped); the key without a deal."""
        return key if deal is None else stage_label(self.config, deal.pipeline, key, self.t.locale)

    def refusal_text(self, error: DealError | str) -> str:
        """Why nothing was done, in words; someone outside the team just hears the buttons are not theirs."""
        if self.staff is None or not self.staff.active:
            return self.t("take-not-allowed")
        if isinstance(error, DealError):
            return self.t(f"deal-error-{error.value.replace('_', '-')}")
        return self.t(error)

    def log_refusal(self, user_id: int, what: str, deal_id: int, why: str) -> None:
        logger.warning("refused: user %s %s on deal %s (%s)", user_id, what, deal_id, why)

    async def refuse(
        self, callback: CallbackQuery, why: DealError | str, *, deal_id: int, action: str
    ) -> None:
        """Answer a press with why it did nothing, as an alert, and log it."""
        reason = why.value if isinstance(why, DealError) else why
        self.log_refusal(callback.from_user.id, f"pressed {action}", deal_id, reason)
        await callback.answer(self.refusal_text(why), show_alert=True)

    async def checked(
        self, callback: CallbackQuery, data: DealAction, *, versioned: bool = True, view_only: bool = False
    ) -> DealCard | None:
        """The deal's current card if the press may go on; else the press is answered (a stale card is
        redrawn as it is now) and None is returned."""
        card = await read_card(self.uow, data.deal_id)
        if card is None:
            await self.refuse(callback, DealError.NOT_FOUND, deal_id=data.deal_id, action=data.action)
            return None
        allowed = (
            may_view(self.staff, card.deal, self.config) if view_only else may_act(self.staff, card.deal)
        )
        if not allowed:
            await self.refuse(callback, DealError.NOT_ALLOWED, deal_id=data.deal_id, action=data.action)
            return None
        if versioned and data.v != card.deal.version:
            await self.refuse(callback, DealError.STALE, deal_id=data.deal_id, action=data.action)
            await self.redraw_pressed(callback, data.deal_id)
            return None
        return card

    async def answer_result(
        self, callback: CallbackQuery, result: ActionResult, *, ok: str, action: str
    ) -> None:
        """Say how the action went and show the card as it is now (after a refusal too: a stale card is
        replaced by the current one)."""
        deal_id = DealAction.unpack(callback.data or "").deal_id
        if result.error is None:
            await callback.answer(ok)
        else:
            await self.refuse(callback, result.error, deal_id=deal_id, action=action)
            if result.error in GONE_FOR_GOOD or result.deal is None:
                return
        await self.redraw_pressed(callback, deal_id)

    async def plan_contact(self, callback: CallbackQuery, at: datetime, *, version: int, action: str) -> None:
        """Set the deal's next contact to `at` from a button drawn on card `version` (a quick time, an hour
        on the calendar), say so and show the card as it is now."""
        deal_id = DealAction.unpack(callback.data or "").deal_id
        result = await plan_next_contact(
            self.uow, deal_id=deal_id, staff=self.staff, version=version, at=at, now=self.now
        )
        ok = self.t("done-next-contact", at=moment(at, self.config, self.t.locale, now=self.now))
        await self.answer_result(callback, result, ok=ok, action=action)

    async def show_menu(self, callback: CallbackQuery, markup: InlineKeyboardMarkup, *, hint: str) -> None:
        """A small menu in place of the card's buttons (the card's text stays), with a word on what to
        pick (`hint`, a text key) shown as the press is answered."""
        await callback.answer(self.t(hint))
        if isinstance(callback.message, Message):
            try:
                await callback.message.edit_reply_markup(reply_markup=markup)
            except TelegramBadRequest as error:
                if "not modified" not in str(error):
                    raise

    async def redraw_pressed(self, callback: CallbackQuery, deal_id: int) -> None:
        """The card whose button was pressed, redrawn in place as the deal is now."""
        message = callback.message if isinstance(callback.message, Message) else None
        await self.redraw((callback.from_user.id, message.message_id if message else 0), deal_id)

    async def redraw(self, card: CardRef, deal_id: int) -> None:
        """Edit the card message in place; when it cannot be edited (too old, deleted, not a card), send
        the card anew so the person always sees the deal as it is."""
        chat_id, message_id = card
        current = await read_card(self.uow, deal_id)
        if current is None:
            return
        text, markup = render(current, self.config, self.t, self.staff, self.now)
        if message_id:
            try:
                await self.bot.edit_message_text(
                    text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
                return
            except TelegramBadRequest as error:
                if "not modified" in str(error):
                    return
                logger.info("card %s could not be edited in place (%s); sending it anew", deal_id, error)
            except TelegramAPIError as error:  # Telegram away or the person gone: the action itself is saved
                logger.warning("card %s could not be redrawn in %s: %s", deal_id, chat_id, error)
                return
        await self.bot.send_message(chat_id, text, reply_markup=markup)

    async def send_card(self, deal_id: int, *, header: str | None = None) -> None:
        """The card as a new message to the person at the desk, under `header` when there is one."""
        assert self.staff is not None
        card = await read_card(self.uow, deal_id)
        if card is None:
            return
        text, markup = render(card, self.config, self.t, self.staff, self.now)
        await self.bot.send_message(
            self.staff.telegram_id, f"{header}\n\n{text}" if header else text, reply_markup=markup
        )

    async def pending_card(self, deal_id: int) -> CardRef | None:
        """The card an input for `deal_id` was asked from, if that input is still pending."""
        data = await self.state.get_data()
        if data.get("deal_id") == deal_id and data.get("card_chat") and data.get("card_message"):
            return int(data["card_chat"]), int(data["card_message"])
        return None

    async def end_input(self) -> dict[str, Any]:
        """Forget a half-typed input, and take the buttons off the questions it asked."""
        assert self.staff is not None
        return await forget_input(self.bot, self.staff.telegram_id, self.state)

    async def pending_input(self, deal_id: int) -> bool:
        """Whether the person is typing something for this deal (not another one, not nothing)."""
        current = await self.state.get_state()
        return bool(current) and (await self.state.get_data()).get("deal_id") == deal_id

    async def drop_prompt_buttons(self, chat_id: int, message_ids: list[int]) -> None:
        await drop_buttons_of(self.bot, chat_id, message_ids)

    async def drop_buttons(self, callback: CallbackQuery) -> None:
        """The pressed message keeps its text and loses its buttons (a confirmation that did its work)."""
        if isinstance(callback.message, Message):
            await drop_buttons_of(self.bot, callback.message.chat.id, [callback.message.message_id])


class DeskMiddleware(BaseMiddleware):
    """Inner middleware of the deal routers: builds the `Desk` from what the outer middlewares put in."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["desk"] = Desk(
            bot=data["bot"],
            uow=data["uow"],
            config=data["config"],
            t=data["t"],
            staff=data.get("staff"),
            now=data["now"],
            state=data["state"],
        )
        return await handler(event, data)


def with_desk(router: Router) -> Router:
    """Give the router's buttons and messages a `desk`."""
    router.callback_query.middleware(DeskMiddleware())
    router.message.middleware(DeskMiddleware())
    return router
