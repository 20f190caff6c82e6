"""Tools for testing bots: conversation tests (``theke test``)."""

from theke.testing.stories import Story, StoryResult, load_stories, run_stories
from theke.testing.telegram_api import ApiRequest, SentCall, TelegramApi, WebhookInfo

__all__ = [
    "ApiRequest",
    "SentCall",
    "Story",
    "StoryResult",
    "TelegramApi",
    "WebhookInfo",
    "load_stories",
    "run_stories",
]
