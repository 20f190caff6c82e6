"""The part of an inbound event that differs between Messenger webhook items."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from theke.channels.base import InboundKind
from theke.channels.messenger._models import Referral

__all__ = ["ID_MAX", "Draft", "capped_id", "iso_time", "referral_extra"]

ID_MAX = 255
"""The longest event id or sender the store keeps (its columns are 255 characters)."""

_DIGEST = 64
_MS_THRESHOLD = 100_000_000_000  # 1973 in milliseconds, year 5138 in seconds


@dataclass(frozen=True, slots=True)
class Draft:
    """An event before the channel, the receipt time and the standby flag are added."""

    event_id: str
    sender: str
    kind: InboundKind
    text: str | None = None
    postback: str | None = None
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def capped_id(value: str) -> str:
    """``value`` if it fits the store's 255 characters, else its start and a digest of it all.

    The digest keeps two long ids that share their start apart, and the same
    long id maps to the same capped one, so redeliveries still dedupe.
    """
    if len(value) <= ID_MAX:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{value[: ID_MAX - _DIGEST - 1]}~{digest}"


def iso_time(timestamp: int | None) -> str | None:
    """A Unix time in seconds or milliseconds as ISO 8601 UTC; None when it is no time."""
    if timestamp is None:
        return None
    seconds = timestamp / 1000 if abs(timestamp) >= _MS_THRESHOLD else timestamp
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def referral_extra(referral: Referral) -> dict[str, str]:
    """``{"source", "type", "ref", "ad_id", "referer_uri"}``, only the keys Meta sent."""
    fields = referral.model_dump(include={"source", "type", "ref", "ad_id", "referer_uri"})
    return {name: value for name, value in fields.items() if value is not None}
