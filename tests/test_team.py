"""/team as the head and the owner manage it: roles, pause, removal, ownership, invites; and
what the people concerned notice (their menu, their prompts, what they are told)."""

from __future__ import annotations

import io
from datetime import date, datetime

from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.i18n import texts
from models import AuditRecord, Member
from models.audit import recent_changes
from models.db import SessionPool
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from tests.bot_client import BotClient, Harness
from tests.conftest import MOSCOW
from tests.scenarios import code_of, create_team, invite_link, join, team_with_managers

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
OUTSIDER_MENU = ["start", "help", "lang", "forget"]


async def member_id(session_pool: SessionPool, person: BotClient) -> int:
    async with session_pool() as session:
        found = await session.scalar(select(Member.id).where(Member.telegram_id == person.user_id))
    assert found is not None
    return found


async def open_card(leader: BotClient, name: str) -> None:
    await leader.send("/team")
    await leader.press("Управлять участниками")
    await leader.press(name)


async def morning_run(
    harness: Harness, session_pool: SessionPool, clock: ManualClock, day: date
) -> set[int]:
    """The scheduler's tick just after the team's 09:30 on `day`: who got a plan prompt."""
    clock.set(datetime(day.year, day.month, day.day, 9, 31, tzinfo=MOSCOW))
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    before = len(harness.bot.requests)
    await Engine(jobs, last_tick=clock.now().replace(minute=29)).tick()
    harness.sync()
    return {
        int(request.chat_id)
        for request in harness.bot.requests[before:]
        if isinstance(request, SendMessage) and request.text.startswith("☀️ <b>План на")
    }


async def report_day(person: BotClient, numbers: str) -> None:
    await person.send("/plan")
    await person.send(numbers)
    await person.press("Подтвердить")
    await person.send("/report")
    await person.send(numbers)
    await person.press("Без комментария")
    await person.press("Подтвердить")


async def audit_lines(session_pool: SessionPool, language: str = "ru") -> list[str]:
    """The team's change history as the /settings history screen renders it."""
    t = texts(language)
    async with session_pool() as session:
        lines = await recent_changes(session, team_id=1)
    return [
        t(f"audit-{line.subject}", actor=line.actor_name, about=line.about_name,
          before=line.before, after=line.after)
        for line in lines
    ]  # fmt: skip


def documents(harness: Harness, chat_id: int) -> list[bytes]:
    sent = []
    for request in harness.bot.requests:
        if isinstance(request, SendDocument) and request.chat_id == chat_id:
            assert isinstance(request.document, BufferedInputFile)
            sent.append(request.document.data)
    return sent


