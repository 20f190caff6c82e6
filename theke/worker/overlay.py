"""What agents teach the bot reaches every process without a restart.

``RetrainJob`` (the ``bot.retrain`` job a teaching schedules) trains the language model
with the newest overlay, off the event loop, in the worker that claims it, installs it
there and marks the version trained. ``OverlayWatcher`` runs in every process: when the
newest overlay is trained and not yet installed here, it installs it; the model then
loads from the file the job wrote (processes on other machines train it themselves).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy import Connection

from theke.bot.overlay import Overlay
from theke.inbox.teach import current_overlay, mark_trained, trained_version
from theke.store.database import Database
from theke.store.jobs import Job
from theke.store.schema import utcnow
from theke.worker.periodic import every

__all__ = ["OverlayWatcher", "RetrainJob"]

_log = structlog.get_logger("theke.worker.overlay")

Install = Callable[[Overlay], None]
"""Installs an overlay in this process (may train; called off the event loop)."""


def _read(conn: Connection) -> tuple[Overlay, int]:
    return current_overlay(conn), trained_version(conn)


class RetrainJob:
    """Trains and installs the newest overlay, then marks it trained for everyone."""

    def __init__(self, db: Database, install: Install) -> None:
        self._db = db
        self._install = install

    async def __call__(self, job: Job) -> None:
        overlay, trained = await self._db.read(_read)
        if trained >= overlay.version:
            return  # a later job (or another worker) already trained it
        await asyncio.to_thread(self._install, overlay)
        await self._db.write(lambda conn: mark_trained(conn, overlay.version, utcnow()))
        _log.info("theke.worker.overlay.trained", version=overlay.version, items=len(overlay.items))


class OverlayWatcher:
    """Installs each trained overlay version in this process."""

    def __init__(
        self,
        db: Database,
        installed: Callable[[], int],
        install: Install,
        *,
        interval: float = 2.0,
    ) -> None:
        self._db = db
        self._installed = installed
        self._install = install
        self._interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        await every(self._interval, stop, self.check)

    async def check(self) -> bool:
        """Install the newest overlay if it is trained and new here; whether it did."""
        overlay, trained = await self._db.read(_read)
        if overlay.version == self._installed() or trained < overlay.version:
            return False
        await asyncio.to_thread(self._install, overlay)
        _log.info("theke.worker.overlay.installed", version=overlay.version)
        return True
