"""Wiring: the one factory that `python -m bot` and the end-to-end tests both use."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from redis.asyncio import Redis

from bot.clock import Clock, SystemClock
from bot.event_isolation import PerPersonIsolation, QueuedSharedIsolation
from bot.flood_guard import FloodGuard, RedisHolds
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
from bot.observability.database_figures import DatabaseFigures
from bot.observability.health import HealthCheck
from bot.observability.routes import health_and_metrics_routes
from bot.observability.telegram_calls import TelegramCalls
from bot.outage import OutageWatch, log_failure
from bot.outbox_pacing import OutboxPacer
from bot.polling import Poller
from bot.response_types import KeepResponseTypes
from bot.scheduler import TimerScheduler
from bot.settings import Settings
from bot.shared_pacing import SharedPacer
from bot.start_failure import CannotStart, one_line
from bot.team_cache import TeamCache
from bot.telegram_reach import TelegramReach, reach_telegram
from bot.web_server import RouteInstaller, WebServer
from bot.webhook import register_webhook, webhook_path, webhook_receiver
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
from storage.operations_figures import OperationsFigures
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
    # What the process's web server carries (bot/web_server.py), in this order: the webhook receiver
    # (webhook mode) and the intake (INTAKE_TOKEN set), put here by build_app, then whatever else is
    # appended (health, metrics) before `run`. Each installs its routes on the server's aiohttp app.
    web_routes: list[RouteInstaller] = field(default_factory=list)
    serving: bool = False  # True from the moment updates are taken (polling or the webhook set)
    _web: WebServer | None = None
    _team: list[Staff] | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def migrate(self) -> None:
        """Bring the database to the newest schema, once per start (README.md, "Running in production").
        A database that cannot be reached or migrated ends the start with one line naming it."""
        try:
            await upgrade_async(self.settings.database_url)
        except Exception as error:
            raise CannotStart(
                f"cannot prepare the database at {_shown_url(self.settings.database_url)} (DATABASE_URL): "
                f"{one_line(error)}"
            ) from error

    async def give_roles(self) -> list[Staff]:
        """Give the configured people their roles (before anything is taken: a website lead stored while
        Telegram is still out of reach is given to the team too). Returns the team."""
        roles: dict[Role, Iterable[int]] = {
            Role.ADMIN: self.settings.admin_ids,
            Role.SUPERVISOR: self.settings.supervisor_ids,
            Role.MANAGER: self.settings.manager_ids,
        }
        try:
            try:
                async with self.unit_of_work() as uow:
                    team = await bootstrap_staff(uow, roles=roles)
            except IntegrityError:  # another worker starting at this moment added the same people
                async with self.unit_of_work() as uow:
                    team = await bootstrap_staff(uow, roles=roles)
        except Exception as error:
            raise CannotStart(
                f"cannot use the database at {_shown_url(self.settings.database_url)} (DATABASE_URL): "
                f"{one_line(error)}"
            ) from error
        self._team = team
        if not team:
            logger.warning(
                "nobody is on the team yet: the bot takes no leads; write to it (or send /myid) to learn "
                "your id, then set ADMIN_IDS (or MANAGER_IDS, SUPERVISOR_IDS) and restart"
            )
        return team

    async def prepare(self) -> None:
        """Start the notifier and the scheduler (which fires, late, what fell due while the bot was down)
        and take up the updates a previous run left. The roles are given first (`give_roles`)."""
        team = self._team if self._team is not None else await self.give_roles()
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
        """Serve until `stop` (or SIGTERM / SIGINT): long polling, or the webhook when WEBHOOK_URL is set.
        Migrate, wait for Telegram to answer (README.md, "Running in production"), start the background
        work and the web server, then take updates; at a stop, `close` lets what is in hand finish."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._on_signal, signum)
        try:
            if self._stop.is_set():
                return
            await self.migrate()
            await self.give_roles()
            # The web server first: the website's leads are stored (and told to the team once Telegram
            # answers), /healthz says what is not running yet, and a port in use is said at once.
            # Webhook updates wait (503: Telegram posts them again) until the start is done.
            if self.settings.serves_web:
                self._web = WebServer(
                    self.web_routes, host=self.settings.web_host, port=self.settings.listen_port
                )
                await self._web.start()
            reach = TelegramReach(
                api_url=self.settings.telegram_api_url, token=self.settings.bot_token.get_secret_value(),
                stop=self._stop,
            )  # fmt: skip
            if await reach_telegram(self.bot, reach, api_url=self.settings.telegram_api_url) is None:
                return  # stopped while waiting
            await self.prepare()
            if self.settings.webhook_url:
                await self._serve_webhook(reach)
            else:
                await self._poll(reach, polling_timeout)
        finally:
            await self.close()

    async def _serve_webhook(self, reach: TelegramReach) -> None:
        allowed = self.dispatcher.resolve_used_update_types()
        if not await register_webhook(self.settings, self.bot, reach, allowed=allowed):
            return
        self.serving = self.inbox.taking = True
        await self._stop.wait()

    async def _poll(self, reach: TelegramReach, polling_timeout: int) -> None:
        # Polling needs no webhook set (getUpdates is refused while one is).
        dropped = await reach.until_answered(
            lambda: self.bot.delete_webhook(drop_pending_updates=False), what="deleteWebhook"
        )
        if dropped is None:
            return
        poller = Poller(
            self.bot, self.inbox, self.outage, timeout_s=polling_timeout,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )  # fmt: skip
        self.serving = self.inbox.taking = True
        logger.info("taking updates from Telegram by long polling")
        polling = asyncio.create_task(poller.run(), name="poller")
        stopped = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            poller.stop()
            stopped.cancel()
            await asyncio.gather(stopped, return_exceptions=True)
            await polling  # a 401 (the token revoked) ends the run from here

    def stop(self) -> None:
        """Stop serving: `run` finishes the updates in hand and returns."""
        self._stop.set()

    def _on_signal(self, signum: int) -> None:
        if not self._stop.is_set():
            logger.info("%s: stopping; what is in hand finishes first", signal.Signals(signum).name)
        self.stop()

    async def close(self) -> None:
        """Let the updates in hand finish (what waits behind them stays stored for the next start), then
        stop the background tasks and close. Each step runs even when one before it failed (a start cut
        short closes what it opened), and a failing step is one line in the log."""
        if self._web is not None:  # no more webhook updates or leads taken; the ones in hand are stored first
            await _quietly("the web server", self._web.stop())
            self._web = None
        if self.intake is not None:
            await _quietly("the intake", self.intake.close())
        await _quietly("the inbox", self.inbox.stop(grace_s=SHUTDOWN_GRACE_S))
        await _quietly("the outage watch", self.outage.close())
        await _quietly("the scheduler", self.scheduler.stop())
        # The notifier finishes the message in hand and gives back the rest of its batch, so nothing waits
        # out a lease after the restart (and a chat's later messages are not held behind it).
        self.notifier.stop()
        notifier_runs = [task for task in self._tasks if task.get_name() == "notifier"]
        if notifier_runs:
            await asyncio.wait(notifier_runs, timeout=SHUTDOWN_GRACE_S)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)  # none is left unretrieved
        self._tasks.clear()
        await _quietly("the conversation storage", self.dispatcher.storage.close())
        await _quietly("the per-person locks", self.dispatcher.fsm.events_isolation.close())
        await _quietly("the Bot API session", self.bot.session.close())
        await _quietly("the database connections", self.engine.dispose())
        if self.serving or self._stop.is_set():
            logger.info("stopped")
        self.serving = False

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
    # With REDIS_URL, one Redis client (one pool) for the conversation state, the per-person locks, the
    # outbox's pace and the 429 holds: several workers share them all (README.md, "Several workers").
    redis = None
    if settings.redis_url:
        from bot.redis_state import shared_redis

        redis = shared_redis(settings.redis_url, max_connections=REDIS_POOL_SIZE, wait_s=REDIS_POOL_WAIT_S)
    session.middleware(FloodGuard(RedisHolds(redis) if redis is not None else None))
    session.middleware(LateCallbackAnswers())
    # Last, so innermost: it counts each request Telegram saw (each flood-guard retry too), not the
    # flood guard's own refusals of a chat on hold.
    session.middleware(TelegramCalls())
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
        clock=clock, pacer=pacer or (SharedPacer(redis) if redis is not None else OutboxPacer()),
    )  # fmt: skip
    scheduler = TimerScheduler(
        queue=TimerQueue(sessions), make_uow=make_uow, config=config, clock=clock,
        tick_s=settings.scheduler_tick,
    )  # fmt: skip

    outage = OutageWatch(InboxStore(sessions).reachable)
    storage, isolation = _fsm_storage(
        settings, redis=redis, sessions_repo=FsmRepository(sessions, conversations), clock=clock
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
        translator=translator, outage=outage, several_processes=bool(settings.redis_url),
    )  # fmt: skip
    figures = OperationsFigures(sessions)
    health = HealthCheck(
        ping_database=figures.ping, scheduler=scheduler.heartbeat, notifier=notifier.heartbeat,
        tick_s=settings.scheduler_tick,
    )  # fmt: skip
    web_routes: list[RouteInstaller] = [
        health_and_metrics_routes(health=health, figures=DatabaseFigures(figures, clock=clock))
    ]
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        web_routes.append(webhook_receiver(inbox, outage, secret=secret, path=webhook_path(settings)))
    intake = None
    if settings.intake_token is not None:
        intake = LeadIntake(
            token=settings.intake_token.get_secret_value(), config=config, make_uow=make_uow, clock=clock,
            outage=outage, rate=LeadRate(config.intake.web_leads_per_minute, redis_url=settings.redis_url),
        )  # fmt: skip
        web_routes.append(intake.install)
    return App(
        settings, config, engine, bot, dispatcher, notifier, scheduler, translator, make_uow, clock, inbox,
        outage, outbox, intake, web_routes,
    )  # fmt: skip


async def _quietly(what: str, closing: Awaitable[object]) -> None:
    try:
        await closing
    except Exception as error:
        logger.warning("could not close %s: %s", what, one_line(error))
        logger.debug("closing %s failed", what, exc_info=True)


def _shown_url(url: str) -> str:
    """The database URL as the log may show it: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _fsm_storage(
    settings: Settings, *, redis: Redis | None, sessions_repo: FsmRepository, clock: Clock
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when REDIS_URL is set (state and per-user locks shared by several processes), else our
    own database."""
    if redis is not None:
        from aiogram.fsm.storage.redis import RedisStorage

        from bot.redis_state import RememberingRedisStorage, RenewedRedisLocks

        redis_storage = RedisStorage(redis=redis)
        shared = RenewedRedisLocks(redis, key_builder=redis_storage.key_builder)
        return RememberingRedisStorage(redis_storage), QueuedSharedIsolation(shared)
    return DatabaseStorage(sessions_repo, clock), PerPersonIsolation()