async def test_head_removes_a_manager(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    await report_day(ivan, "30 2 3 5 1 100000")

    await open_card(head, "Иван")
    card = head.last.text
    assert "👤 <b>Иван</b>" in card and "Роли: Менеджер" in card
    assert "В команде с 23 ноября 2026" in card and "✅ в работе" in card
    await head.press("Удалить из команды")
    assert "Удалить из команды «Ромашка»: Иван?" in head.last.text
    assert "Прошлые планы и итоги останутся" in head.last.text
    await head.press("Да, удалить")
    assert head.alerts[-1] == "✅ Участник удалён из команды."
    assert head.last.text.startswith("✅ Иван больше не в команде")
    assert [label for label, _ in head.last.buttons()] == ["Мария — Менеджер"]

    assert ivan.last.text.startswith("👋 Вы больше не состоите в команде «Ромашка»")
    assert "новое приглашение" in ivan.last.text
    assert ivan.menu() == OUTSIDER_MENU

    prompted = await morning_run(harness, session_pool, clock, TUESDAY)
    assert prompted == {maria.user_id}, "the removed manager gets no prompt, the others do"

    await ivan.send("/plan")
    assert "не состоите в команде" in ivan.last.text

    await head.send("/team")
    assert "Иван" not in head.last.text
    assert await audit_lines(session_pool) == ["Ольга удалил(а) из команды: Иван (менеджер)"]

    # A new invite brings the same person back, with their history.
    await ivan.send(f"/start {code_of(await invite_link(head, 'Менеджер'))}")
    assert "Ромашка" in ivan.last.text and "plan" in (ivan.menu() or [])
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 3


async def test_a_removed_managers_numbers_still_count_in_the_month(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    await report_day(ivan, "30 2 3 5 1 100000")
    await report_day(maria, "30 2 3 5 1 50000")
    await open_card(head, "Иван")
    await head.press("Удалить из команды")
    await head.press("Да, удалить")
    clock.set(datetime(2026, 11, 24, 21, 0, tzinfo=MOSCOW))
    await head.send("/digest")
    month = next(line for line in head.last.text.splitlines() if "с начала месяца" in line)
    assert "150 000" in month.replace("\xa0", " ")
    await head.send("/export")
    await head.press("Этот месяц")
    book = load_workbook(io.BytesIO(documents(harness, head.user_id)[0]))
    cells = {cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row}
    assert "Иван (не активен)" in cells, "his days are listed, marked as no longer active"
    summary = list(book.worksheets[1].iter_rows(values_only=True))
    assert summary[-1][0] == "Команда, итого"
    revenue_fact = summary[0].index("Оплаты (₽): Факт")
    assert summary[-1][revenue_fact] == 150000, "the export's month total equals the digest's"


async def test_pause_then_resume(harness: Harness, session_pool: SessionPool, clock: ManualClock):
    head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    await open_card(head, "Мария")
    await head.press("Приостановить")
    assert head.alerts[-1] == "⏸ Участник приостановлен."
    assert "⏸ приостановлен(а)" in head.last.text
    assert [label for label, _ in head.last.buttons()] == [
        "▶️ Вернуть в работу", "🚪 Удалить из команды", "« К списку участников",
    ]  # fmt: skip
    assert "Ольга приостановил(а) ваше участие в команде «Ромашка»" in maria.last.text
    assert maria.menu() == OUTSIDER_MENU
    await maria.send("/plan")
    assert "Ваше участие в команде «Ромашка» приостановлено" in maria.last.text

    assert await morning_run(harness, session_pool, clock, TUESDAY) == {ivan.user_id}
    await head.send("/team")
    assert "Мария:" not in head.last.text, "not in today's status"
    assert "• Мария — Менеджер ⏸ приостановлен(а)" in head.last.text

    await head.press("Управлять участниками")
    await head.press("⏸ Мария")
    await head.press("Вернуть в работу")
    assert head.alerts[-1] == "▶️ Участник снова в работе."
    assert "✅ в работе" in head.last.text
    assert maria.last.text.startswith("▶️ Вы снова в работе в команде «Ромашка»")
    assert "plan" in (maria.menu() or [])

    assert await morning_run(harness, session_pool, clock, WEDNESDAY) == {
        ivan.user_id, maria.user_id,
    }  # fmt: skip
    assert await audit_lines(session_pool) == [
        "Ольга вернул(а) в работу: Мария",
        "Ольга приостановил(а) участие: Мария",
    ]


async def test_a_manager_made_head_gets_the_head_menu_and_loses_it_again(
    harness: Harness, session_pool: SessionPool
):
    owner, [ivan] = await team_with_managers(harness, "Иван")
    await open_card(owner, "Иван")
    await owner.press("Назначить РОП")
    assert owner.alerts[-1] == "✅ Роль РОП назначена."
    assert "Роли: Руководитель отдела продаж, Менеджер" in owner.last.text
    assert "теперь вы — Руководитель отдела продаж, Менеджер" in ivan.last.text
    menu = ivan.menu() or []
    assert {"digest", "team", "routine", "plan"} <= set(menu)
    await ivan.send("/digest")
    assert "Сводка за" in ivan.last.text

    await owner.press("Снять роль РОП")
    assert "теперь вы — Менеджер" in ivan.last.text
    assert "digest" not in (ivan.menu() or []) and "plan" in (ivan.menu() or [])
    await ivan.send("/digest")
    assert "доступна другой роли" in ivan.last.text
    # The last role stays: revoking it is not offered, and a forged press is refused.
    assert not any("Снять роль менеджера" in label for label, _ in owner.last.buttons())
    await owner.click(f"member:rm:{await member_id(session_pool, ivan)}:0", owner.last.message_id)
    assert "последняя роль" in owner.alerts[-1]
    assert await audit_lines(session_pool) == [
        "Ольга изменил(а) роли: Иван — РОП, менеджер → менеджер",
        "Ольга изменил(а) роли: Иван — менеджер → РОП, менеджер",
    ]
    assert await audit_lines(session_pool, "en") == [
        "Ольга changed the roles of Иван: head of sales, manager → manager",
        "Ольга changed the roles of Иван: manager → head of sales, manager",
    ]


async def test_owner_hands_over_the_team(harness: Harness, session_pool: SessionPool):
    olga, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    await open_card(olga, "Иван")
    await olga.press("Передать права собственника")
    assert "Передать права собственника команды «Ромашка»: Иван?" in olga.last.text
    assert "останетесь в команде как Руководитель отдела продаж" in olga.last.text
    await olga.press("Да, передать права")
    assert olga.last.text.startswith("👑 Права собственника команды «Ромашка» переданы: Иван")
    assert "Ольга передал(а) вам права собственника команды «Ромашка»" in ivan.last.text
    assert {"forecast", "team", "plan"} <= set(ivan.menu() or [])
    assert "routine" in (olga.menu() or []) and "plan" not in (olga.menu() or [])

    # The old owner is a head now: the owner's card is closed to her, and so is granting head.
    await open_card(olga, "Иван")
    assert "Собственника команды может изменить только он сам" in olga.last.text
    assert [label for label, _ in olga.last.buttons()] == ["« К списку участников"]
    await olga.click(f"member:gh:{await member_id(session_pool, maria)}:0", olga.last.message_id)
    assert "только собственник" in olga.alerts[-1]
    await olga.send("/forget")
    assert not any("Удалить всю команду" in label for label, _ in olga.last.buttons())

    # The new owner can do what only an owner can.
    await open_card(ivan, "Мария")
    await ivan.press("Назначить РОП")
    assert "Роли: Руководитель отдела продаж, Менеджер" in ivan.last.text
    await ivan.send("/forget")
    assert any("Удалить всю команду" in label for label, _ in ivan.last.buttons())
    lines = await audit_lines(session_pool)
    assert "Ольга передал(а) права собственника: Иван" in lines
    assert "Ольга изменил(а) роли: Ольга — собственник, РОП → РОП" in lines


async def test_revoke_an_open_invite_from_team(harness: Harness, session_pool: SessionPool):
    head, _ = await team_with_managers(harness, "Иван")
    link = await invite_link(head, "Менеджер")
    await head.send("/team")
    assert "✉️ Открытых приглашений: 1" in head.last.text
    await head.press("Открытые приглашения (1)")
    assert "1. Менеджер — до 30 ноября 2026" in head.last.text
    assert "создал(а) Ольга" in head.last.text
    await head.press("Отозвать 1: Менеджер")
    assert head.alerts[-1] == "Приглашение отозвано."
    assert "Открытых приглашений нет" in head.last.text and head.last.buttons() == []

    stranger = harness.user(300, "Пётр")
    await stranger.send(f"/start {code_of(link)}")
    assert stranger.last.text.startswith("Это приглашение отозвано.")
    await head.send("/team")
    assert "Открытых приглашений" not in head.last.text
    assert await audit_lines(session_pool) == ["Ольга отозвал(а) приглашение для роли «менеджер»"]


async def test_forged_and_stale_buttons_change_nothing(harness: Harness, session_pool: SessionPool):
    owner = harness.user(1, "Ольга")
    await create_team(owner, head=False)
    head = harness.user(2, "Наталья")
    await head.send(f"/start {code_of(await invite_link(owner, 'Руководитель отдела продаж'))}")
    ivan = await join(harness, head, 100, "Иван")
    maria = await join(harness, head, 101, "Мария")
    other_owner = harness.user(3, "Пётр")
    await create_team(other_owner, "Лютик")
    stranger = await join(harness, other_owner, 200, "Семён")
    ids = {
        p.user_id: await member_id(session_pool, p) for p in (owner, head, ivan, maria, stranger)
    }

    async def state() -> list[tuple[int, bool, bool, bool, bool]]:
        async with session_pool() as session:
            rows = await session.execute(
                select(
                    Member.id, Member.active, Member.is_owner, Member.is_head, Member.is_manager
                ).order_by(Member.id)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]

    before = await state()
    await ivan.click(f"member:remove:{ids[maria.user_id]}:1", message_id=1)
    assert ivan.alerts[-1].startswith("Управлять составом команды могут только")
    await ivan.click("team:members:0:0:1", message_id=1)
    assert ivan.alerts[-1].startswith("Управлять составом команды могут только")
    await head.click(f"member:pause:{ids[stranger.user_id]}:0", message_id=1)
    assert head.alerts[-1].startswith("Этого участника уже нет в команде")
    await head.click(f"team:card:{ids[stranger.user_id]}:0:0", message_id=1)
    assert head.alerts[-1].startswith("Этого участника уже нет в команде")
    await head.click(f"member:remove:{ids[head.user_id]}:1", message_id=1)
    assert head.alerts[-1].startswith("Себя здесь изменить нельзя")
    await head.click(f"member:remove:{ids[owner.user_id]}:1", message_id=1)
    assert head.alerts[-1] == "Собственника команды может изменить только он сам."
    await head.click(f"member:gh:{ids[ivan.user_id]}:0", message_id=1)
    assert head.alerts[-1].startswith("Назначать и снимать РОП")
    await head.click("member:remove:999999:1", message_id=1)
    assert head.alerts[-1].startswith("Этого участника уже нет в команде")
    await stranger.click(f"member:remove:{ids[ivan.user_id]}:1", message_id=1)
    assert stranger.alerts[-1].startswith("Управлять составом команды могут только")
    assert await state() == before
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(AuditRecord)) == 0

    # The head sees the owner's card but no buttons to change it.
    await open_card(head, "Ольга")
    assert "Собственника команды может изменить только он сам" in head.last.text
    # A card left open after the member was removed: its buttons are stale.
    await open_card(head, "Мария")
    stale = head.last.message_id
    await head.press("Удалить из команды")
    await head.press("Да, удалить")
    await head.click(f"member:pause:{ids[maria.user_id]}:0", message_id=stale)
    assert head.alerts[-1].startswith("Этого участника уже нет в команде")
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(AuditRecord)) == 1


