"""Edits to the bot folder take effect without a restart.

Every few seconds the folder's signature is compared; after a change the bot
is loaded again off the event loop. A folder with a mistake is reported
(file, line and fix, in the log) and the running bot keeps answering; a good
one replaces the engine between two turns. Changed training data retrains
the NLU in the background first, so no customer waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import structlog

from theke.bot import Bot, load_bot
from theke.bot.watch import signature
from theke.errors import ThekeError
from theke.worker.periodic import every

__all__ = ["BotReloader"]

_log = structlog.get_logger("theke.worker.reload")


class BotReloader:
    """Watches ``folder`` and hands each good new version of the bot to ``install``."""

    def __init__(
        self, folder: Path, install: Callable[[Bot], None], *, interval: float = 2.0
    ) -> None:
        self._folder = folder
        self._install = install
        self._interval = interval
        self._seen = signature(folder)

    async def run(self, stop: asyncio.Event) -> None:
        await every(self._interval, stop, self.check)

    async def check(self) -> bool:
        """Reload if the folder changed since the last look; whether a new bot was installed."""
        now = await asyncio.to_thread(signature, self._folder)
        if now == self._seen:
            return False
        self._seen = now
        return await asyncio.to_thread(self._reload)

    def _reload(self) -> bool:
        try:
            bot = load_bot(self._folder)
        except ThekeError as exc:  # the owner's mistake: report it, keep the running bot
            _log.error("theke.worker.reload.refused", error=str(exc))
            return False
        try:
            self._install(bot)
        except Exception:  # e.g. a training that failed: the running bot goes on, logged
            _log.exception("theke.worker.reload.failed")
            return False
        _log.info("theke.worker.reload.installed", bot=bot.config.name)
        return True
