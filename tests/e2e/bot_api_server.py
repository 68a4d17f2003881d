"""A local stand-in for the Telegram Bot API, for end-to-end tests.

The real bot (aiogram ``Bot`` with ``AiohttpSession(api=TelegramAPIServer.from_base(api.url))``)
polls this aiohttp server.  Tests act as people through :meth:`FakeBotApi.user` (see
``bot_api_people.py``), which injects updates, and assert on the recorded :attr:`FakeBotApi.calls`.

Fidelity notes (what the server checks like Telegram does):

* every bot message is stored per chat; message ids are shared by the user's and the bot's
  messages of one chat and increase by one, like in a real private chat;
* ``parse_mode=HTML`` text is rendered (tags stripped, entities unescaped) and unsupported or
  unbalanced tags fail with 400 "can't parse entities";
* empty / too long texts and captions, ``callback_data`` over 64 bytes, editing a missing message,
  an edit that changes nothing, and unknown callback query ids fail with Telegram's 400 errors;
* ``editMessageText``/``editMessageCaption``/``editMessageMedia`` without ``reply_markup`` remove the
  inline keyboard; ``editMessageMedia`` edits only a message that holds media;
* uploaded files keep their bytes (``params[...]["content"]``, and ``/file/...`` serves them back), so a
  test can open the picture or spreadsheet the bot sent;
* opt-in (``FakeBotApi(flood_limits=True)`` or :meth:`FakeBotApi.enforce_flood_limits`): Telegram's
  flood limits, answered with 429 and ``retry_after`` like Telegram does (see ``bot_api_flood.py``).

Benchmarks drive thousands of people through it (``bench/``), so the hot paths copy JSON with
:func:`_json_copy` rather than ``copy.deepcopy`` and observers subscribe with :meth:`FakeBotApi.listen`
instead of each waking on every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, NamedTuple, TypeVar, cast

from aiohttp import web

from .bot_api_flood import FloodLimits, is_send
from .bot_api_people import FakeUser, button_texts, media, utf16_len

Json = dict[str, Any]
_J = TypeVar("_J")

BOT_USER: Json = {
    "id": 42,
    "is_bot": True,
    "first_name": "Voronka",
    "username": "voronka_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
_ERROR_NAMES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
# Free-text / opaque-id parameters are never coerced to int/bool/JSON.
_VERBATIM_KEYS = frozenset(
    (
        *("text", "caption", "question", "explanation", "title", "description", "short_description"),
        *("name", "message_text", "first_name", "last_name", "phone_number", "vcard", "emoji", "query"),
        *("address", "custom_title", "callback_query_id", "inline_message_id", "business_connection_id"),
        *("file_id", "photo", "document", "sticker", "voice", "video", "audio", "animation", "video_note"),
        *("url", "parse_mode"),
    )
)
_INT = re.compile(r"-?\d{1,19}")
_HTML_TAGS = frozenset(
    (
        *("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span"),
        *("tg-spoiler", "tg-emoji", "tg-time", "blockquote"),
    )
)
_MEDIA_KINDS = ("photo", "document", "video", "animation", "audio")
# Message fields carried over by copyMessage / forwardMessage.
_CONTENT_KEYS = (
    *("text", "entities", "caption", "caption_entities", "photo", "document", "sticker", "voice"),
    *("video", "audio", "animation", "contact", "location"),
)


class TelegramError(Exception):
    """Raised inside method handlers; becomes ``{"ok": false, ...}`` with the given HTTP status."""

    def __init__(self, status: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> Json:
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class ApiCall:
    """One request the bot made. ``message`` is a snapshot of the message it created or changed."""

    method: str
    params: Json
    at: float
    failed: bool = False
    result: Any = None
    error: str | None = None
    message: Json | None = None

    def describe(self) -> str:
        shown = {k: v for k, v in self.params.items() if k in ("chat_id", "message_id", "text", "caption")}
        if "reply_markup" in self.params:
            shown["buttons"] = button_texts(self.params["reply_markup"])
        outcome = f"FAILED {self.error}" if self.failed else "ok"
        return f"{self.method}({json.dumps(shown, ensure_ascii=False)[:300]}) -> {outcome}"


@dataclass
class _Fault:
    method: str | None  # lower-cased; None = any method except getUpdates
    remaining: int
    error: TelegramError
    chat_id: int | None = None  # only calls to this chat; None = any


class _Produced(NamedTuple):
    """A handler result together with the stored message it created or changed."""

    result: Any
    message: Json


class FakeBotApi:
    """In-process Telegram Bot API. Use as ``async with FakeBotApi() as api:``."""

    def __init__(self, *, flood_limits: bool = False) -> None:
        self.calls: list[ApiCall] = []
        self.flood: FloodLimits | None = FloodLimits() if flood_limits else None
        self._listeners: list[Callable[[ApiCall], None]] = []
        self.polls_waiting = 0  # getUpdates requests currently long-polling
        self._changed = asyncio.Condition()  # notified on every new call and every injected update
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._pending: list[Json] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._answerable: set[str] = set()
        self._msg_ids: dict[int, itertools.count[int]] = {}
        self._bot_msgs: dict[int, dict[int, Json]] = {}
        self._user_msgs: dict[int, dict[int, Json]] = {}
        self._sources: dict[tuple[int, int], str | None] = {}  # raw text/caption, for "not modified"
        self._files: dict[str, int] = {}  # file_id -> size
        self._contents: dict[str, bytes] = {}  # file_id -> the bytes uploaded (files people send: none)
        self._commands: dict[str, list[Json]] = {}
        self._webhook = ""
        self._people: dict[int, FakeUser] = {}
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._delay = 0.0
        self._methods: dict[str, tuple[str, Callable[[Json], Any]]] = {
            name.lower(): (name, fn) for name, fn in self._method_table().items()
        }

    # ------------------------------------------------------------------ lifecycle
    async def start(self, port: int = 0) -> None:
        """Bind 127.0.0.1 on `port` (0: a free one) and start serving."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer every waiting long poll with ``[]`` and shut the server down."""
        if self._runner is None:
            return
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base``."""
        if self._runner is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ inspection
    def mark(self) -> int:
        """Current number of recorded calls; pass as ``since=`` to look only at later calls."""
        return len(self.calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_to(self, chat_id: int) -> list[Json]:
        """Bot messages currently held for the chat (deleted ones gone, edits applied), oldest first."""
        return [_json_copy(m) for m in self._bot_msgs.get(chat_id, {}).values()]

    def find_message(self, chat_id: int, message_id: int) -> Json | None:
        """A stored bot or user message of the chat, as Telegram would embed it in an update."""
        msg = self._bot_msgs.get(chat_id, {}).get(message_id) or self._user_msgs.get(chat_id, {}).get(
            message_id
        )
        return _public(msg) if msg else None

    async def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the contract of these test helpers
        since: int | None = None,
        include_failed: bool = False,
    ) -> ApiCall:
        """First call (index >= ``since``) matching ``predicate``; waits for new calls up to ``timeout``.

        Failed calls are skipped unless ``include_failed``.  Raises AssertionError with a dump of
        the recent calls on timeout.
        """
        return self.calls[
            await self.wait_index(predicate, timeout=timeout, since=since, include_failed=include_failed)
        ]

    async def wait_index(
        self,
        predicate: Callable[[ApiCall], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the contract of these test helpers
        since: int | None = None,
        include_failed: bool = False,
        explain: Callable[[], str] | None = None,
    ) -> int:
        """Like :meth:`wait_for` but returns the index into :attr:`calls`."""
        index = max(since or 0, 0)
        try:
            async with self._changed, asyncio.timeout(timeout):
                while True:
                    for i in range(index, len(self.calls)):
                        call = self.calls[i]
                        if (include_failed or not call.failed) and predicate(call):
                            return i
                    index = len(self.calls)
                    await self._changed.wait()
        except TimeoutError:
            detail = explain() if explain else f"Recent calls:\n{self.dump()}"
            raise AssertionError(
                f"Nothing matched within {timeout}s (since call #{since or 0}). {detail}"
            ) from None

    async def wait_for_long_poll(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until some client sits in a long getUpdates (e.g. the bot's polling is up and idle)."""
        try:
            async with self._changed, asyncio.timeout(timeout):
                await self._changed.wait_for(lambda: self.polls_waiting > 0)
        except TimeoutError:
            raise AssertionError(f"No long poll within {timeout}s. Recent calls:\n{self.dump()}") from None

    def listen(self, listener: Callable[[ApiCall], None]) -> Callable[[], None]:
        """Call ``listener(call)`` for every call recorded from now on, as it is recorded (getUpdates
        too). Returns a function that stops it. For observers of many chats at once: one callback per
        call instead of every waiter rescanning :attr:`calls`."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def dump(self, last: int = 20) -> str:
        """Readable list of the last recorded calls, getUpdates left out."""
        rows = [(i, c) for i, c in enumerate(self.calls) if c.method != "getUpdates"][-last:]
        return "\n".join(f"  #{i} {c.describe()}" for i, c in rows) or "  (no calls)"

    # ------------------------------------------------------------------ people and updates
    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Ivan",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> FakeUser:
        """The person with this id (created on first use; later calls return the same object)."""
        if user_id not in self._people:
            self._people[user_id] = FakeUser(
                self,
                user_id,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
        return self._people[user_id]

    async def inject_update(self, kind: str, payload: Json) -> Json:
        """Queue ``{"update_id": N, kind: payload}`` for getUpdates and wake long polls."""
        update = {"update_id": next(self._update_ids), kind: payload}
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()
        return update

    async def inject_message(self, chat_id: int, sender: Json, content: Json) -> Json:
        """Store a message from ``sender`` in the chat and deliver it as a ``message`` update."""
        msg = {
            "message_id": self._next_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": sender,
            **content,
        }
        self._user_msgs.setdefault(chat_id, {})[msg["message_id"]] = msg
        await self.inject_update("message", _public(msg))
        return _json_copy(msg)

    def new_callback_id(self) -> str:
        """A fresh callback query id that answerCallbackQuery will accept."""
        cid = f"cq{next(self._callback_ids)}x{id(self) % 10_000}"
        self._answerable.add(cid)
        return cid

    def chat(self, chat_id: int) -> Json:
        """Telegram Chat object: private for positive ids, group/supergroup for negative ones."""
        person = self._people.get(chat_id)
        if chat_id > 0:
            chat: Json = {"id": chat_id, "type": "private"}
            if person:
                chat.update(
                    {
                        k: v
                        for k, v in person.as_user().items()
                        if k in ("first_name", "last_name", "username")
                    }
                )
            return chat
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": kind, "title": person.first_name if person else f"Chat {chat_id}"}

    # ------------------------------------------------------------------ fault injection
    def fail(
        self,
        method: str | None,
        *,
        times: int,
        error_code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: any but getUpdates), to ``chat_id`` (None:
        any chat), fail like Telegram."""
        params = None
        if error_code == 429:
            description = description or f"Too Many Requests: retry after {retry_after or 0}"
            params = {"retry_after": retry_after} if retry_after is not None else None
        description = description or _ERROR_NAMES.get(error_code, f"Error {error_code}")
        error = TelegramError(error_code, description, params)
        self._faults.append(_Fault(method.lower() if method else None, times, error, chat_id))

    def block(self, chat_id: int) -> None:
        """Every send/edit/copy/forward to the chat fails with 403 "bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def enforce_flood_limits(
        self, on: bool = True, *, clock: Callable[[], float] = time.monotonic,
        bulk_chats: Collection[int] | None = None,
    ) -> None:  # fmt: skip
        """Refuse sends over Telegram's flood limits with 429 (see ``bot_api_flood.py``), or stop.
        ``clock`` (seconds) lets a test move time without sleeping; ``bulk_chats``, when given, are the
        only chats limited. Refusals are counted in ``api.flood.refused``."""
        self.flood = FloodLimits(clock, bulk_chats=bulk_chats) if on else None

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def delay(self, seconds: float) -> None:
        """Add latency to every response except getUpdates."""
        self._delay = seconds

    def clear_faults(self) -> None:
        self._faults.clear()
        self._blocked.clear()
        self._delay = 0.0

    def _injected_fault(self, method: str, params: Json) -> TelegramError | None:
        lowered = method.lower()
        for fault in self._faults:
            if (
                fault.remaining > 0
                and (fault.method == lowered or (fault.method is None and lowered != "getupdates"))
                and (fault.chat_id is None or params.get("chat_id") == fault.chat_id)
            ):
                fault.remaining -= 1
                return fault.error
        if params.get("chat_id") in self._blocked and lowered.startswith(("send", "copy", "forward", "edit")):
            return TelegramError(403, BLOCKED)
        return None

    # ------------------------------------------------------------------ HTTP
    async def _handle(self, request: web.Request) -> web.Response:
        name, handler = self._methods.get(
            request.match_info["method"].lower(), (request.match_info["method"], _true)
        )
        call = ApiCall(name, {}, time.monotonic())
        try:
            call.params = await _read_params(request)
            if name != "getUpdates" and self._delay:
                await asyncio.sleep(self._delay)
            if error := self._injected_fault(name, call.params):
                raise error
            flood = self.flood if is_send(name) else None
            if flood is not None and (wait := flood.retry_after(call.params.get("chat_id"))) is not None:
                raise TelegramError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            value = await self._get_updates(call.params) if name == "getUpdates" else handler(call.params)
            if flood is not None:
                flood.sent(call.params.get("chat_id"))
        except TelegramError as exc:
            error = exc
        except Exception as exc:  # odd input must never crash the handler
            error = TelegramError(400, f"Bad Request: {type(exc).__name__}: {exc}")
        else:
            if isinstance(value, _Produced):  # its result is a fresh copy already (see _public)
                call.message, call.result = _json_copy(value.message), value.result
                value = value.result
            else:  # getUpdates answers copies too; other results may be the server's own objects
                call.result = value if name == "getUpdates" else _json_copy(value)
            await self._record(call)
            return web.json_response({"ok": True, "result": value})
        call.failed, call.error = True, error.description
        await self._record(call)
        return web.json_response(error.body(), status=error.status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        size = self._files.get(file_id)
        if size is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=self._contents.get(file_id, b"\0" * size))

    async def _record(self, call: ApiCall) -> None:
        async with self._changed:
            self.calls.append(call)
            for listener in list(self._listeners):
                listener(call)
            self._changed.notify_all()

    async def _get_updates(self, params: Json) -> list[Json]:
        if self._webhook:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params.get("offset"), 0)
        limit = min(max(_int(params.get("limit"), 100), 1), 100)
        timeout = max(_int(params.get("timeout"), 0), 0)
        async with self._changed:
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            elif offset < 0:
                self._pending = self._pending[offset:]
            if timeout and not self._pending and not self._closing:
                self.polls_waiting += 1
                self._changed.notify_all()
                try:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(timeout):
                            await self._changed.wait_for(lambda: bool(self._pending) or self._closing)
                finally:
                    self.polls_waiting -= 1
            return _json_copy(self._pending[:limit])

    # ------------------------------------------------------------------ Bot API methods
    def _method_table(self) -> dict[str, Callable[[Json], Any]]:
        return {
            "getMe": lambda p: dict(BOT_USER),
            "getUpdates": _true,  # served by _get_updates (async)
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": lambda p: {
                "url": self._webhook,
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            },
            "logOut": _true,
            "close": _true,
            "setMyCommands": self._set_commands,
            "deleteMyCommands": self._set_commands,
            "getMyCommands": lambda p: self._commands.get(_scope_key(p), []),
            "setChatMenuButton": _true,
            "sendChatAction": _true,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendSticker": self._send_sticker,
            "copyMessage": self._copy_message,
            "copyMessages": self._copy_messages,
            "forwardMessage": self._forward_message,
            "editMessageText": lambda p: self._edit(p, "text"),
            "editMessageCaption": lambda p: self._edit(p, "caption"),
            "editMessageReplyMarkup": lambda p: self._edit(p, None),
            "editMessageMedia": self._edit_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback,
            "getChat": lambda p: {
                **self.chat(_chat_id(p)),
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": dict.fromkeys(
                    (
                        "unlimited_gifts",
                        "limited_gifts",
                        "unique_gifts",
                        "premium_subscription",
                        "gifts_from_channels",
                    ),
                    False,
                ),
            },
            "getFile": self._get_file,
            "pinChatMessage": self._pin,
        }

    def _delete_webhook(self, p: Json) -> bool:
        self._webhook = ""
        if p.get("drop_pending_updates") is True:
            self._pending.clear()
        return True

    def _set_webhook(self, p: Json) -> bool:
        self._webhook = str(p.get("url") or "")
        return True

    def _set_commands(self, p: Json) -> bool:
        commands = p.get("commands")
        if commands is None:
            self._commands.pop(_scope_key(p), None)
        elif isinstance(commands, list):
            self._commands[_scope_key(p)] = commands
        else:
            raise TelegramError(400, "Bad Request: can't parse commands JSON object")
        return True

    def _send_message(self, p: Json) -> _Produced:
        raw, text = _text(p, "text", 4096, required=True)
        content: Json = {"text": text}
        if isinstance(p.get("entities"), list):
            content["entities"] = p["entities"]
        return self._new_bot_message(p, content, raw)

    def _send_photo(self, p: Json) -> _Produced:
        caption, raw = self._caption(p)
        return self._new_bot_message(
            p, {"photo": media("photo", *self._file(p.get("photo"), "photo")), **caption}, raw
        )

    def _send_document(self, p: Json) -> _Produced:
        upload = p.get("document")
        name, mime = (
            (upload["filename"], upload["content_type"]) if isinstance(upload, dict) else ("doc", None)
        )
        document = media("document", *self._file(upload, "document"), file_name=name, mime_type=mime)
        caption, raw = self._caption(p)
        return self._new_bot_message(p, {"document": document, **caption}, raw)

    def _send_sticker(self, p: Json) -> _Produced:
        emoji = p.get("emoji") if isinstance(p.get("emoji"), str) else None
        sticker = media("sticker", *self._file(p.get("sticker"), "sticker"), emoji=emoji)
        return self._new_bot_message(p, {"sticker": sticker}, None)

    def _caption(self, p: Json) -> tuple[Json, str | None]:
        raw, caption = _text(p, "caption", 1024, required=False)
        return ({"caption": caption} if caption else {}), raw

    def _source_message(self, p: Json, action: str) -> Json:
        chat, mid = _chat_id(p, "from_chat_id"), _message_id(p, action)
        msg = self._bot_msgs.get(chat, {}).get(mid) or self._user_msgs.get(chat, {}).get(mid)
        if msg is None:
            raise TelegramError(400, f"Bad Request: message to {action} not found")
        return msg

    def _copy_message(self, p: Json) -> _Produced:
        src = self._source_message(p, "copy")
        content = {k: copy.deepcopy(src[k]) for k in _CONTENT_KEYS if k in src}
        raw = self._sources.get((src["chat"]["id"], src["message_id"]), src.get("text"))
        if "caption" in p:
            content.pop("caption", None)
            caption, raw = self._caption(p)
            content.update(caption)
        produced = self._new_bot_message(p, content, raw)
        return _Produced({"message_id": produced.message["message_id"]}, produced.message)

    def _copy_messages(self, p: Json) -> _Produced:
        """Like Telegram: up to 100 ids in increasing order, each copied as copyMessage would (captions
        kept unless `remove_caption`); the snapshot is the last copy, the result every new id."""
        ids = p.get("message_ids")
        if isinstance(ids, str):
            ids = json.loads(ids)
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or not all(isinstance(i, int) for i in ids):
            raise TelegramError(400, "Bad Request: message_ids must be a list of 1-100 message identifiers")
        if ids != sorted(set(ids)):
            raise TelegramError(400, "Bad Request: message identifiers must be in increasing order")
        produced = []
        for message_id in ids:
            src = self._source_message({**p, "message_id": message_id}, "copy")
            content = {k: copy.deepcopy(src[k]) for k in _CONTENT_KEYS if k in src}
            if p.get("remove_caption") is True:
                content.pop("caption", None)
            raw = self._sources.get((src["chat"]["id"], src["message_id"]), src.get("text"))
            produced.append(self._new_bot_message({"chat_id": p.get("chat_id")}, content, raw))
        return _Produced(
            [{"message_id": one.message["message_id"]} for one in produced], produced[-1].message
        )

    def _forward_message(self, p: Json) -> _Produced:
        src = self._source_message(p, "forward")
        content = {k: copy.deepcopy(src[k]) for k in _CONTENT_KEYS if k in src}
        content["forward_origin"] = {"type": "user", "date": src["date"], "sender_user": src["from"]}
        return self._new_bot_message({"chat_id": p.get("chat_id")}, content, src.get("text"))

    def _new_bot_message(self, p: Json, content: Json, raw: str | None) -> _Produced:
        chat_id = _chat_id(p)
        markup = _markup(p)
        msg: Json = {
            "message_id": self._next_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": dict(BOT_USER),
            **content,
        }
        reply_to = (
            (p.get("reply_parameters") or {}).get("message_id")
            if isinstance(p.get("reply_parameters"), dict)
            else p.get("reply_to_message_id")
        )
        if isinstance(reply_to, int) and (target := self.find_message(chat_id, reply_to)):
            msg["reply_to_message"] = target
        if markup is not None:
            msg["reply_markup"] = markup
        self._bot_msgs.setdefault(chat_id, {})[msg["message_id"]] = msg
        if raw is not None:
            self._sources[(chat_id, msg["message_id"])] = raw
        return _Produced(_public(msg), msg)

    def _edit(self, p: Json, field_name: str | None) -> Any:
        if p.get("inline_message_id"):
            return True
        chat_id, mid = _chat_id(p), _message_id(p, "edit")
        msg = self._bot_msgs.get(chat_id, {}).get(mid)
        if msg is None:
            if mid in self._user_msgs.get(chat_id, {}):
                raise TelegramError(400, "Bad Request: message can't be edited")
            raise TelegramError(400, "Bad Request: message to edit not found")
        current = _inline(msg.get("reply_markup"))
        markup = _markup(p)
        key = (chat_id, mid)
        if field_name is None:  # editMessageReplyMarkup
            if markup == current:
                raise TelegramError(400, NOT_MODIFIED)
        else:
            is_text = "text" in msg
            if (field_name == "text") != is_text:
                raise TelegramError(400, f"Bad Request: there is no {field_name} in the message to edit")
            raw, rendered = _text(p, field_name, 4096 if is_text else 1024, required=is_text)
            if raw == self._sources.get(key) and markup == current:
                raise TelegramError(400, NOT_MODIFIED)
            msg.pop(field_name, None)
            if rendered:
                msg[field_name] = rendered
            self._sources[key] = raw
        if markup is not None:
            msg["reply_markup"] = markup
        elif current is not None:
            msg.pop("reply_markup")
        msg["edit_date"] = int(time.time())
        return _Produced(_public(msg), msg)

    def _edit_media(self, p: Json) -> _Produced:
        """Like Telegram: the message must hold media (a text message stays text); the new file replaces
        it, with the new caption (none given: none) and keyboard (none given: removed)."""
        chat_id, mid = _chat_id(p), _message_id(p, "edit")
        msg = self._bot_msgs.get(chat_id, {}).get(mid)
        if msg is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        new = p.get("media")
        if not isinstance(new, dict) or (kind := new.get("type")) not in _MEDIA_KINDS:
            raise TelegramError(400, "Bad Request: can't parse InputMedia JSON object")
        if not any(key in msg for key in _MEDIA_KINDS):
            raise TelegramError(400, "Bad Request: there is no media in the message to edit")
        caption, raw = self._caption(new)
        upload = new.get("media")
        for key in (*_MEDIA_KINDS, "caption"):
            msg.pop(key, None)
        if kind == "photo":
            msg["photo"] = media("photo", *self._file(upload, "photo"))
        else:
            name = upload.get("filename") if isinstance(upload, dict) else None
            msg[kind] = media(kind, *self._file(upload, kind), file_name=name)
        msg.update(caption)
        self._sources[(chat_id, mid)] = raw
        markup = _markup(p)
        if markup is not None:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        return _Produced(_public(msg), msg)

    def _delete_message(self, p: Json) -> bool:
        chat_id, mid = _chat_id(p), _message_id(p, "delete")
        for store in (self._bot_msgs, self._user_msgs):
            if store.get(chat_id, {}).pop(mid, None) is not None:
                return True
        raise TelegramError(400, "Bad Request: message to delete not found")

    def _answer_callback(self, p: Json) -> bool:
        if p.get("callback_query_id") not in self._answerable:
            raise TelegramError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        return True

    def _get_file(self, p: Json) -> Json:
        file_id = p.get("file_id")
        if file_id not in self._files:
            raise TelegramError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": self._files[file_id],
            "file_path": f"files/{file_id}",
        }

    def _pin(self, p: Json) -> bool:
        if self.find_message(_chat_id(p), _message_id(p, "pin")) is None:
            raise TelegramError(400, "Bad Request: message to pin not found")
        return True

    def _next_id(self, chat_id: int) -> int:
        return next(self._msg_ids.setdefault(chat_id, itertools.count(1)))

    def _file(self, value: Any, kind: str) -> tuple[str, str, int]:
        """(file_id, file_unique_id, size) for an upload dict or a reused file_id/URL string."""
        if isinstance(value, str) and value in self._files:
            return value, f"u{value}", self._files[value]
        if not value:
            raise TelegramError(400, f"Bad Request: there is no {kind} in the request")
        file_id = f"{kind}{next(self._file_ids)}"
        self._files[file_id] = int(value.get("size", 0)) if isinstance(value, dict) else 1024
        if isinstance(value, dict) and isinstance(value.get("content"), bytes):
            self._contents[file_id] = value["content"]
        return file_id, f"u{file_id}", self._files[file_id]

    def register_file(self, kind: str, size: int = 1024) -> tuple[str, str, int]:
        """A new (file_id, file_unique_id, size) known to getFile; used for files people send."""
        return self._file({"size": size}, kind)


# ---------------------------------------------------------------------- helpers
def _true(_params: Json) -> bool:
    return True


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _chat_id(p: Json, key: str = "chat_id") -> int:
    value = p.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TelegramError(400, "Bad Request: chat not found")
    return value


def _message_id(p: Json, action: str) -> int:
    value = p.get("message_id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise TelegramError(400, f"Bad Request: message to {action} not found")
    return value


def _scope_key(p: Json) -> str:
    return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True)


def _text(p: Json, key: str, limit: int, *, required: bool) -> tuple[str | None, str]:
    """(raw, rendered) text of ``p[key]`` validated like Telegram."""
    raw = p.get(key)
    if raw is None or raw == "":
        if required:
            raise TelegramError(400, "Bad Request: message text is empty")
        return None, ""
    if not isinstance(raw, str):
        raw = str(raw)
    rendered = _render(raw, p.get("parse_mode")).strip()
    if required and not rendered:
        raise TelegramError(400, "Bad Request: message text is empty")
    if utf16_len(rendered) > limit:
        kind = "message" if key == "text" else "message caption"
        raise TelegramError(400, f"Bad Request: {kind} is too long")
    return raw, rendered


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise TelegramError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            expected = f'"</{self.open[-1]}>"' if self.open else "nothing"
            raise TelegramError(
                400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}", expected {expected}'
            )
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _render(text: str, parse_mode: Any) -> str:
    """What the person sees: HTML tags stripped and entities unescaped (other modes: as is)."""
    if not isinstance(parse_mode, str) or parse_mode.lower() != "html":
        return text
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise TelegramError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to "
            f'start tag "{parser.open[-1]}"',
        )
    return "".join(parser.parts)


def _inline(markup: Any) -> Json | None:
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _markup(p: Json) -> Json | None:
    markup = p.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise TelegramError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise TelegramError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not button.get("text"):
                raise TelegramError(400, "Bad Request: inline keyboard button text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _json_copy(value: _J) -> _J:
    """A deep copy of JSON data (dicts, lists and scalars), several times faster than
    ``copy.deepcopy``, which the stand-in would otherwise spend most of its time in under load."""
    if isinstance(value, dict):
        return cast(_J, {key: _json_copy(item) for key, item in value.items()})
    if isinstance(value, list):
        return cast(_J, [_json_copy(item) for item in value])
    return value


def _public(msg: Json) -> Json:
    """A deep copy as Telegram embeds it: only inline keyboards, replies not nested twice."""
    out = _json_copy(msg)
    if _inline(out.get("reply_markup")) is None:
        out.pop("reply_markup", None)
    if isinstance(out.get("reply_to_message"), dict):
        out["reply_to_message"].pop("reply_to_message", None)
    return out


def _normalise(key: str, value: Any) -> Any:
    """Undo form encoding: JSON objects/arrays, booleans and integers come as strings."""
    if not isinstance(value, str) or key in _VERBATIM_KEYS:
        return value
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(stripped)
        return value
    if stripped in ("true", "false"):
        return stripped == "true"
    return int(stripped) if _INT.fullmatch(stripped) else value


def _attach(value: Any, files: dict[str, Json]) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        return files.get(value.removeprefix("attach://"), value)
    if isinstance(value, dict):
        return {k: _attach(v, files) for k, v in value.items()}
    if isinstance(value, list):
        return [_attach(v, files) for v in value]
    return value


async def _read_params(request: web.Request) -> Json:
    """Parameters from the query string plus a JSON, urlencoded or multipart body, normalised.

    Uploaded files become ``{"filename", "size", "content_type", "content"}`` (``content``: the bytes)
    wherever ``attach://name`` points to them (or under their own field name if nothing does).
    """
    raw: Json = dict(request.query)
    files: dict[str, Json] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    with value.file:
                        content = value.file.read()
                    files[key] = {
                        "filename": value.filename,
                        "size": len(content),
                        "content_type": value.content_type,
                        "content": content,
                    }
                else:
                    raw[key] = value if isinstance(value, str) else bytes(value).decode()
    params: Json = {k: _normalise(k, v) for k, v in raw.items()}
    if not files:
        return params
    params = _attach(params, files)
    referenced = json.dumps(raw, default=str)
    for key, upload in files.items():
        if f"attach://{key}" not in referenced:
            params.setdefault(key, upload)
    return params
