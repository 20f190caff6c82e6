"""The bot folder: ``theke.yml`` and ``responses/<lang>.yml`` loaded, checked and typed."""

from theke.bot.config import Address, BotConfig, KeywordRule, MatchKind
from theke.bot.loader import Bot, load_bot
from theke.bot.messages import Variants
from theke.bot.responses import Responses
from theke.bot.scaffold import scaffold

__all__ = [
    "Address",
    "Bot",
    "BotConfig",
    "KeywordRule",
    "MatchKind",
    "Responses",
    "Variants",
    "load_bot",
    "scaffold",
]
