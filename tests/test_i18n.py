"""The catalogs: complete in both languages, and safe with any user text."""

from __future__ import annotations

import re

import pytest
from fluent.syntax import FluentParser, ast

from bot.i18n import LANGUAGES, LOCALES_DIR, MissingText, texts
from domain.roles import COMMANDS

FTL_ARGUMENT = re.compile(r"\$([a-z_]+)")


def test_both_languages_have_the_same_keys():
    ru, en = texts("ru").message_ids(), texts("en").message_ids()
    assert ru - en == set(), "missing in English"
    assert en - ru == set(), "missing in Russian"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_files_parse_cleanly_and_never_redefine_a_key(language: str):
    """Fluent lets a later file silently replace a key: one file must not clobber another's."""
    seen: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry.content for entry in resource.body if isinstance(entry, ast.Junk)]
        assert junk == [], f"{path.name}: unparseable {junk}"
        for entry in resource.body:
            if isinstance(entry, ast.Message | ast.Term):
                key = entry.id.name
                assert key not in seen, f"{key} in both {seen[key]} and {path.name}"
                seen[key] = path.name


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
