"""/target and /routine, as the head of sales uses them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from models import MonthlyTarget, RoutineEntry
from models.db import SessionPool
from tests.bot_client import Harness
from tests.scenarios import team_with_managers


async def test_head_sets_team_and_manager_targets(harness: Harness, session_pool: SessionPool):
    head, [ivan, _maria] = await team_with_managers(harness, "Иван", "Мария")
    await head.send("/target")
    assert "Цели по оплатам на ноябрь 2026" in head.last.text
    assert "Команда: <b>не задана</b>" in head.last.text
    await head.press("Команда")
    await head.send("5 млн")
    assert "Цель на ноябрь 2026 для «команды»: 5 000 000" in head.chat[-2].text.replace("\xa0", " ")
    await head.press("Иван")
    await head.send("-100")
    assert "число не может быть отрицательным" in head.last.text
    await head.send("1,5 млн")
    overview = head.last.text.replace("\xa0", " ")
    assert "Иван: 1 500 000" in overview and "Мария: не задана" in overview
    assert "Сумма целей менеджеров: 1 500 000" in overview

    await head.press("Следующий месяц")
    assert "декабрь 2026" in head.last.text
    await head.press("Иван")
    await head.send("2000000")

    async with session_pool() as session:
        rows = {
            (t.member_id is None, t.month, t.amount)
            for t in (await session.execute(select(MonthlyTarget))).scalars()
        }
    assert rows == {
        (True, date(2026, 11, 1), Decimal(5_000_000)),
        (False, date(2026, 11, 1), Decimal(1_500_000)),
        (False, date(2026, 12, 1), Decimal(2_000_000)),
    }

    await ivan.send("/target")
    assert "доступна другой роли" in ivan.last.text
    await ivan.send("/me")
    assert "Цель на месяц: 1 500 000, оплачено 0 (0 %)" in ivan.last.text.replace("\xa0", " ")


async def test_target_buttons_for_other_teams_or_old_months_are_refused(harness: Harness):
    head, _ = await team_with_managers(harness, "Иван")
    await head.send("/target")
    await head.click("target:202601:0:0", message_id=head.last.message_id)
    assert head.alerts[-1].startswith("Эта форма уже закрыта")
    await head.click("target:202611:999:0", message_id=head.last.message_id)
    assert head.alerts[-1].startswith("Эта форма уже закрыта")


async def test_routine_in_two_taps(harness: Harness, session_pool: SessionPool):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await head.send("/routine")
    assert "На этой неделе ещё ничего не отмечено" in head.last.text
    await head.press("Планёрка")
    assert head.alerts[-1] == "✅ Отмечено: планёрка."
    await head.press("Встреча 1:1")
    await head.press("Иван")
    assert "встреча 1:1 с Иван" in head.last.text
    async with session_pool() as session:
        kinds = [
            (e.kind, e.with_member_id is not None)
            for e in (await session.execute(select(RoutineEntry))).scalars()
        ]
    assert kinds == [("planning", False), ("one_on_one", True)]
    await ivan.send("/routine")
    assert "доступна другой роли" in ivan.last.text
