"""The ``media.fetch`` job: keep a copy of what customers send, before the platform's link expires.

Messenger's attachment URLs and WhatsApp's media URLs stop working after a while, and
Telegram hands out a file path only on request, so every picture, voice message, video
or file a customer sends is fetched once, soon after it arrived, and stored by its
SHA-256 (``theke.channels.media``). Only the platform's own media hosts are asked, with
a size limit; a refused or expired link is recorded in the log and not tried again; a
network failure is retried by the job runner.

The log gets ``media.stored`` (``sha256``, ``mime_type``, ``size``, and which attachment
of which inbound event) for the inbox to show, or ``media.refused`` with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from sqlalchemy import Connection

from theke.channels.media import MediaFetcher, MediaRefused, MediaStore
from theke.store import conversations, log
from theke.store.database import Database
from theke.store.jobs import Job
from theke.store.schema import utcnow

__all__ = ["MEDIA_JOB", "Locate", "MediaJob", "media_jobs"]

MEDIA_JOB = "media.fetch"

Locate = Callable[[dict[str, Any]], Awaitable[tuple[str, dict[str, str]]]]
"""Where an attachment can be downloaded, and with which headers (a channel's token)."""

_KEYS = ("url", "media_id", "file_id")
_RETRIED = frozenset({"network"})

_log = structlog.get_logger("theke.worker.media")


def media_jobs(
    conversation_id: str, customer_id: str, channel: str, inbound_id: int, extra: dict[str, Any]
) -> list[dict[str, Any]]:
    """The ``media.fetch`` payloads for the attachments of one inbound event."""
    attachments = extra.get("attachments")
    if not isinstance(attachments, list):
        return []
    return [
        {
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "channel": channel,
            "inbound_id": inbound_id,
            "index": index,
            "attachment": attachment,
        }
        for index, attachment in enumerate(attachments)
        if isinstance(attachment, dict) and any(attachment.get(key) for key in _KEYS)
    ]


class MediaJob:
    """The handler of ``media.fetch`` jobs."""

    def __init__(
        self,
        db: Database,
        fetcher: MediaFetcher,
        store: MediaStore,
        locators: Mapping[str, Locate],
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._store = store
        self._locators = locators

    async def __call__(self, job: Job) -> None:
        payload = job.payload
        channel = str(payload.get("channel"))
        attachment = payload.get("attachment") or {}
        where = {"inbound_id": payload.get("inbound_id"), "index": payload.get("index")}
        locate = self._locators.get(channel)
        if locate is None:
            await self._record(payload, "media.refused", where | {"reason": "no_channel"})
            return
        try:
            url, headers = await locate(attachment)
            fetched = await self._fetcher.fetch(url, channel=channel, headers=headers)
        except MediaRefused as exc:
            if exc.reason in _RETRIED:
                raise
            _log.warning("theke.worker.media.refused", reason=exc.reason, channel=channel)
            await self._record(payload, "media.refused", where | {"reason": exc.reason})
            return
        stored = await self._store.put(fetched)
        data = where | {"sha256": stored.sha256, "mime_type": stored.mime_type, "size": stored.size}
        await self._record(payload, "media.stored", data)

    async def _record(self, payload: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
        conversation_id = str(payload.get("conversation_id"))

        def write(conn: Connection) -> None:
            # The customer now: a merge may have moved the conversation since the job began.
            owner = conversations.owners(conn, [conversation_id]).get(conversation_id)
            if owner is None:
                return  # the conversation is gone (deleted for privacy): nothing to keep
            entries = log.event_entries(
                conversation_id, owner, [(kind, data)], utcnow(), actor="system"
            )
            log.append(conn, entries)

        await self._db.write(write)
