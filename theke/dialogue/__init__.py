"""The dialogue engine: turns one customer input into the bot's replies."""

from theke.dialogue.engine import Engine, variant_index
from theke.dialogue.keywords import KeywordMatch, KeywordMatcher
from theke.dialogue.normalize import normalize
from theke.dialogue.turn import Event, Inbound, Turn

__all__ = [
    "Engine",
    "Event",
    "Inbound",
    "KeywordMatch",
    "KeywordMatcher",
    "Turn",
    "normalize",
    "variant_index",
]
