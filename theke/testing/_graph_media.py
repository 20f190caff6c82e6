"""Media files as Meta serves them to a bot, for :mod:`theke.testing.graph_api`.

WhatsApp (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media): a webhook
names a media id; ``GET /{media-id}`` with the token answers ``{"messaging_product", "url",
"mime_type", "sha256", "file_size", "id"}``; the ``url`` is valid for 5 minutes and needs the
token too, and returns the bytes with their Content-Type.

Messenger: an attachment's ``payload.url`` is a public CDN URL that needs no token.
"""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from dataclasses import dataclass, field
from typing import Any

from theke.testing._http_fake import Reply

__all__ = ["MEDIA_URL_SECONDS", "MediaStore"]

MEDIA_URL_SECONDS = 300


@dataclass(frozen=True)
class _Blob:
    data: bytes
    mime_type: str


@dataclass
class MediaStore:
    """Uploaded WhatsApp media, the download URLs handed out for it, Messenger attachments."""

    media: dict[str, _Blob] = field(default_factory=dict)
    urls: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> (id, expiry)
    attachments: dict[str, _Blob] = field(default_factory=dict)

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        """Keep WhatsApp media under ``media_id``."""
        self.media[media_id] = _Blob(data, mime_type)

    def add_attachment(self, number: int, data: bytes, mime_type: str) -> str:
        """Keep a Messenger attachment; returns its file name under ``/fbcdn/``."""
        extension = mimetypes.guess_extension(mime_type) or ""
        name = f"{number}_{secrets.token_hex(6)}_n{extension}"
        self.attachments[name] = _Blob(data, mime_type)
        return name

    def info(self, media_id: str, root: str, now: float) -> dict[str, Any]:
        """What ``GET /{media-id}`` answers, with a download URL valid for 5 minutes."""
        blob = self.media[media_id]
        key = secrets.token_hex(12)
        expires = now + MEDIA_URL_SECONDS
        self.urls[key] = (media_id, expires)
        return {
            "messaging_product": "whatsapp",
            "url": f"{root}/media-download/{media_id}?ext={int(expires)}&hash={key}",
            "mime_type": blob.mime_type,
            "sha256": hashlib.sha256(blob.data).hexdigest(),
            "file_size": len(blob.data),
            "id": media_id,
        }

    def download(self, media_id: str, key: str, now: float) -> Reply:
        """The bytes behind a download URL, or 404 once it expired (or never existed)."""
        issued, expires = self.urls.get(key, ("", 0.0))
        if issued != media_id or now >= expires:
            return _bytes(None)
        return _bytes(self.media.get(media_id))

    def attachment(self, name: str) -> Reply:
        """The bytes of a Messenger attachment, no token needed."""
        return _bytes(self.attachments.get(name))


def _bytes(blob: _Blob | None) -> Reply:
    if blob is None:
        return Reply(404, raw=b"Not Found", content_type="text/plain")
    return Reply(200, raw=blob.data, content_type=blob.mime_type)
