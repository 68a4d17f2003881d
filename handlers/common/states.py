from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class IntakeForm(StatesGroup):
    answering = State()
    restart_or_continue = State()


PROMPTS = "prompts"  # DealInput data: the questions asked (and asked again), whose buttons go at the end
ALBUM = "album"  # DealInput.reply data: the media group of a reply being sent, whose other parts follow


class DealInput(StatesGroup):
    """A staff member is typing something a deal action needs. The state's data holds `deal_id`, the card
    to redraw (`card_chat`, `card_message`) and what the text is for."""

    amount = State()  # for a stage that requires one, or the final amount of a won deal
    note = State()  # a note of a kind, or the note a stage requires
    loss_reason = State()  # the words for the loss reason "other"
    next_contact = State()  # a date typed in free text; `rewarm` = true when it is for the rewarm deal
    reply = State()  # a message to the client
    handover_reason = State()  # why the deal goes to `to`
