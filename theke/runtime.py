"""The composition root: builds the database, the bot, the queues and the loops from settings."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import structlog

from theke.bot import Bot, load_bot
from theke.bot.overlay import Overlay, apply_overlay
from theke.channels.base import LocalSender, Sender
from theke.channels.courtesy import Courtesies
from theke.channels.media import MediaFetcher, MediaStore
from theke.channels.platforms import platform_senders, rate_limiter
from theke.channels.ratelimit import LocalRateLimiter, RateLimiter
from theke.channels.webchat.live import LiveTail
from theke.channels.webchat.sender import WebchatSender
from theke.channels.webchat.service import WebchatService
from theke.channels.webchat.tokens import TokenSigner
from theke.commerce import CatalogCache, CatalogIndex, catalog_from_folder, open_catalog
from theke.commerce.lifecycle import CLOSE_JOB
from theke.commerce.mail import Mailer
from theke.commerce.payments.provider import PaymentProviders, payment_providers
from theke.commerce.placement import LAPSE_JOB, MAIL_JOB, PAYMENT_JOB
from theke.dialogue import Engine
from theke.inbox.teach import RETRAIN_JOB, current_overlay
from theke.nlu.training import fingerprint
from theke.observability import Metrics
from theke.settings import Settings
from theke.store import inbound, outbox
from theke.store.database import Database
from theke.store.ingest import Ingestor
from theke.store.migrate import check_current, upgrade
from theke.store.signals import LocalSignals, RedisSignals
from theke.worker.comments import CommentResponder
from theke.worker.dispatcher import Backoff, Dispatcher
from theke.worker.jobs import JobHandler, JobRunner
from theke.worker.loops import WorkerLoops
from theke.worker.media import MEDIA_JOB, MediaJob
from theke.worker.order_mail import OrderMailJob
from theke.worker.overlay import OverlayWatcher, RetrainJob
from theke.worker.payments import PaymentJobs
from theke.worker.reload import BotReloader
from theke.worker.reminders import REMINDER_JOB, ReminderJob
from theke.worker.shop_webhooks import ShopWebhooks
from theke.worker.turns import TurnRunner

if TYPE_CHECKING:
    from theke.knowledge import KnowledgeBase
    from theke.nlu.service import NluService

__all__ = ["Runtime", "build_engine", "build_knowledge"]

_log = structlog.get_logger("theke.runtime")


def _start_nlu(bot: Bot, *, isolated: bool = True) -> NluService | None:
    """The bot's NLU, loaded from its model file or trained now; ``None`` without training data."""
    if not any(data.examples for data in bot.nlu):
        return None
    from theke.nlu.service import NluService

    service = NluService.start(
        bot.nlu, bot.config.nlu, bot.data_folder / "models", isolated=isolated
    )
    # Load the encoder, the tagger's clusters and the language model now (dateparser, for rare
    # date layouts only, stays unloaded), once, before any customer waits for them.
    service.parse("Habt ihr Laufschuhe unter 100 Euro, Lieferung am 24.12. um 15 Uhr?")
    return service


def build_knowledge(bot: Bot) -> KnowledgeBase | None:
    """The bot's FAQ search, with the NLU's sentence encoder when the bot uses one."""
    if not bot.knowledge:
        return None
    from theke.knowledge import KnowledgeBase
    from theke.nlu.encoder import get_encoder

    encoder = get_encoder(bot.config.nlu.encoder)
    return KnowledgeBase.build(tuple(bot.knowledge.values()), bot.config.languages, encoder)


def build_engine(
    bot: Bot,
    *,
    isolated: bool = True,
    catalog: Callable[[], CatalogIndex] | None = None,
    unavailable_payments: Collection[str] = (),
) -> Engine:
    """The engine with everything a bot folder asks for: NLU, FAQ, and ``catalog`` snapshots.

    Without ``catalog`` the bot folder's ``catalog/products.csv`` is read into
    memory (for conversation tests and benchmarks, which have no database).
    """
    nlu = _start_nlu(bot, isolated=isolated)
    if catalog is None:
        index = catalog_from_folder(bot.path)
        catalog = lambda: index  # noqa: E731 - a fixed snapshot
    return Engine(
        bot,
        nlu,
        knowledge=build_knowledge(bot),
        catalog=catalog,
        unavailable_payments=unavailable_payments,
    )


