"""`POST /api/leads`: the website's leads (README.md, "Leads from the website").

A JSON body, or a form (urlencoded or multipart) under the field names site builders post, with the
intake token in `Authorization: Bearer`, a `?token=` query parameter or an `api_key` form field. The
body is read in chunks up to 64 KB, never whole; a lead is stored by `domain.web_intake.submit_web_lead`
in one commit, so an answer of 4xx means nothing was stored. Answers are JSON: 201 a new lead, 200 the
same form again (by its `external_id`) or a ping, 400 naming the bad fields, 401, 413, 415, 429 with
Retry-After, 503 while the database cannot be reached.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.failure_kinds import Failure, classify
from bot.intake_form import FIELDS_MAX, InvalidLead, Posted, check, gather
from bot.intake_rate import LeadRate
from bot.outage import OutageWatch
from bot.settings import INTAKE_PATH
from domain.crm_config import CrmConfig
from domain.intake import IntakeOutcome, IntakeResult
from domain.web_intake import WebLead, submit_web_lead
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
CHUNK = 16 * 1024
RETRY_OUTAGE_S = 30
JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"


class Refusal(Exception):
    """The request is answered with `status` and a JSON body, and nothing is stored."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.response = answer(status, body, headers)


def answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json",
        headers=headers,
    )  # fmt: skip


UNAUTHORIZED = {
    "error": "unauthorized",
    "detail": "send the intake token: Authorization: Bearer <token>, ?token=<token> or an api_key form field",
}
TOO_LARGE = {"error": "too_large", "detail": f"the body is over {MAX_BODY // 1024} KB"}


class LeadIntake:
    """The endpoint's handler, installed on the polling mode's own server (bot/web_server.py) or beside
    the webhook (bot/webhook.py)."""

    def __init__(
        self,
        *,
        token: str,
        config: CrmConfig,
        make_uow: Callable[[], SqlUnitOfWork],
        clock: Clock,
        outage: OutageWatch,
        rate: LeadRate,
    ) -> None:
        self._token = token.encode()
        self._config = config
        self._make_uow = make_uow
        self._clock = clock
        self._outage = outage
        self._rate = rate

    def install(self, app: web.Application) -> None:
        app.router.add_post(INTAKE_PATH, self.receive)
        app.router.add_route("*", INTAKE_PATH, self.wrong_method)  # every answer is JSON, this one too

    @staticmethod
    async def wrong_method(request: web.Request) -> web.Response:
        detail = f"{request.method} is not accepted here: POST a lead"
        return answer(405, {"error": "method_not_allowed", "detail": detail}, {"Allow": "POST"})

    async def close(self) -> None:
        await self._rate.close()

    async def receive(self, request: web.Request) -> web.Response:
        try:
            return await self._receive(request)
        except Refusal as refusal:
            logger.debug("a web lead refused: %s %s", refusal.response.status, refusal.response.text)
            return refusal.response
        except Exception:
            logger.exception("a web lead failed; the sender was answered 500")
            return answer(500, {"error": "internal", "detail": "the lead was not stored; try again later"})

    async def _receive(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise Refusal(413, TOO_LARGE)
        kind = request.content_type.lower()
        if kind not in (*JSON_TYPES, FORM_TYPE, MULTIPART_TYPE) and not kind.endswith("+json"):
            raise Refusal(415, {
                "error": "unsupported_media_type",
                "detail": f"send application/json, {FORM_TYPE} or {MULTIPART_TYPE}",
            })  # fmt: skip
        offered = self._offered_token(request)
        if offered is not None:
            self._authorize(offered)
        elif kind != FORM_TYPE and kind != MULTIPART_TYPE:
            self._authorize(None)  # a JSON body has no place for the token: not read at all
        posted = gather(await self._items(request, kind), self._config)
        if offered is None:
            self._authorize(posted.api_key)
        if posted.ping:
            return answer(200, {"status": "ok"})
        lead = self._lead(posted)
        if (wait_s := await self._rate.admit(lead.source)) is not None:
            raise Refusal(
                429,
                {
                    "error": "too_many_requests",
                    "detail": f"too many leads from this source; retry in {wait_s} s",
                },
                {"Retry-After": str(wait_s)},
            )
        result = await self._store(lead)
        if result.repeated:
            logger.info("a web lead from %s posted again: deal #%s (nothing new)", lead.source or "no source",
                        result.deal_id)  # fmt: skip
            return answer(200, {"deal": result.deal_id, "status": "duplicate"})
        status = "appended" if result.outcome is IntakeOutcome.APPENDED else "created"
        logger.info("a web lead from %s: deal #%s (%s)", lead.source or "no source", result.deal_id, status)
        return answer(201, {"deal": result.deal_id, "status": status})

    @staticmethod
    def _offered_token(request: web.Request) -> str | None:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
        return request.query.get("token")

    def _authorize(self, offered: str | None) -> None:
        if offered is None or not hmac.compare_digest(offered.encode("utf-8", "replace"), self._token):
            raise Refusal(401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})

    async def _items(self, request: web.Request, kind: str) -> list[tuple[str, Any]]:
        """The posted (name, value) pairs; a body that cannot be read is a 400, one over 64 KB a 413."""
        if kind == MULTIPART_TYPE:
            return await _multipart_items(request)
        body = await _read_bounded(request)
        try:
            if kind == FORM_TYPE:
                text = body.decode(request.charset or "utf-8")
                return parse_qsl(text, keep_blank_values=True, max_num_fields=FIELDS_MAX)
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, LookupError, RecursionError) as error:
            raise Refusal(400, {"error": "malformed", "detail": _malformed(kind, error)}) from None
        if not isinstance(payload, dict):
            raise Refusal(400, {"error": "malformed", "detail": "the body must be a JSON object"})
        return list(payload.items())

    def _lead(self, posted: Posted) -> WebLead:
        try:
            return check(posted, self._config)
        except InvalidLead as invalid:
            first = invalid.problems[0]
            raise Refusal(400, {
                "error": "invalid", "field": first.field, "detail": first.detail,
                "errors": [{"field": p.field, "detail": p.detail} for p in invalid.problems],
            }) from None  # fmt: skip

    async def _store(self, lead: WebLead) -> IntakeResult:
        """One commit; the same `external_id` posted twice at once: the database's unique constraint
        fails one of them, whose second try finds the other's deal."""
        if self._outage.away:  # known to be down: no need to wait for a connection attempt to say so
            raise _unavailable()
        for attempt in (1, 2):
            try:
                async with self._make_uow() as uow:
                    return await submit_web_lead(uow, self._config, lead, now=self._clock.now())
            except IntegrityError:
                if attempt == 2:
                    raise
            except Exception as error:
                if classify(error) is not Failure.OUTAGE:
                    raise
                self._outage.noticed(error)  # logs once, and probes until the database is back
                raise _unavailable() from None
        raise AssertionError("unreachable")  # pragma: no cover


