"""The messaging rules, platform by platform, counted from when we received the last message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from theke.outreach.policy import Allow, Hold, OutboundMessage, PolicyContext, decide

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _context(hours: float | None, **changes: object) -> PolicyContext:
    last = None if hours is None else NOW - timedelta(hours=hours)
    fields: dict[str, object] = {"mode": "bot", **changes}
    return PolicyContext(now=NOW, last_inbound_at=last, **fields)  # type: ignore[arg-type]


def _reply(channel: str, actor: str = "bot") -> OutboundMessage:
    return OutboundMessage(channel=channel, actor=actor, is_reply=True)  # type: ignore[arg-type]


def _update(channel: str, purpose: str | None, **changes: object) -> OutboundMessage:
    return OutboundMessage(channel=channel, actor="bot", is_reply=False, purpose=purpose, **changes)  # type: ignore[arg-type]


TAG = "MESSAGE_TAG"


@pytest.mark.parametrize(
    ("message", "hours", "decision"),
    [
        (_reply("messenger"), 1, Allow("RESPONSE")),
        (_reply("messenger"), 23.9, Allow("RESPONSE")),
        (_reply("messenger"), 24.1, Hold("outside_window")),
        (_update("messenger", "reminder"), 2, Allow("UPDATE")),
        (_update("messenger", "reminder"), 25, Hold("outside_window")),
        (_update("messenger", "order_update"), 2, Allow("UPDATE")),
        (_update("messenger", "order_update"), 24 * 30, Allow(TAG, tag="POST_PURCHASE_UPDATE")),
        (_update("messenger", "back_in_stock"), 48, Hold("outside_window")),  # no token
        (_reply("messenger", "agent"), 24 * 6.9, Allow(TAG, tag="HUMAN_AGENT")),
        (_reply("messenger", "agent"), 24 * 7.1, Hold("outside_window")),
        (_update("messenger", None), 1, Hold("no_consent")),  # a promotion nobody asked for
        (_reply("whatsapp"), 23, Allow()),
        (_reply("whatsapp"), 25, Hold("needs_template")),
        (_reply("whatsapp", "agent"), 25, Hold("needs_template")),
        (_update("whatsapp", "order_update"), 25, Hold("needs_template")),
        (_update("whatsapp", "order_update", template=True), 24 * 30, Allow()),
        (_reply("telegram"), 24 * 90, Allow()),  # Telegram has no window
        (_update("telegram", "reminder"), 25, Hold("outside_window")),  # our own rule
        (_reply("webchat"), 1, Allow()),
    ],
)
def test_each_platforms_window(message: OutboundMessage, hours: float, decision: object) -> None:
    assert decide(message, _context(hours)) == decision


def test_a_granted_opt_in_token_carries_a_back_in_stock_message_past_the_window() -> None:
    context = _context(24 * 20, optin_token="TOKEN")
    decision = decide(_update("messenger", "back_in_stock"), context)
    assert decision == Allow("UPDATE", optin_token="TOKEN")


@pytest.mark.parametrize("channel", ["messenger", "whatsapp", "telegram", "webchat"])
def test_never_a_first_message_and_never_to_someone_unreachable(channel: str) -> None:
    order = _update(channel, "order_update", template=True)
    assert decide(order, _context(None)) == Hold("never_wrote")
    assert decide(_reply(channel), _context(0.1, reachable=False)) == Hold("unreachable")


def test_the_bot_starts_nothing_while_a_person_has_the_conversation() -> None:
    human = _context(0.1, mode="human")
    assert decide(_update("messenger", "reminder"), human) == Hold("human_mode")
    # What it answered before the hand-over (its announcement among it) still goes out.
    assert decide(_reply("messenger"), human) == Allow("RESPONSE")
    assert decide(_reply("messenger", "agent"), human) == Allow("RESPONSE")


def test_after_stop_only_replies_go_out() -> None:
    stopped = _context(1, opted_out=True)
    assert decide(_update("whatsapp", "order_update"), stopped) == Hold("opted_out")
    assert decide(_reply("whatsapp"), stopped) == Allow()
