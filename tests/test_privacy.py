"""/forget: a member sees what the bot keeps and can be forgotten; the owner can delete the team."""

from __future__ import annotations

from sqlalchemy import func, select

from models import DayEntry, Member, Team, User
from models.db import SessionPool
from tests.bot_client import Harness
from tests.scenarios import team_with_managers


async def test_forgotten_member_name_appears_nowhere(harness: Harness, session_pool: SessionPool):
    head, [ivan] = await team_with_managers(harness, "Иван Секретов")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 100000")
    await ivan.press("Подтвердить")
    await ivan.send("/forget")
    assert "Иван Секретов" in ivan.last.text and "Планов и отчётов: 1" in ivan.last.text
    await ivan.press("Забыть меня")
    await ivan.press("Да, забыть меня")
    assert ivan.last.text.startswith("Готово: бот забыл")

    async with session_pool() as session:
        names = list((await session.execute(select(Member.full_name))).scalars())
        assert not any("Секретов" in name for name in names)
        member = await session.scalar(
            select(Member).where(Member.full_name.like("Бывший участник%"))
        )
        assert member is not None and member.telegram_id is None and member.username is None
        assert not member.active
        assert await session.scalar(select(func.count()).select_from(DayEntry)) == 1, "numbers stay"
        assert await session.get(User, ivan.user_id) is None

    await head.send("/digest")
    assert "Секретов" not in head.last.text
    await head.send("/export")
    await head.press("Этот месяц")
    await ivan.send("/plan")
    assert "не состоите в команде" in ivan.last.text


async def test_only_owner_must_delete_team_or_hand_it_over(
    harness: Harness, session_pool: SessionPool
):
    owner, _ = await team_with_managers(harness, "Иван")
    await owner.send("/forget")
    await owner.press("Забыть меня")
    assert "единственный собственник" in owner.last.text
    await owner.send("/forget")
    await owner.press("Удалить всю команду")
    await owner.press("Да, удалить команду")
    assert "удалена со всеми данными" in owner.last.text
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Team)) == 0
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


async def test_manager_cannot_press_delete_team(harness: Harness, session_pool: SessionPool):
    _owner, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.click("privacy:delete_team_ok", message_id=1)
    assert "форма уже закрыта" in ivan.last.text
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Team)) == 1


async def test_team_status_at_a_glance(harness: Harness):
    head, [ivan, maria, _petr] = await team_with_managers(harness, "Иван", "Мария", "Пётр <i>")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 0")
    await ivan.press("Подтвердить")
    await maria.send("/off")
    await maria.press("Сегодня")
    await maria.press("Выходной")
    await head.send("/team")
    text = head.last.text
    assert "📝 Иван: план есть, итогов пока нет" in text
    assert "🌴 Мария: отсутствует" in text
    assert "⏳ Пётр &lt;i&gt;: пока не ответил(а)" in text
    assert "без ответа: 1, отсутствуют: 1" in text
    assert "• Ольга — Собственник, Руководитель отдела продаж" in text
    await ivan.send("/team")
    assert "доступна другой роли" in ivan.last.text
