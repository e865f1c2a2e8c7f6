"""The catalogs: complete in both languages, and safe with any user text."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, MissingText, texts
from domain.roles import COMMANDS

FTL_ARGUMENT = re.compile(r"\$([a-z_]+)")


def test_both_languages_have_the_same_keys():
    ru, en = texts("ru").message_ids(), texts("en").message_ids()
    assert ru - en == set(), "missing in English"
    assert en - ru == set(), "missing in Russian"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_has_a_menu_description(language: str):
    t = texts(language)
    for name, _roles in COMMANDS:
        description = t(f"cmd-{name}")
        assert 3 <= len(description) <= 256
        assert "<" not in description


def test_user_text_is_escaped_in_every_language():
    for language in LANGUAGES:
        shown = texts(language)("already-in-team", team='<a href="x">&</a>')
        assert "<a" not in shown
        assert '&lt;a href="x"&gt;&amp;&lt;/a&gt;' in shown


def test_unknown_language_falls_back_to_russian():
    assert texts("de").language == "ru"
    assert texts(None).language == "ru"


def test_missing_key_is_loud():
    with pytest.raises(MissingText):
        texts("en")("no-such-key")


def test_russian_plural_forms_come_from_the_catalog():
    t = texts("ru")
    assert t("role-name", role="head") == "Руководитель отдела продаж"
    assert t("invite-problem", problem="expired").startswith("Срок этого приглашения истёк")
