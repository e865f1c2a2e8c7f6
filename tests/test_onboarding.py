"""Creating a team, inviting people and joining by link, as users meet it in Telegram."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.roles import Role
from models import Invite, Member, Metric, Team
from models.db import SessionPool
from tests.bot_client import Harness
from tests.scenarios import code_of, create_team, invite_link

OWNER_MENU = [
    "start",
    "help",
    "team",
    "digest",
    "forecast",
    "reasons",
    "invite",
    "target",
    "export",
    "settings",
    "lang",
    "forget",
]
HEAD_MENU = [
    "start",
    "help",
    "team",
    "digest",
    "forecast",
    "reasons",
    "invite",
    "target",
    "routine",
    "export",
    "settings",
    "lang",
    "forget",
]


async def test_owner_creates_team_and_gets_leader_menu(harness: Harness, session_pool: SessionPool):
    owner = harness.user(1, "Ольга", last_name="Петрова", username="olga")
    await owner.send("/start")
    assert "Sales Pulse" in owner.last.text
    assert owner.menu() is None, "a newcomer keeps the default menu"

    await owner.press("Создать команду")
    await owner.send("Ромашка <b>& Co</b>")
    assert "Ромашка &lt;b&gt;&amp; Co&lt;/b&gt;" in owner.last.text, "the name is shown escaped"
    await owner.press("Москва")
    assert "создана" in owner.last.text
    assert owner.menu() == OWNER_MENU

    await owner.press("Да, я и руководитель")
    assert "руководитель отдела продаж" in owner.last.text

    async with session_pool() as session:
        team = (await session.execute(select(Team))).scalar_one()
        member = (await session.execute(select(Member))).scalar_one()
        metrics = (await session.execute(select(Metric).order_by(Metric.position))).scalars()
        assert team.name == "Ромашка <b>& Co</b>"
        assert team.timezone == "Europe/Moscow"
        assert member.full_name == "Ольга Петрова"
        assert member.roles == {Role.OWNER, Role.HEAD}
        assert [m.key for m in metrics] == [
            "calls", "meetings", "proposals", "leads", "deals", "revenue"
        ]  # fmt: skip


async def test_team_name_and_timezone_are_reasked_until_valid(harness: Harness):
    owner = harness.user(1, "Ольга")
    await owner.send("/start")
    await owner.press("Создать команду")
    await owner.send("x" * 65)
    assert "от 1 до 64 символов" in owner.last.text
    await owner.send("   ")
    assert "от 1 до 64 символов" in owner.last.text
    await owner.send("Отдел продаж")
    await owner.send("Mars/Olympus")
    assert "Не узнаю такой часовой пояс" in owner.last.text
    await owner.send("UTC+5")
    assert "UTC+5" in owner.last.text and "создана" in owner.last.text


async def test_manager_joins_by_link_and_leaders_are_told(
    harness: Harness, session_pool: SessionPool
):
    owner = harness.user(1, "Ольга")
    await create_team(owner)
    link = await invite_link(owner, "Менеджер")
    assert link.startswith("https://t.me/sales_pulse_bot?start=")

    manager = harness.user(2, "Иван", last_name="<script>")
    await manager.send(f"/start {code_of(link)}")
    assert "Добро пожаловать в команду <b>Ромашка</b>" in manager.last.text
    assert "09:30" in manager.last.text
    assert manager.menu() == ["start", "help", "plan", "report", "off", "me", "lang", "forget"]
    assert "Иван &lt;script&gt; присоединился" in owner.last.text

    async with session_pool() as session:
        joined = await session.scalar(select(Member).where(Member.telegram_id == 2))
        assert joined is not None and joined.roles == {Role.MANAGER}
        invite = await session.scalar(select(Invite))
        assert invite is not None and invite.used_by_id == joined.id


async def test_manager_cannot_invite_and_outsider_sees_nothing(harness: Harness):
    owner = harness.user(1, "Ольга")
    await create_team(owner, "Секретная команда")
    link = await invite_link(owner, "Менеджер")
    manager = harness.user(2, "Иван")
    await manager.send(f"/start {code_of(link)}")

    await manager.send("/invite")
    assert "доступна другой роли" in manager.last.text
    assert not manager.last.buttons()

    outsider = harness.user(3, "Чужой")
    for command in ("/invite", "/help", "привет"):
        await outsider.send(command)
        assert "Секретная команда" not in outsider.last.text
    await outsider.send("/invite")
    assert "не состоите в команде" in outsider.last.text


async def test_forged_invite_button_from_manager_is_refused(
    harness: Harness, session_pool: SessionPool
):
    owner = harness.user(1, "Ольга")
    await create_team(owner)
    manager = harness.user(2, "Иван")
    await manager.send(f"/start {code_of(await invite_link(owner, 'Менеджер'))}")

    await manager.click("invite:head", message_id=1)
    assert manager.alerts[-1].startswith("Эта форма уже закрыта")
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 1


async def test_bad_codes_are_explained_and_change_nothing(
    harness: Harness, session_pool: SessionPool, clock
):
    owner = harness.user(1, "Ольга")
    await create_team(owner)
    used = code_of(await invite_link(owner, "Менеджер"))
    expired = code_of(await invite_link(owner, "Менеджер"))
    revoked = code_of(await invite_link(owner, "Менеджер"))
    await owner.press("Отозвать")
    assert "отозвано" in owner.last.text

    first = harness.user(2, "Иван")
    await first.send(f"/start {used}")
    stranger = harness.user(3, "Пётр")

    await stranger.send(f"/start {used}")
    assert "уже использовано" in stranger.last.text
    await stranger.send(f"/start {revoked}")
    assert "отозвано" in stranger.last.text
    await stranger.send("/start WRONGCODE123")
    assert "Такого приглашения нет" in stranger.last.text
    await stranger.send("/start <b>bad</b>")
    assert "Такого приглашения нет" in stranger.last.text
    clock.advance(timedelta(days=7, seconds=1))
    await stranger.send(f"/start {expired}")
    assert "Срок этого приглашения истёк" in stranger.last.text

    assert stranger.menu() is None
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 2


async def test_used_invite_cannot_be_revoked_and_link_works_once(harness: Harness):
    owner = harness.user(1, "Ольга")
    await create_team(owner)
    link = await invite_link(owner, "Руководитель")
    head = harness.user(2, "Анна")
    await head.send(f"/start {code_of(link)}")
    assert head.menu() == HEAD_MENU
    await owner.press("Отозвать")
    assert owner.alerts[-1] == "Этим приглашением уже воспользовались — отозвать его нельзя."


async def test_member_of_another_team_cannot_join_second(harness: Harness):
    first_owner = harness.user(1, "Ольга")
    await create_team(first_owner, "Первая")
    second_owner = harness.user(2, "Борис")
    await create_team(second_owner, "Вторая")
    link = await invite_link(second_owner, "Менеджер")
    await first_owner.send(f"/start {code_of(link)}")
    assert "уже состоите в команде «Первая»" in first_owner.last.text


async def test_owner_can_add_manager_role_to_self(harness: Harness, session_pool: SessionPool):
    owner = harness.user(1, "Ольга")
    await create_team(owner, head=False)
    assert owner.menu() == OWNER_MENU
    await owner.send(f"/start {code_of(await invite_link(owner, 'Менеджер'))}")
    async with session_pool() as session:
        member = await session.scalar(select(Member))
        assert member is not None and member.roles == {Role.OWNER, Role.MANAGER}


async def test_language_switch_changes_texts_and_menu(harness: Harness):
    owner = harness.user(1, "Olga")
    await owner.send("/lang")
    await owner.press("English")
    assert owner.last.text == "Done, speaking English now."
    await owner.send("/start")
    assert "Create a team" in owner.last.buttons()[0][0]
    await owner.press("Create a team")
    await owner.send("Acme")
    await owner.press("Moscow")
    await owner.press("Yes")
    await owner.send("/help")
    assert "/invite — Invite to the team" in owner.last.text
    await owner.send("/lang")
    await owner.press("Русский")
    assert ("invite", "Пригласить в команду") in (owner.menu_items() or []), (
        "the menu is refreshed in the new language"
    )


async def test_stale_setup_button_after_team_exists(harness: Harness):
    owner = harness.user(1, "Ольга")
    await create_team(owner)
    asked = next(m for m in owner.chat if "часовом поясе" in m.text)
    await owner.click("setup:tz:1", message_id=asked.message_id)
    assert owner.alerts[-1].startswith("Эта форма уже закрыта")
    await owner.click("setup:begin:0", message_id=owner.chat[0].message_id)
    assert "уже состоите в команде" in owner.alerts[-1]