async def test_forgotten_members_name_appears_nowhere(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan, _maria] = await team_with_managers(harness, "Иван Секретов", "Мария")
    await report_day(ivan, "30 2 3 5 1 100000")
    await open_card(head, "Иван Секретов")
    await head.press("Назначить РОП")
    await head.press("Снять роль РОП")
    await ivan.send("/forget")
    await ivan.press("Забыть меня")
    await ivan.press("Да, забыть меня")

    await head.send("/team")
    assert "Секретов" not in head.last.text
    await head.press("Управлять участниками")
    assert not any("Секретов" in label for label, _ in head.last.buttons())
    clock.set(datetime(2026, 11, 23, 21, 0, tzinfo=MOSCOW))
    await head.send("/digest")
    assert "Секретов" not in head.last.text
    await head.send("/export")
    await head.press("Этот месяц")
    xlsx, csv_data = documents(harness, head.user_id)
    book = load_workbook(io.BytesIO(xlsx))
    cells = [
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    ]  # fmt: skip
    assert cells and not any("Секретов" in cell for cell in cells)
    assert "Секретов" not in csv_data.decode("utf-8-sig")
    lines = await audit_lines(session_pool)
    assert len(lines) == 2 and all("Бывший участник" in line for line in lines)
    assert not any("Секретов" in line for line in lines)
    async with session_pool() as session:
        stored = (await session.execute(select(AuditRecord.before, AuditRecord.after))).all()
    assert not any("Секретов" in str(value) for row in stored for value in row)


