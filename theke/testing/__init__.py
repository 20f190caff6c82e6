"""Tools for testing bots: conversation tests (``theke test``) and loopback platform APIs.

``TelegramApi``, ``GraphApi`` (Messenger and WhatsApp) and ``StripeApi`` (Checkout
Sessions and signed payment webhooks) speak the part of each platform's API Theke uses,
with its limits and error bodies; ``meta_webhooks`` builds the signed webhook deliveries
Meta sends; ``SmtpServer`` receives the mail Theke sends.
"""

from theke.testing import meta_webhooks
from theke.testing.graph_api import GraphApi, GraphCall, GraphRequest
from theke.testing.smtp_server import SmtpServer
from theke.testing.stories import Story, StoryResult, load_stories, run_stories
from theke.testing.stripe_api import StripeApi, StripeRequest
from theke.testing.telegram_api import ApiRequest, SentCall, TelegramApi, WebhookInfo

__all__ = [
    "ApiRequest",
    "GraphApi",
    "GraphCall",
    "GraphRequest",
    "SentCall",
    "SmtpServer",
    "Story",
    "StoryResult",
    "StripeApi",
    "StripeRequest",
    "TelegramApi",
    "WebhookInfo",
    "load_stories",
    "meta_webhooks",
    "run_stories",
]
