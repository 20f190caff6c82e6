"""Messenger: ``InboundEvent``s from webhook deliveries, Send API bodies from content."""

from theke.channels.messenger.events import MessengerWebhookError, parse_delivery
from theke.channels.messenger.render import render

__all__ = ["MessengerWebhookError", "parse_delivery", "render"]
