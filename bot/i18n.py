"""Texts for people, from one Fluent catalog per language (bot/locales/<lang>/*.ftl, one file
per feature, loaded in name order).

Every string argument is HTML-escaped here, so no handler ever puts raw user text into markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource, resolver

# Fluent refuses a placeable longer than 2,500 characters, and an argument is one: a day's
# comment of 1,000 characters full of "&" or "<" is 5,000 once escaped, and refusing it would
# leave the card unsent. Arguments are bounded by what a Telegram message can carry (4,096
# characters, each at most 5 once escaped), so allow that.
resolver.MAX_PART_LENGTH = max(resolver.MAX_PART_LENGTH, 5 * 4096)

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

Arg = str | int | float | Decimal | date | datetime | None


class MissingText(KeyError):
    pass


class Safe(str):
    """Text that is already markup (a rendered catalog text): passed on without escaping."""

    __slots__ = ()


class Texts:
    """One language's catalog, callable as `t("key", name=...)`."""

    def __init__(self, language: str, source: str) -> None:
        self.language = language
        self._bundle = FluentBundle([language], use_isolating=False)
        self._bundle.add_resource(FluentResource(source))

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)

    def __call__(self, key: str, /, **args: Arg) -> str:
        """The text, as markup: a `Safe` str, so passing it on as an argument does not escape it."""
        message_id, _, attribute = key.partition(".")
        if not self._bundle.has_message(message_id):
            raise MissingText(f"{self.language}: {key}")
        message = self._bundle.get_message(message_id)
        pattern = message.attributes[attribute] if attribute else message.value
        if pattern is None:
            raise MissingText(f"{self.language}: {key} has no value")
        safe = {name: _escape(value) for name, value in args.items()}
        text, errors = self._bundle.format_pattern(pattern, safe)
        if errors:
            raise MissingText(f"{self.language}: {key}: {errors}")
        return Safe(text)

    def zone(self, zone: str) -> str:
        """A timezone as people know it ("Москва (UTC+3)"), or its IANA name."""
        key = "tz-" + zone.lower().replace("/", "-").replace("_", "-")
        if self.has(key):
            return self(key)
        if zone.startswith("Etc/GMT") and len(zone) > len("Etc/GMT"):
            # The tz database writes UTC+5 as Etc/GMT-5.
            offset = zone[len("Etc/GMT") :]
            return Safe("UTC" + offset.translate(str.maketrans("+-", "-+")))
        return Safe(html.escape(zone))

    def message_ids(self) -> set[str]:
        return set(self._bundle._messages)


def _escape(value: Arg) -> Arg:
    if isinstance(value, Safe):
        return str(value)
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if value is None:
        return ""
    return value


@cache
def texts(language: str | None) -> Texts:
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    files = sorted((LOCALES_DIR / lang).glob("*.ftl"))
    return Texts(lang, "\n".join(path.read_text(encoding="utf-8") for path in files))


def all_texts() -> Mapping[str, Texts]:
    return {lang: texts(lang) for lang in LANGUAGES}
