"""What every platform sender does before its calls: short payload keys and rate limits."""

from __future__ import annotations

from collections.abc import Callable

from theke.bot.messages import payloads
from theke.channels.ratelimit import ChannelLimits, RateLimiter, pass_limits
from theke.content import Content
from theke.store import short_payloads
from theke.store.database import Database

__all__ = ["Gate", "payload_keys"]


async def payload_keys(
    db: Database, content: Content, too_long: Callable[[str], bool]
) -> Callable[[str], str]:
    """Store the payloads of ``content`` that are ``too_long`` for the platform.

    Returns the function a renderer calls for such a payload: its short key. The webhook
    turns the key back into the payload when the customer taps the button.
    """
    long = sorted({payload for payload in payloads(content) if too_long(payload)})
    keys = await db.write(lambda conn: short_payloads.remember(conn, long)) if long else {}
    return lambda payload: keys.get(payload) or short_payloads.key_for(payload)


class Gate:
    """The rate limits every call of one channel passes before it is made."""

    def __init__(
        self, limiter: RateLimiter, limits: ChannelLimits, channel: str, account: str
    ) -> None:
        self._limiter = limiter
        self._limits = limits
        self._channel = channel
        self._account = account

    async def wait(self, recipient: str) -> float:
        """Wait for this call's turn; the seconds waited."""
        keys = self._limits.limits_for(self._channel, recipient, self._account)
        return await pass_limits(self._limiter, keys)
