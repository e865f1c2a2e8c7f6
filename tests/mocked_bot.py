"""The offline bot, under the names the tests use."""

from bot.offline import BOT_USER, dump
from bot.offline import OfflineBot as MockedBot
from bot.offline import OfflineSession as MockedSession

__all__ = ["BOT_USER", "MockedBot", "MockedSession", "dump"]