def _unavailable() -> Refusal:
    return Refusal(
        503,
        {"error": "unavailable", "detail": "the database cannot be reached; nothing was stored, post again"},
        {"Retry-After": str(RETRY_OUTAGE_S)},
    )


def _malformed(kind: str, error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "the JSON is nested too deep"
    if isinstance(error, LookupError):
        return "unknown charset"
    what = "form" if kind == FORM_TYPE else "JSON"
    return f"not valid {what}: {str(error).splitlines()[0][:200]}"


async def _read_bounded(request: web.Request) -> bytes:
    body = bytearray()
    async for chunk in request.content.iter_chunked(CHUNK):
        body += chunk
        if len(body) > MAX_BODY:
            raise Refusal(413, TOO_LARGE)
    return bytes(body)


async def _multipart_items(request: web.Request) -> list[tuple[str, Any]]:
    """A multipart form's text fields; files are skipped (but counted towards the 64 KB)."""
    items: list[tuple[str, Any]] = []
    total = 0
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or len(items) >= FIELDS_MAX:
                raise Refusal(400, {"error": "malformed", "detail": "not a flat form of fields"})
            data = bytearray()
            while chunk := await part.read_chunk(CHUNK):
                total += len(chunk)
                if total > MAX_BODY:
                    raise Refusal(413, TOO_LARGE)
                if part.filename is None:
                    data += chunk
            if part.name and part.filename is None:
                items.append((part.name, bytes(data).decode(part.get_charset("utf-8"))))
    except Refusal:
        raise
    except Exception as error:  # whatever a broken form makes the parser raise is the sender's fault
        raise Refusal(
            400, {"error": "malformed", "detail": f"not a valid multipart form: {error}"[:240]}
        ) from None
    return items
