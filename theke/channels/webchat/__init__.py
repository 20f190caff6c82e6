"""The website chat: visitor tokens, the server side of its API, delivery, the widget."""

from theke.channels.webchat.live import LiveTail
from theke.channels.webchat.message import WebchatMessage
from theke.channels.webchat.sender import WebchatSender, topic_for
from theke.channels.webchat.service import BadRequest, WebchatService
from theke.channels.webchat.tokens import TokenSigner

__all__ = [
    "BadRequest",
    "LiveTail",
    "TokenSigner",
    "WebchatMessage",
    "WebchatSender",
    "WebchatService",
    "topic_for",
]
