"""Wiring: the one factory that `python -m bot` and the end-to-end tests both use."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, SystemClock
from bot.event_isolation import PerPersonIsolation, QueuedSharedIsolation
from bot.flood_guard import FloodGuard
from bot.fsm_storage import DatabaseStorage
from bot.inbox import UpdateInbox
from bot.intake_api import LeadIntake
from bot.intake_rate import LeadRate
from bot.late_answers import LateCallbackAnswers
from bot.middlewares import (
    HandlingCap,
    LocaleMiddleware,
    ReachableAgainMiddleware,
    StaffMiddleware,
    UnitOfWorkMiddleware,
)
from bot.notifier import Notifier
from bot.outage import OutageWatch, log_failure
from bot.outbox_pacing import OutboxPacer
from bot.polling import Poller
from bot.response_types import KeepResponseTypes
from bot.scheduler import TimerScheduler
from bot.settings import Settings
from bot.team_cache import TeamCache
from bot.web_server import WebServer
from bot.webhook import serve_webhook
from domain.crm_config import CrmConfig
from domain.models import Role, Staff
from domain.reports.speed_fill import fill_missing_speeds
from domain.staff_accounts import bootstrap_staff
from handlers import build_router
from handlers.common.command_menu import show_everyone_commands, show_staff_commands
from handlers.common.i18n import Translator
from storage.engine import create_engine, session_factory
from storage.fsm_repository import ConversationCache, FsmRepository
from storage.housekeeping import prune_handled_updates
from storage.inbox_repository import InboxStore
from storage.migrator import upgrade_async
from storage.outbox_queue import OutboxQueue
from storage.roster import read_roster
from storage.timer_repository import TimerQueue
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

UPDATE_MEMORY = timedelta(days=7)
HOUSEKEEPING_EVERY_S = 6 * 3600
SPEED_FILL_BATCH = 200  # deals a transaction: some 60 ms of calendar arithmetic between two updates
SHUTDOWN_GRACE_S = 15
# Updates handled at once by one process. Each holds a database connection while it runs (the pools in
# storage/engine.py and below are sized for this), and a campaign peak queues here rather than failing.
MAX_CONCURRENT_UPDATES = 32
REDIS_POOL_SIZE = MAX_CONCURRENT_UPDATES * 2  # a handler's lock and state calls, with room to spare
REDIS_POOL_WAIT_S = 20
# A person's lock in Redis: aiogram's 60 s expiry (what a killed process leaves behind frees itself then);
# a waiter in another process looks every 20 ms rather than redis-py's 100 (same-process waiters queue
# in memory, see bot/event_isolation.py).
REDIS_LOCK = {"timeout": 60, "sleep": 0.02}


@dataclass
class App:
    settings: Settings
    config: CrmConfig
    engine: AsyncEngine
    bot: Bot
    dispatcher: Dispatcher
    notifier: Notifier
    scheduler: TimerScheduler
    translator: Translator
    unit_of_work: Callable[[], SqlUnitOfWork]
    clock: Clock
    inbox: UpdateInbox
    outage: OutageWatch
    outbox: OutboxQueue
    intake: LeadIntake | None = None  # the website's leads (INTAKE_TOKEN set)
    _web: WebServer | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def prepare(self) -> None:
        """Migrate the database, give the configured people their roles, start the notifier and the
        scheduler (which fires, late, what fell due while the bot was down)."""
        await upgrade_async(self.settings.database_url)
        async with self.unit_of_work() as uow:
            team = await bootstrap_staff(
                uow,
                roles={
                    Role.ADMIN: self.settings.admin_ids,
                    Role.SUPERVISOR: self.settings.supervisor_ids,
                    Role.MANAGER: self.settings.manager_ids,
                },
            )
        if not team:
            logger.warning(
                "nobody is on the team yet: set MANAGER_IDS, SUPERVISOR_IDS or ADMIN_IDS, or leads will "
                "wait unsorted with nobody told"
            )
        # The only process (no REDIS_URL): what a killed run held goes out at once, not after its lease.
        if not self.settings.redis_url and (taken := await self.outbox.take_back_all(now=self.clock.now())):
            logger.warning("%s notice(s) a previous run was sending when it stopped go out again", taken)
        self._tasks.append(asyncio.create_task(self.notifier.run(), name="notifier"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="housekeeping"))
        self._tasks.append(asyncio.create_task(self._fill_speeds(), name="speed-fill"))
        # The command menus are a call per staff member: set while the bot already answers, not before.
        self._tasks.append(asyncio.create_task(self._set_commands(team), name="commands"))
        await self.scheduler.start()
        # What a previous run stored and did not finish goes first, before anything new of the same chat.
        # One process alone (no REDIS_URL) knows the previous run is gone: its leases count for nothing.
        await self.inbox.recover(anyones=not self.settings.redis_url)
        self._tasks.append(asyncio.create_task(self.inbox.keep_recovering(), name="inbox-recovery"))

    async def run(self, *, handle_signals: bool = True, polling_timeout: int = 10) -> None:
        """Serve until `stop` (or SIGTERM / SIGINT): long polling, or the webhook when WEBHOOK_URL is set."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.stop)
        try:
            await self.prepare()
            if self.settings.webhook_url:
                await serve_webhook(
                    self.settings, self.dispatcher, self.bot, self.inbox, self.outage, self._stop,
                    intake=self.intake,
                )  # fmt: skip
            else:
                if self.intake is not None:  # the website's leads get a server of their own
                    self._web = WebServer(
                        self.intake, host=self.settings.web_host, port=self.settings.web_port
                    )
                    await self._web.start()
                await self._drop_webhook()
                poller = Poller(
                    self.bot, self.inbox, self.outage, timeout_s=polling_timeout,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                )  # fmt: skip
                polling = asyncio.create_task(poller.run(), name="poller")
                stopped = asyncio.create_task(self._stop.wait())
                await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
                poller.stop()
                stopped.cancel()
                await polling
        finally:
            await self.close()

    def stop(self) -> None:
        """Stop serving: `run` finishes the updates in hand and returns."""
        self._stop.set()

    async def close(self) -> None:
        """Let the updates in hand finish (what waits behind them stays stored for the next start), then
        stop the background tasks and close."""
        if self._web is not None:  # no more leads taken; the ones in hand are stored first
            await self._web.stop()
            self._web = None
        if self.intake is not None:
            await self.intake.close()
        await self.inbox.stop(grace_s=SHUTDOWN_GRACE_S)
        await self.outage.close()
        await self.scheduler.stop()
        # The notifier finishes the message in hand and gives back the rest of its batch, so nothing waits
        # out a lease after the restart (and a chat's later messages are not held behind it).
        self.notifier.stop()
        notifier_runs = [task for task in self._tasks if task.get_name() == "notifier"]
        if notifier_runs:
            await asyncio.wait(notifier_runs, timeout=SHUTDOWN_GRACE_S)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.dispatcher.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        await self.engine.dispose()

    async def _drop_webhook(self) -> None:
        """Polling needs no webhook set. Telegram being unreachable now is no reason not to start:
        polling keeps retrying, and so would this call's effect (getUpdates fails while a webhook is set)."""
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
        except TelegramNetworkError:
            logger.warning("could not reach the Bot API to drop a webhook; polling will keep trying")

    async def _housekeeping(self) -> None:
        sessions = session_factory(self.engine)
        while True:
            try:
                pruned = await prune_handled_updates(sessions, before=self.clock.now() - UPDATE_MEMORY)
                logger.debug("forgot %s handled updates", pruned)
            except Exception as error:
                log_failure(logger, "housekeeping failed; trying again later", error)
            await asyncio.sleep(HOUSEKEEPING_EVERY_S)

    async def _fill_speeds(self) -> None:
        """Once, in the background: the report speeds of deals taken or answered before they were
        written at the source (domain/reports/speed_fill.py), in small batches so that updates go on."""
        try:
            async with self.unit_of_work() as uow:
                filled = await fill_missing_speeds(uow, self.config.calendar(), batch=SPEED_FILL_BATCH)
            if filled:
                logger.info("report speeds written for %s deal(s) taken or answered before", filled)
        except Exception as error:
            log_failure(
                logger, "could not write the report speeds of older deals; next start tries again", error
            )

    async def _set_commands(self, team: list[Staff]) -> None:
        try:
            await show_everyone_commands(self.bot, self.translator)
            for member in team:
                t = self.translator.bind(self.translator.pick(member.locale))
                await show_staff_commands(self.bot, member, t)
        except Exception:
            logger.warning("could not set the bot's command list; going on", exc_info=True)


