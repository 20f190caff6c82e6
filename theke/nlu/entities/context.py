"""What rule-based extractors need to know beyond the text itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = ["ExtractContext"]


@dataclass(frozen=True, slots=True)
class ExtractContext:
    """Language of the message, the shop's clock, region and currency.

    ``now`` must be timezone-aware; relative dates ("morgen um 15 Uhr") are
    resolved against it in ``timezone``.
    """

    now: datetime
    language: str = "de"
    timezone: str = "Europe/Berlin"
    region: str = "DE"
    currency: str = "EUR"

    @classmethod
    def at(cls, now: datetime | None = None, **kwargs: str) -> ExtractContext:
        """A context for ``now`` (default: the current time in ``timezone``)."""
        zone = ZoneInfo(kwargs.get("timezone", "Europe/Berlin"))
        moment = now.astimezone(zone) if now is not None else datetime.now(zone)
        return cls(now=moment, **kwargs)