def test_every_refusal_fits_a_telegram_alert():
    for language in ("ru", "en"):
        t = texts(language)
        for reason in ("not-leader", "gone", "self", "owner", "head", "owner-only", "last-role",
                       "last-owner", "paused", "already", "blocked", "elsewhere"):  # fmt: skip
            assert len(t("team-refused", reason=reason)) <= 200
        for action in ("gh", "rh", "gm", "rm", "pause", "resume", "remove", "owner"):
            assert len(t("team-done", action=action)) <= 200


async def test_everyone_reads_it_in_their_own_language(harness: Harness):
    head, [ivan] = await team_with_managers(harness, "Ivan")
    for person in (head, ivan):
        await person.send("/lang")
        await person.press("English")
    await head.send("/team")
    await head.press("Manage members")
    await head.press("Ivan")
    assert "Roles: Sales manager" in head.last.text and "In the team since" in head.last.text
    await head.press("Pause")
    assert head.alerts[-1] == "⏸ Paused."
    assert "Status: ⏸ paused" in head.last.text
    assert ivan.last.text.startswith("⏸ Ольга paused your participation in “Ромашка”")
    assert ivan.menu() == OUTSIDER_MENU
    assert ("help", texts("en")("cmd-help")) in (ivan.menu_items() or []), "in his language"
    await head.press("Back to work")
    assert ivan.last.text.startswith("▶️ You are back at work in “Ромашка” (Sales manager)")
