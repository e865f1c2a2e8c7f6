"""The manager's plan and report, answered every way a manager answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.clock import ManualClock
from models import DayEntry, EntryChange, EntryValue, Member, Metric
from models.db import SessionPool
from tests.bot_client import Harness
from tests.conftest import MOSCOW
from tests.scenarios import team_with_managers

TODAY = date(2026, 11, 23)


async def stored(
    session_pool: SessionPool, user_id: int, kind: str, day: date = TODAY
) -> dict[str, Decimal]:
    async with session_pool() as session:
        rows = await session.execute(
            select(Metric.key, EntryValue.value)
            .join(EntryValue, EntryValue.metric_id == Metric.id)
            .join(DayEntry, DayEntry.id == EntryValue.entry_id)
            .join(Member, Member.id == DayEntry.member_id)
            .where(Member.telegram_id == user_id, DayEntry.kind == kind, DayEntry.day == day)
        )
        return {key: value for key, value in rows}


async def test_plan_in_one_message(harness: Harness, session_pool: SessionPool):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    assert "План на понедельник, 23 ноября 2026" in ivan.last.text
    await ivan.send("30 2 3 5 1 150к")
    assert "Встречи: <b>2</b>" in ivan.last.text
    await ivan.press("Подтвердить")
    assert ivan.last.text.startswith("✅ План сохранён")
    assert await stored(session_pool, ivan.user_id, "plan") == {
        "calls": Decimal(30), "meetings": Decimal(2), "proposals": Decimal(3),
        "leads": Decimal(5), "deals": Decimal(1), "revenue": Decimal(150000),
    }  # fmt: skip


async def test_plan_by_norms_asks_the_rest_step_by_step(
    harness: Harness, session_pool: SessionPool
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.press("По нормам")
    assert ivan.last.text.startswith("Сделки (5 из 6)")
    await ivan.send("2.5")
    assert "нужно целое число" in ivan.chat[-2].text
    assert ivan.last.text.startswith("Сделки (5 из 6)")
    await ivan.send("2")
    await ivan.send("1,5 млн")
    assert "Оплаты (₽): <b>1 500 000</b>" in ivan.last.text.replace("\xa0", " ")
    await ivan.press("Подтвердить")
    plan = await stored(session_pool, ivan.user_id, "plan")
    assert plan["calls"] == 30 and plan["deals"] == 2 and plan["revenue"] == Decimal(1_500_000)


async def test_step_by_step_with_norm_buttons_and_under_norm_mark(harness: Harness):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.press("По шагам")
    await ivan.press("норма")  # calls 30
    await ivan.send("1")  # meetings under norm 2
    await ivan.press("норма")
    await ivan.press("норма")
    await ivan.send("0")
    await ivan.send("50k")
    card = ivan.last.text
    assert "Встречи: <b>1</b> ⚠️ ниже нормы (2)" in card
    assert "Звонки: <b>30</b>" in card and "⚠️" not in card.split("Звонки")[1].split("\n")[0]


async def test_report_under_plan_asks_reason_and_comment(
    harness: Harness, session_pool: SessionPool
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 150000")
    await ivan.press("Подтвердить")
    await ivan.send("/report")
    assert "Звонки — план 30" in ivan.last.text
    await ivan.send("звонки 20, встречи 2, кп 3, лиды 5, сделки 1, оплаты 100 000")
    assert "Звонки: 20 из 30 по плану" in ivan.last.text
    await ivan.press("Клиент перенёс")
    assert "Комментарий к дню" in ivan.last.text
    await ivan.send("Два клиента на <b>отпуске</b>")
    card = ivan.last.text
    assert "Звонки: <b>20</b> из 30 (67 %)" in card
    assert "Что помешало: Клиент перенёс" in card
    assert "&lt;b&gt;отпуске&lt;/b&gt;" in card
    await ivan.press("Подтвердить")
    assert ivan.last.text.startswith("✅ Итоги дня сохранены")
    async with session_pool() as session:
        entry = await session.scalar(select(DayEntry).where(DayEntry.kind == "fact"))
        assert entry is not None
        assert entry.reason == "postponed" and entry.comment == "Два клиента на <b>отпуске</b>"


async def test_edit_after_confirm_before_digest_is_a_change_not_late(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 150000")
    await ivan.press("Подтвердить")
    await ivan.send("/plan")
    await ivan.press("Изменить")
    await ivan.send("звонки 40")
    assert "Звонки: <b>40</b>" in ivan.last.text
    await ivan.press("Подтвердить")
    clock.set(datetime(2026, 11, 23, 21, 0, tzinfo=MOSCOW))
    await ivan.send("/plan")
    await ivan.press("Изменить")
    await ivan.send("звонки 45")
    await ivan.press("Подтвердить")
    assert "отмечена в истории" in ivan.last.text
    async with session_pool() as session:
        changes = list(
            (await session.execute(select(EntryChange).order_by(EntryChange.id))).scalars()
        )
    assert [c.late for c in changes] == [False, True]
    assert changes[0].before["values"]["calls"] == "30.00"
    assert changes[1].after["values"]["calls"] == "45.00"
    assert (await stored(session_pool, ivan.user_id, "plan"))["calls"] == 45


async def test_typo_is_reasked_and_nothing_is_stored(harness: Harness, session_pool: SessionPool):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("30 2 3")
    assert "нужно 6 чисел по порядку, а пришло 3" in ivan.last.text
    await ivan.send("тридцать")
    assert "Не получилось разобрать" in ivan.last.text
    await ivan.send("-5 2 3 5 1 100")
    assert "Звонки: «-5» — число не может быть отрицательным" in ivan.chat[-2].text
    assert ivan.last.text.startswith("Звонки (1 из 6)"), "the good numbers are kept"
    await ivan.send("1,500")
    assert "непонятно, где дробная часть" in ivan.chat[-2].text
    assert ivan.last.text.startswith("Звонки (1 из 6)")
    assert await stored(session_pool, ivan.user_id, "plan") == {}
    await ivan.send("35")
    assert "Звонки: <b>35</b>" in ivan.last.text
    assert "Встречи: <b>2</b>" in ivan.last.text


async def test_whole_entry_typed_during_steps_is_accepted(harness: Harness):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.press("По шагам")
    await ivan.send("30 2 3 5 1 100000")
    assert "Оплаты (₽): <b>100" in ivan.last.text


async def test_yesterdays_button_is_closed_and_today_offered(harness: Harness, clock: ManualClock):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    old = ivan.last
    clock.advance(timedelta(days=1))
    await ivan.click(old.buttons()[1][1], message_id=old.message_id)
    assert ivan.alerts[-1].startswith("Эта форма уже закрыта")
    assert "План на вторник, 24 ноября 2026" in ivan.last.text


async def test_as_yesterday_copies_the_last_plan(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("31 2 3 5 1 150000")
    await ivan.press("Подтвердить")
    clock.advance(timedelta(days=1))
    await ivan.send("/plan")
    await ivan.send("как вчера")
    await ivan.press("Подтвердить")
    assert (await stored(session_pool, ivan.user_id, "plan", TODAY + timedelta(days=1)))[
        "calls"
    ] == 31


async def test_head_without_manager_role_cannot_plan(harness: Harness):
    head, _ = await team_with_managers(harness)
    await head.send("/plan")
    assert "доступна другой роли" in head.last.text


async def test_two_quick_messages_never_corrupt_the_form(
    harness: Harness, session_pool: SessionPool
):
    import asyncio

    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.press("По шагам")
    await asyncio.gather(ivan.send("31"), ivan.send("3"))
    await ivan.send("4")
    await ivan.send("6")
    await ivan.send("1")
    await ivan.send("0")
    await ivan.press("Подтвердить")
    plan = await stored(session_pool, ivan.user_id, "plan")
    assert plan == {
        "calls": Decimal(31), "meetings": Decimal(3), "proposals": Decimal(4),
        "leads": Decimal(6), "deals": Decimal(1), "revenue": Decimal(0),
    }  # fmt: skip


async def test_huge_or_non_text_messages_get_a_polite_answer(harness: Harness):
    from datetime import UTC
    from datetime import datetime as dt

    from aiogram.types import Chat, Message, Sticker, Update, User

    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("30 " * 2000)
    assert ivan.last.text.startswith("Сообщение слишком длинное")
    sticker = Update(
        update_id=990_001,
        message=Message(
            message_id=5, date=dt.now(UTC), chat=Chat(id=ivan.user_id, type="private"),
            from_user=User(id=ivan.user_id, is_bot=False, first_name="Иван"),
            sticker=Sticker(file_id="x", file_unique_id="x", type="regular", width=1, height=1,
                            is_animated=False, is_video=False),
        ),
    )  # fmt: skip
    await harness.feed(sticker)
    assert ivan.last.text == "Пришлите, пожалуйста, ответ текстом."
    await ivan.send("30 2 3 5 1 0")
    assert "Звонки: <b>30</b>" in ivan.last.text, "the form is still open after the bad input"


async def test_numbers_without_an_open_form_point_to_plan(harness: Harness):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("30 2 3 5 1 0")
    assert "/plan" in ivan.last.text and "/report" in ivan.last.text
