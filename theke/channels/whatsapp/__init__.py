"""WhatsApp Cloud API: ``InboundEvent``s from webhook deliveries, message bodies from content."""

from theke.channels.whatsapp.events import WhatsAppWebhookError, parse_delivery
from theke.channels.whatsapp.render import render

__all__ = ["WhatsAppWebhookError", "parse_delivery", "render"]