def build_app(
    settings: Settings,
    config: CrmConfig,
    *,
    clock: Clock | None = None,
    pacer: OutboxPacer | None = None,
) -> App:
    """The bot wired for `settings`. `pacer` paces the outbox (tests pass a faster one)."""
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    translator = Translator(default_locale=settings.default_locale)
    team = TeamCache(lambda: read_roster(sessions))
    # Conversation state in the database serves this one process, so what it committed can be kept.
    conversations = None if settings.redis_url else ConversationCache()

    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(KeepResponseTypes())
    session.middleware(FloodGuard())
    session.middleware(LateCallbackAnswers())
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )

    def make_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(
            sessions, after_commit=notifier.wake, after_timers=scheduler.poke, after_team=team.forget,
            conversations=conversations,
        )  # fmt: skip

    outbox = OutboxQueue(sessions)
    notifier = Notifier(
        bot=bot, queue=outbox, make_uow=make_uow, config=config, translator=translator,
        clock=clock, pacer=pacer or OutboxPacer(),
    )  # fmt: skip
    scheduler = TimerScheduler(
        queue=TimerQueue(sessions), make_uow=make_uow, config=config, clock=clock,
        tick_s=settings.scheduler_tick,
    )  # fmt: skip

    outage = OutageWatch(InboxStore(sessions).reachable)
    storage, isolation = _fsm_storage(
        settings, sessions_repo=FsmRepository(sessions, conversations), clock=clock
    )
    # People named in ADMIN_IDS / SUPERVISOR_IDS / MANAGER_IDS get their roles back at every start, so
    # removing them in /staff would not last: the team screen refuses and says where to change it.
    pinned = (
        frozenset(settings.admin_ids) | frozenset(settings.supervisor_ids) | frozenset(settings.manager_ids)
    )
    dispatcher = Dispatcher(
        storage=storage, events_isolation=isolation, config=config, translator=translator, pinned_staff=pinned
    )
    # The roster is looked up before the update's unit of work takes a connection: a handler holding
    # one while it waits for the roster's read (which needs one too) could starve the pool.
    dispatcher.update.outer_middleware(HandlingCap(MAX_CONCURRENT_UPDATES))
    dispatcher.update.outer_middleware(StaffMiddleware(translator, make_uow, team))
    dispatcher.update.outer_middleware(ReachableAgainMiddleware(make_uow, team))
    dispatcher.update.outer_middleware(UnitOfWorkMiddleware(make_uow, clock))
    dispatcher.update.outer_middleware(LocaleMiddleware(translator))
    dispatcher.include_router(build_router())
    inbox = UpdateInbox(
        store=InboxStore(sessions), dispatcher=dispatcher, bot=bot, make_uow=make_uow, clock=clock,
        translator=translator, outage=outage,
    )  # fmt: skip
    intake = None
    if settings.intake_token is not None:
        intake = LeadIntake(
            token=settings.intake_token.get_secret_value(), config=config, make_uow=make_uow, clock=clock,
            outage=outage, rate=LeadRate(config.intake.web_leads_per_minute, redis_url=settings.redis_url),
        )  # fmt: skip
    return App(
        settings, config, engine, bot, dispatcher, notifier, scheduler, translator, make_uow, clock, inbox,
        outage, outbox, intake,
    )  # fmt: skip


def _fsm_storage(
    settings: Settings, *, sessions_repo: FsmRepository, clock: Clock
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when REDIS_URL is set (state and per-user locks shared by several processes), else our
    own database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialWithJitterBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        # A bounded pool that makes a caller wait for a free connection (redis-py's default pool raises
        # MaxConnectionsError past 100 at once, failing a campaign peak's updates). A pool made from a
        # URL does not retry at all either: one connection dropped by the server (a Redis restart, a
        # failover, an idle timeout) would fail the update in hand. Reconnect and retry instead.
        pool = BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=REDIS_POOL_SIZE,
            timeout=REDIS_POOL_WAIT_S,
            retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=2.0), retries=5),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=30,
        )
        from bot.redis_state import RememberingRedisStorage

        redis_storage = RedisStorage(redis=Redis(connection_pool=pool))
        shared = RedisEventIsolation(redis=redis_storage.redis, lock_kwargs=REDIS_LOCK)
        return RememberingRedisStorage(redis_storage), QueuedSharedIsolation(shared)
    return DatabaseStorage(sessions_repo, clock), PerPersonIsolation()