def _unavailable_payments(providers: PaymentProviders, bot: Bot) -> frozenset[str]:
    """Payment methods ``theke.yml`` offers that this installation has no provider for (Stripe
    without its key): not offered to customers, and said so at start, with the fix."""
    shop = bot.config.shop
    missing = providers.missing(shop.payment) if shop is not None else frozenset()
    if missing:
        _log.warning(
            "theke.commerce.payment_not_configured",
            methods=sorted(missing),
            fix="set THEKE_STRIPE_SECRET_KEY and THEKE_STRIPE_WEBHOOK_SECRET, or remove the "
            "method from `shop: payment:` in theke.yml",
        )
    return missing


def worker_id() -> str:
    """A name for this process in leases and claims: host, pid and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Runtime:
    """Everything a process needs, opened once and closed at exit."""

    settings: Settings
    bot: Bot
    db: Database
    signals: LocalSignals
    metrics: Metrics
    ingestor: Ingestor
    webchat: WebchatService
    engine: Engine
    senders: dict[str, Sender | LocalSender] = field(default_factory=dict)
    catalog: CatalogCache = field(default_factory=CatalogCache)
    limiter: RateLimiter = field(default_factory=LocalRateLimiter)
    fetcher: MediaFetcher | None = None  # made with the first media job, closed at exit
    courtesies: Courtesies = field(default_factory=Courtesies)  # seen/typing after a 200
    providers: PaymentProviders = field(default_factory=PaymentProviders)
    # One webhook sender per target ("shop", "inbox"), made with the worker loops, closed at exit.
    webhook_senders: dict[str, ShopWebhooks] = field(default_factory=dict)
    payment_jobs: PaymentJobs | None = None
    # What agents taught (theke.inbox.teach), laid over the bot folder's bot: ``bot`` is
    # the result, ``folder_bot`` the folder as written.
    overlay: Overlay = field(default_factory=Overlay)
    folder_bot: Bot | None = None
    _installing: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        bot: Bot | None = None,
        senders: Mapping[str, Sender | LocalSender] | None = None,
        migrate: bool | None = None,
    ) -> Runtime:
        """Load the bot, connect the database (migrating SQLite), start the signals."""
        bot = bot or load_bot(settings.bot)
        url = settings.resolved_database_url()
        db = Database(url)
        if migrate if migrate is not None else db.is_sqlite:
            await asyncio.to_thread(upgrade, url)
        else:
            await asyncio.to_thread(check_current, url)
        try:  # before the signals start, so a training that fails leaves nothing running
            folder_bot = bot
            overlay = await db.read(current_overlay)
            bot = apply_overlay(folder_bot, overlay.items)
            catalog = await open_catalog(db, bot.path)
            snapshot = lambda: catalog.index  # noqa: E731 - the cache's newest snapshot
            providers = payment_providers(settings)
            unavailable = _unavailable_payments(providers, bot)
            engine = await asyncio.to_thread(
                build_engine, bot, catalog=snapshot, unavailable_payments=unavailable
            )
        except BaseException:
            await db.dispose()
            raise
        signals: LocalSignals = (
            RedisSignals(settings.redis_url) if settings.redis_url else LocalSignals()
        )
        await signals.start()
        ingestor = Ingestor(db, signals)
        signer = TokenSigner(settings.secret_key.get_secret_value())
        # The in-memory tail is complete only when this process writes every mailbox row.
        live = LiveTail(enabled=not settings.redis_url)
        webchat = WebchatService(
            db, ingestor, signals, signer, live=live, long_poll_seconds=settings.long_poll_seconds
        )
        all_senders: dict[str, Sender | LocalSender] = {"webchat": WebchatSender(signals, live)}
        limiter = rate_limiter(settings)
        all_senders.update(platform_senders(settings, db, limiter))
        all_senders.update(senders or {})
        return cls(
            settings=settings,
            bot=bot,
            db=db,
            signals=signals,
            metrics=Metrics(),
            ingestor=ingestor,
            webchat=webchat,
            engine=engine,
            senders=all_senders,
            catalog=catalog,
            limiter=limiter,
            providers=providers,
            overlay=overlay,
            folder_bot=folder_bot,
        )

    def install(self, bot: Bot) -> None:
        """Answer with the bot folder's new ``bot`` (and what agents taught on top of it)
        from the next turn on; called by the reloader, off the loop."""
        with self._installing:
            self.folder_bot = bot
            self._use(apply_overlay(bot, self.overlay.items))

    def install_overlay(self, overlay: Overlay) -> None:
        """Answer with what agents taught as of ``overlay`` from the next turn on (called
        by the retraining job and the overlay watcher, off the loop)."""
        with self._installing:
            self._use(apply_overlay(self.folder_bot or self.bot, overlay.items))
            self.overlay = overlay  # only once it answers with it: a failure is tried again

    def _use(self, bot: Bot) -> None:
        """Build the engine for ``bot``. The NLU is trained first when its training data
        changed (the running engine keeps its model until the new engine replaces it); the
        catalog stays the database's."""
        nlu = self.engine.nlu
        if not any(data.examples for data in bot.nlu):
            nlu = None
        elif nlu is None or nlu.model.fingerprint != fingerprint(bot.nlu, bot.config.nlu):
            nlu = _start_nlu(bot)  # a model of its own: the running engine keeps the old one
        catalog = self.catalog
        self.engine = Engine(
            bot,
            nlu,
            knowledge=build_knowledge(bot),
            catalog=lambda: catalog.index,
            unavailable_payments=_unavailable_payments(self.providers, bot),
        )
        self.bot = bot

    def reloader(self) -> BotReloader:
        return BotReloader(self.bot.path, self.install, interval=self.settings.reload_seconds)

    async def watch(self, stop: asyncio.Event) -> None:
        """The watchers alone, for a web process without the worker loops: the bot
        folder and what agents taught, installed here too."""
        await asyncio.gather(self.reloader().run(stop), self.overlay_watcher().run(stop))

    def overlay_watcher(self) -> OverlayWatcher:
        return OverlayWatcher(
            self.db,
            lambda: self.overlay.version,
            self.install_overlay,
            interval=self.settings.reload_seconds,
        )

    def turns(self, owner: str) -> TurnRunner:
        return TurnRunner(
            self.db,
            lambda: self.engine,
            self.signals,
            self.metrics,
            owner=owner,
            local={
                channel: sender
                for channel, sender in self.senders.items()
                if isinstance(sender, LocalSender)
            },
            lease_seconds=self.settings.lease_seconds,
            batch=self.settings.worker_batch,
            catalog=self.catalog,
            human_pause=timedelta(minutes=self.settings.human_pause_minutes),
            mail=self.settings.smtp_url is not None,
            public_url=self.settings.public_url,
        )

    def dispatcher(self, owner: str) -> Dispatcher:
        backoff = Backoff(
            base=self.settings.send_backoff_base,
            cap=self.settings.send_backoff_cap,
            max_attempts=self.settings.send_max_attempts,
        )
        return Dispatcher(
            self.db,
            self.senders,
            self.signals,
            self.metrics,
            owner=owner,
            backoff=backoff,
            claim_seconds=self.settings.send_claim_seconds,
            batch=self.settings.worker_batch * 2,
            templates=lambda: self.bot.config.whatsapp.templates,
        )

    def loops(self, owner: str | None = None) -> WorkerLoops:
        owner = owner or worker_id()
        return WorkerLoops(
            [self.turns(f"{owner}/{n}") for n in range(self.settings.turn_runners)],
            self.dispatcher(owner),
            JobRunner(
                self.db,
                {
                    REMINDER_JOB: ReminderJob(
                        self.db, lambda: self.engine, self.signals, owner=f"{owner}/jobs"
                    ),
                    MEDIA_JOB: self.media_job(),
                    RETRAIN_JOB: RetrainJob(self.db, self.install_overlay),
                    **self.shop_jobs(),
                },
                owner=owner,
            ),
            self.signals,
            poll_interval=self.settings.poll_interval,
            watchers=[self.reloader().run, self.overlay_watcher().run],
            steps=[
                ("webhooks", self.webhooks(owner).run_once),
                ("inbox-webhooks", self.webhooks(owner, "inbox").run_once),
                ("payments", self.payments().sweep),
                ("comments", CommentResponder.of(self).run_once),
            ],
        )

    def payments(self) -> PaymentJobs:
        """Starts, closes and ends online payments (one per process: it paces its sweep)."""
        if self.payment_jobs is None:
            self.payment_jobs = PaymentJobs(
                self.db,
                lambda: self.bot.config,
                self.signals,
                online=self.providers.online,
                public_url=self.settings.public_url,
            )
        return self.payment_jobs

    def shop_jobs(self) -> dict[str, JobHandler]:
        """The jobs after an order: the payment link, the end of the time to pay, the e-mail."""
        payments = self.payments()
        handlers: dict[str, JobHandler] = {
            PAYMENT_JOB: payments.start,
            LAPSE_JOB: payments.lapse,
            CLOSE_JOB: payments.close,
        }
        if self.settings.smtp_url is not None:
            mailer = Mailer(self.settings.smtp_url, self.settings.mail_from)
            handlers[MAIL_JOB] = OrderMailJob(self.db, lambda: self.bot, mailer)
        return handlers

    def webhooks(self, owner: str, target: Literal["shop", "inbox"] = "shop") -> ShopWebhooks:
        """Delivers ``target``'s events: order events to the shop system
        (``THEKE_SHOP_WEBHOOK_URL``), ``"inbox"``'s notifications for the agents to
        ``THEKE_INBOX_WEBHOOK_URL``."""
        if target not in self.webhook_senders:
            settings = self.settings
            url, secret = {
                "shop": (settings.shop_webhook_url, settings.shop_webhook_secret),
                "inbox": (settings.inbox_webhook_url, settings.inbox_webhook_secret),
            }[target]
            self.webhook_senders[target] = ShopWebhooks(
                self.db,
                url,
                secret.get_secret_value() if secret is not None else None,
                owner=f"{owner}/{target}-webhooks",
                target=target,
            )
        return self.webhook_senders[target]

    def media_job(self) -> MediaJob:
        """Fetches what customers send from the platforms that have a way to locate it."""
        settings = self.settings
        locators = {
            channel: locate
            for channel, sender in self.senders.items()
            if (locate := getattr(sender, "locate", None)) is not None
        }
        if self.fetcher is None:
            self.fetcher = MediaFetcher(
                None, max_bytes=settings.media_max_bytes, extra_hosts=settings.media_hosts
            )
        store = MediaStore(settings.resolved_media_dir())
        return MediaJob(self.db, self.fetcher, store, locators)

    async def refresh_queue_depth(self) -> None:
        """Read the queues' depth into the metrics (called when /metrics is scraped)."""
        depth, counts = await self.db.read(lambda conn: (inbound.depth(conn), outbox.counts(conn)))
        self.metrics.queue_depth.labels("inbound").set(depth)
        self.metrics.queue_depth.labels("outbox").set(
            counts.get("pending", 0) + counts.get("inflight", 0)
        )
        self.metrics.queue_depth.labels("dead").set(counts.get("dead", 0))

    async def close(self) -> None:
        await self.courtesies.drain()
        for sender in self.senders.values():
            closing = getattr(sender, "close", None)
            if closing is not None:
                await closing()
        await self.limiter.close()
        if self.fetcher is not None:
            await self.fetcher.close()
        await self.providers.aclose()
        for webhook_sender in self.webhook_senders.values():
            await webhook_sender.close()
        await self.signals.close()
        await self.db.dispose()
