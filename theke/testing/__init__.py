"""Tools for testing bots: conversation tests (``theke test``) and loopback platform APIs.

``TelegramApi`` and ``GraphApi`` (Messenger and WhatsApp) speak the part of each platform's
API Theke uses, with its limits and error bodies; ``meta_webhooks`` builds the signed
webhook deliveries Meta sends.
"""

from theke.testing import meta_webhooks
from theke.testing.graph_api import GraphApi, GraphCall, GraphRequest
from theke.testing.stories import Story, StoryResult, load_stories, run_stories
from theke.testing.telegram_api import ApiRequest, SentCall, TelegramApi, WebhookInfo

__all__ = [
    "ApiRequest",
    "GraphApi",
    "GraphCall",
    "GraphRequest",
    "SentCall",
    "Story",
    "StoryResult",
    "TelegramApi",
    "WebhookInfo",
    "load_stories",
    "meta_webhooks",
    "run_stories",
]
