"""People who talk to the bot through :class:`FakeBotApi` (see ``bot_api_server.py``).

A :class:`FakeUser` injects updates (messages, button presses) and reads what the bot sent to its
chat.  Each person keeps a cursor into ``api.calls``: every action moves it to "now", and
:meth:`FakeUser.next_message` / :meth:`FakeUser.expect` consume bot output after it, so a test reads
the conversation in order without sleeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bot_api_server import ApiCall, FakeBotApi

Json = dict[str, Any]
OTHER_CONTACT_USER_ID = 700_000_001  # contact.user_id of a contact that is not the sender's own


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def button_texts(markup: Any) -> list[str]:
    """Texts of all buttons of an inline or reply keyboard (empty for anything else)."""
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b.get("text", "") if isinstance(b, dict) else str(b) for row in rows for b in row]


_MEDIA_DEFAULTS: dict[str, Json] = {
    "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
    "document": {"file_name": "document.pdf", "mime_type": "application/pdf"},
    "voice": {"duration": 3, "mime_type": "audio/ogg"},
}


def media(kind: str, file_id: str, unique_id: str, size: int, **fields: Any) -> Any:
    """Telegram object of a file: a PhotoSize list for "photo", else a Sticker/Document/Voice.

    ``fields`` override the defaults; a None value drops the field.
    """
    base = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
    if kind == "photo":
        thumb = {"file_id": f"{file_id}-s", "file_unique_id": f"{unique_id}s", "width": 90, "height": 90}
        return [thumb, {**base, "width": 1280, "height": 960}]
    merged = {**base, **_MEDIA_DEFAULTS.get(kind, {}), **fields}
    return {key: value for key, value in merged.items() if value is not None}


def _inline_buttons(message: Json) -> list[Json]:
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [button for row in rows for button in row]


def _find_button(message: Json, wanted: str) -> Json | None:
    """Exact text first, then exact callback_data, then text containing ``wanted``."""
    buttons = _inline_buttons(message)
    for match in (
        lambda b: b.get("text") == wanted,
        lambda b: b.get("callback_data") == wanted,
        lambda b: wanted in b.get("text", ""),
    ):
        if found := next((b for b in buttons if match(b)), None):
            return found
    return None


def _view(call: ApiCall) -> Json:
    """What a person sees of one bot call: {method, text, reply_markup, buttons, message_id, params}."""
    msg = call.message or {}
    markup = call.params.get("reply_markup")
    return {
        "method": call.method,
        "text": msg.get("text", msg.get("caption")),
        "reply_markup": markup,
        "buttons": button_texts(markup),
        "message_id": msg.get("message_id"),
        "params": call.params,
    }


class FakeUser:
    """A person in a private chat with the bot (chat id == user id; negative ids act as a group).

    Profile attributes (``first_name``, ``username``...) may be changed between actions.
    """

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.api, self.id = api, user_id
        self.first_name, self.last_name = first_name, last_name
        self.username, self.language_code = username, language_code
        self._cursor = 0
        self._last_callback: tuple[str, int] | None = None  # (callback query id, call index at press)

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> Json:
        """Telegram User object of this person."""
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if value := getattr(self, key):
                user[key] = value
        return user

    # ------------------------------------------------------------------ actions
    async def _say(self, content: Json) -> Json:
        self._cursor = max(self._cursor, self.api.mark())
        return await self.api.inject_message(self.chat_id, self.as_user(), content)

    async def send(self, text: str) -> Json:
        """A text message; "/cmd args" carries a bot_command entity like real clients send."""
        return await self._say(_text_content(text))

    async def reply(self, to_message_id: int, text: str) -> Json:
        """A text message replying to a message (bot's or own) of this chat."""
        target = self.api.find_message(self.chat_id, to_message_id)
        if target is None:
            raise AssertionError(f"chat {self.chat_id} has no message {to_message_id} to reply to")
        return await self._say({**_text_content(text), "reply_to_message": target})

    async def press_reply_button(self, text: str) -> Json:
        """Press a reply-keyboard button: the client just sends its text."""
        return await self.send(text)

    async def send_contact(self, phone_number: str, *, own: bool = True) -> Json:
        """Share a contact: own (contact.user_id == this user) or somebody else's."""
        contact: Json = {
            "phone_number": phone_number,
            "first_name": self.first_name if own else "Petr",
            "user_id": self.id if own else OTHER_CONTACT_USER_ID,
        }
        if own and self.last_name:
            contact["last_name"] = self.last_name
        return await self._say({"contact": contact})

    async def send_sticker(self, emoji: str = "👍") -> Json:
        return await self._say(
            {"sticker": media("sticker", *self.api.register_file("usersticker"), emoji=emoji)}
        )

    async def send_photo(self, caption: str | None = None) -> Json:
        photo = media("photo", *self.api.register_file("userphoto", 50_000))
        return await self._say({"photo": photo, **({"caption": caption} if caption else {})})

    async def send_document(self, caption: str | None = None, *, file_name: str = "document.pdf") -> Json:
        document = media("document", *self.api.register_file("userdoc"), file_name=file_name)
        return await self._say({"document": document, **({"caption": caption} if caption else {})})

    async def send_voice(self, duration: int = 3) -> Json:
        voice = media("voice", *self.api.register_file("uservoice"), duration=duration)
        return await self._say({"voice": voice})

    async def press(self, button: str, *, message: Json | None = None) -> Json:
        """Press an inline button of ``message`` (default: the newest bot message having it).

        ``button`` matches the exact text, then the callback_data, then a part of the text.
        Returns the injected callback_query.
        """
        candidates = [message] if message is not None else list(reversed(self.messages()))
        for msg in candidates:
            if (found := _find_button(msg, button)) is not None:
                break
        else:
            available = {m["message_id"]: t for m in candidates if (t := button_texts(m.get("reply_markup")))}
            raise AssertionError(
                f"{self.id} sees no inline button {button!r}; buttons by message id: {available}"
            )
        if "callback_data" not in found:
            raise AssertionError(f"button {found.get('text')!r} is not a callback button: {found}")
        return await self.press_data(found["callback_data"], msg["message_id"], chat_id=msg["chat"]["id"])

    async def press_data(self, callback_data: str, message_id: int, *, chat_id: int | None = None) -> Json:
        """Inject a callback_query with arbitrary data for a message (also a deleted/forged one)."""
        chat_id = self.chat_id if chat_id is None else chat_id
        message = self.api.find_message(chat_id, message_id) or {
            "chat": self.api.chat(chat_id),
            "message_id": message_id,
            "date": 0,
        }  # inaccessible message
        self._cursor = max(self._cursor, self.api.mark())
        query_id = self.api.new_callback_id()
        self._last_callback = (query_id, self.api.mark())
        query = {
            "id": query_id,
            "from": self.as_user(),
            "message": message,
            "chat_instance": f"ci{abs(chat_id)}",
            "data": callback_data,
        }
        await self.api.inject_update("callback_query", query)
        return query

    # ------------------------------------------------------------------ reading
    def messages(self) -> list[Json]:
        """Bot messages currently in this chat, oldest first."""
        return self.api.sent_to(self.chat_id)

    def last_message(self) -> Json:
        if not (held := self.messages()):
            raise AssertionError(f"the bot has no messages in chat {self.chat_id}")
        return held[-1]

    def _is_mine(self, call: ApiCall) -> bool:
        return call.message is not None and call.message["chat"]["id"] == self.chat_id

    def _explain(self, since: int) -> str:
        got = [
            f"  #{i} {c.describe()}"
            for i, c in enumerate(self.api.calls[since:], since)
            if self._is_mine(c) or c.params.get("chat_id") == self.chat_id
        ]
        return (
            f"Chat {self.chat_id} got after call #{since}:\n"
            + ("\n".join(got) or "  (nothing)")
            + f"\nRecent calls overall:\n{self.api.dump(10)}"
        )

    async def next_message(self, *, timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        """The next message the bot sent/copied/forwarded/edited in this chat after the cursor."""
        since = self._cursor
        index = await self.api.wait_index(
            self._is_mine, timeout=timeout, since=since, explain=lambda: self._explain(since)
        )
        self._cursor = index + 1
        return _view(self.api.calls[index])

    async def expect(self, substring: str, *, timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        """Wait (after the cursor) for a message to this chat whose text contains ``substring``."""
        since = self._cursor
        index = await self.api.wait_index(
            lambda c: self._is_mine(c) and substring in (_view(c)["text"] or ""),
            timeout=timeout,
            since=since,
            explain=lambda: f"Expected {substring!r}. " + self._explain(since),
        )
        self._cursor = index + 1
        return _view(self.api.calls[index])

    async def answer_of_callback(self, timeout: float = 5.0) -> Json:  # noqa: ASYNC109
        """Params (text, show_alert...) of the bot's answerCallbackQuery for the last press."""
        if self._last_callback is None:
            raise AssertionError(f"{self.id} has not pressed any button yet")
        query_id, since = self._last_callback
        call = await self.api.wait_for(
            lambda c: c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id,
            timeout=timeout,
            since=since,
        )
        return call.params


def _text_content(text: str) -> Json:
    content: Json = {"text": text}
    if text.startswith("/") and (command := text.split(maxsplit=1)[0]):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
    return content
