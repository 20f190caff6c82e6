"""Attribution: which link, ad or campaign brought a conversation, and so its orders.

Every channel delivers where a customer came from as an event's ``referral``:
Messenger's m.me ``ref`` and click-to-Messenger ads, WhatsApp's click-to-WhatsApp
ads, the web chat's ``utm_*`` and ``ref`` page parameters. The conversation keeps
the newest one (last touch) with its time; an order placed within
:data:`WINDOW` of it carries it, so a campaign's or an influencer's sales can be
counted from the orders alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

__all__ = ["WINDOW", "attributed", "source_from"]

WINDOW = timedelta(days=30)
"""How long after the click an order still counts for it."""

_KEYS = (
    "source",
    "type",
    "ref",
    "ad_id",
    "ctwa_clid",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "page",
)


def source_from(extra: Mapping[str, Any], at: datetime) -> dict[str, Any] | None:
    """The source an inbound event names (its ``extra["referral"]``), stamped with ``at``."""
    referral = extra.get("referral")
    if not isinstance(referral, Mapping):
        return None
    found = {
        key: str(referral[key])[:200]
        for key in _KEYS
        if isinstance(referral.get(key), str | int) and str(referral[key]).strip()
    }
    if not found.keys() - {"source", "type"}:
        return None  # "it came from somewhere" says nothing to count
    return {**found, "at": at.isoformat()}


def attributed(source: Mapping[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """``source`` when its click lies within the window before ``now``, else ``None``."""
    if not source:
        return None
    try:
        at = datetime.fromisoformat(str(source.get("at")))
    except ValueError:
        return None
    return dict(source) if timedelta(0) <= now - at <= WINDOW else None
