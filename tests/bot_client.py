"""Drive the real dispatcher as a person would; see bot.offline."""

from bot.offline import BotClient, BotMessage, Harness

__all__ = ["BotClient", "BotMessage", "Harness"]
