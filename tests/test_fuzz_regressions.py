"""What the hostile-input fuzzing (tests/test_fuzz.py) found, one case each, through the real
aiogram client and the strict fake Bot API: a request Telegram would refuse fails the test, and
so does an exception out of the dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.callbacks import OffAction, OffButton
from bot.clock import ManualClock
from bot.i18n import texts
from models import Absence, DayEntry, Member
from tests.fake_telegram import FakeUser
from tests.live_bot import LiveBot, Reply, invite, join, live_bot

RU = texts("ru")


@pytest.fixture
async def live(database_url: str, clock: ManualClock) -> AsyncIterator[LiveBot]:
    async with live_bot(database_url, clock) as running:
        yield running


def ok(reply: Reply) -> Reply:
    """Telegram took every request the update made, but an edit showing what is shown already
    (a second press), which it refuses as "message is not modified" and the bot expects."""
    refused = [
        (r.method, r.response)
        for r in reply.failed
        if "message is not modified" not in str((r.response or {}).get("description"))
    ]
    assert not refused, refused
    return reply


async def team(live: LiveBot, *, head: bool = True) -> tuple[FakeUser, FakeUser]:
    """Ольга's team «Ромашка» (she is its owner, and its head unless `head=False`) with Иван,
    a manager."""
    olga = live.user(1, "Ольга")
    ivan = live.user(101, "Иван")
    await live.send(olga, "/start")
    await live.press(olga, "Создать команду")
    await live.send(olga, "Ромашка")
    await live.press(olga, "Москва")
    await live.press(olga, "Да, я и руководитель" if head else "Нет, приглашу")
    await join(live, olga, ivan, "Менеджер")
    return olga, ivan


async def double_tap(live: LiveBot, person: FakeUser, label: str) -> tuple[Reply, Reply]:
    """Two presses of one button before the bot answers the first: both queries carry the
    message as it was, buttons and all."""
    message_id, data = live.find_button(person, label)
    first = live.callback_json(person, data, message_id)
    second = live.callback_json(person, data, message_id)
    replies = (
        await live.feed({"callback_query": first}),
        await live.feed({"callback_query": second}),
    )
    for query, reply in zip((first, second), replies, strict=True):
        assert query["id"] in ok(reply).answered_queries
    return replies


async def count(live: LiveBot, table: type, **where: object) -> int:
    async with live.pool() as session:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(getattr(table, column) == value)
        return int(await session.scalar(query) or 0)


# --- forged button data with an id no database column holds ------------------------------------

HUGE = [2**31, 2**63, 10**20]


async def test_buttons_with_ids_beyond_any_row_are_refused_politely(live: LiveBot):
    olga, ivan = await team(live)
    forged = [f"team:card:{n}:0:0" for n in HUGE] + [
        f"member:gh:{HUGE[0]}:1", f"revoke:{HUGE[1]}", f"team_revoke:{HUGE[2]}",
        f"cfg:metric:::{HUGE[0]}", f"cfg:ask:metric-name::{HUGE[1]}",
        f"target:202611:{HUGE[0]}:0", f"routine:one_on_one:{HUGE[2]}",
    ]  # fmt: skip
    await live.send(olga, "/help")
    for data in forged:
        reply = ok(await live.click(olga, data))
        assert reply.alerts, f"{data}: answered with an alert"
    await live.send(ivan, "/off")
    reply = ok(await live.click(ivan, f"off:cancel:0:0::{HUGE[1]}"))
    assert reply.alerts == [RU("form-closed")]


@pytest.mark.parametrize("number", [10**10, 10**20])
async def test_buttons_with_dates_beyond_any_calendar_are_refused_politely(
    live: LiveBot, number: int
):
    olga, ivan = await team(live)
    await live.send(ivan, "/plan")
    for data in (f"day:plan:{number}:ok:", f"off:kind:{number}:{number}:sick:0"):
        assert ok(await live.click(ivan, data)).alerts == [RU("form-closed")], data
    await live.send(olga, "/target")
    assert ok(await live.click(olga, f"target:{number}:0:0")).alerts == [RU("form-closed")]


# --- a second press of the same button ---------------------------------------------------------


async def test_double_tap_on_being_the_head_too(live: LiveBot):
    olga = live.user(1, "Ольга")
    await live.send(olga, "/start")
    await live.press(olga, "Создать команду")
    await live.send(olga, "Ромашка")
    await live.press(olga, "Москва")
    await double_tap(live, olga, "Да, я и руководитель")
    async with live.pool() as session:
        owner = await session.scalar(select(Member).where(Member.telegram_id == olga.id))
        assert owner is not None and owner.is_owner and owner.is_head


async def test_double_tap_on_a_language(live: LiveBot):
    olga, _ = await team(live)
    await live.send(olga, "/lang")
    first, _ = await double_tap(live, olga, "English")
    assert "English" in first.plain(olga.id) or first.alerts


async def test_double_tap_on_revoking_an_invite(live: LiveBot):
    olga, _ = await team(live)
    await invite(live, olga, "Менеджер")
    first, _ = await double_tap(live, olga, "Отозвать приглашение")
    assert first.alerts == [RU("invite-revoked")]


async def test_double_tap_on_a_day_off_stores_it_once(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/off")
    await live.press(ivan, "Завтра")
    await double_tap(live, ivan, "Больничный")
    assert await count(live, Absence, kind="sick") == 1
    menu = ok(await live.send(ivan, "/off"))
    assert menu.plain(ivan.id).count("Отменить") == 1


async def test_double_tap_on_forgetting_me(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/forget")
    await live.press(ivan, "Забыть меня")
    await double_tap(live, ivan, "Да, забыть меня")
    async with live.pool() as session:
        assert await session.scalar(select(Member).where(Member.telegram_id == ivan.id)) is None


async def test_double_tap_on_the_next_months_targets(live: LiveBot):
    olga, _ = await team(live)
    await live.send(olga, "/target")
    await double_tap(live, olga, "Следующий месяц")


async def test_double_tap_on_a_quick_answer(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/plan")
    first, _ = await double_tap(live, ivan, "По нормам")
    assert "Сделки" in first.plain(ivan.id)


async def test_double_tap_on_confirming_a_plan(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/plan")
    await live.send(ivan, "30 2 3 5 1 150000")
    await double_tap(live, ivan, "Подтвердить")
    assert await count(live, DayEntry, kind="plan") == 1


# --- a day's comment or reason full of markup characters ---------------------------------------


@pytest.mark.parametrize("comment", ["&" * 1000, "<" * 999 + "b", "<b>" * 333])
async def test_a_comment_full_of_markup_characters_is_shown_and_kept(live: LiveBot, comment: str):
    olga, ivan = await team(live)
    await live.send(ivan, "/plan")
    await live.send(ivan, "30 2 3 5 1 150000")
    await live.press(ivan, "Подтвердить")
    await live.send(ivan, "/report")
    await live.send(ivan, "10 2 3 5 1 100000")
    await live.press(ivan, "Другое")
    ok(await live.send(ivan, "&" * 600))  # what got in the way, as long as it may be
    card = ok(await live.send(ivan, comment))
    assert comment[:50] in card.plain(ivan.id)
    saved = ok(await live.press(ivan, "Подтвердить"))
    assert "сохранены" in saved.plain(ivan.id)
    async with live.pool() as session:
        entry = await session.scalar(select(DayEntry).where(DayEntry.kind == "fact"))
        assert entry is not None and entry.comment == comment and entry.reason_text == "&" * 500
    digest = ok(await live.send(olga, "/digest"))
    assert "&&&" in digest.plain(olga.id)


async def test_nul_in_a_comment_is_left_out(live: LiveBot):
    """PostgreSQL refuses to store U+0000; nobody means to write it."""
    _, ivan = await team(live)
    await live.send(ivan, "/plan")
    await live.send(ivan, "30 2 3 5 1 150000")
    await live.press(ivan, "Подтвердить")
    await live.send(ivan, "/report")
    await live.send(ivan, "30 2 3 5 1 150000")
    ok(await live.send(ivan, "звонили\x00 весь день"))
    ok(await live.press(ivan, "Подтвердить"))
    async with live.pool() as session:
        entry = await session.scalar(select(DayEntry).where(DayEntry.kind == "fact"))
        assert entry is not None and entry.comment == "звонили весь день"


# --- a hundred numbers that cannot be read ------------------------------------------------------


async def test_many_unreadable_numbers_get_a_short_answer(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/plan")
    reply = ok(await live.send(ivan, " ".join(["звонки 1.5"] * 90)))
    [answer, *_] = reply.texts(ivan.id)
    assert answer.count("• ") == 10 and "\n…\n" in answer
    assert "нужно целое число" in answer


# --- a person's own command typed otherwise ----------------------------------------------------


@pytest.mark.parametrize("typed", ["/PLAN", "/Plan", "/plan@other_bot", "/report@another_bot x"])
async def test_own_command_typed_otherwise_is_unknown_not_another_roles(live: LiveBot, typed: str):
    olga, ivan = await team(live, head=False)
    assert ok(await live.send(ivan, typed)).texts(ivan.id) == [RU("unknown-command")]
    # The owner alone does not plan or report: for her it is another role's command.
    assert ok(await live.send(olga, typed)).texts(olga.id) == [RU("not-your-role")]


async def test_another_roles_command_is_still_refused(live: LiveBot):
    olga, ivan = await team(live, head=False)
    assert ok(await live.send(olga, "/plan")).texts(olga.id) == [RU("not-your-role")]
    assert ok(await live.send(ivan, "/digest")).texts(ivan.id) == [RU("not-your-role")]


# --- commands while creating a team ------------------------------------------------------------


@pytest.mark.parametrize("step", ["name", "timezone"])
async def test_a_command_while_creating_a_team_is_that_command(live: LiveBot, step: str):
    anna = live.user(7, "Анна")
    await live.send(anna, "/start")
    await live.press(anna, "Создать команду")
    if step == "timezone":
        await live.send(anna, "Лютик")
    helped = ok(await live.send(anna, "/help"))
    assert helped.texts(anna.id)[0].startswith(RU("help-newcomer"))
    assert ok(await live.send(anna, "/lang")).buttons(anna.id)
    # The question is still open: the answer that follows is taken.
    if step == "name":
        assert "Лютик" in ok(await live.send(anna, "Лютик")).plain(anna.id)
    created = ok(await live.send(anna, "мск"))
    assert "создана" in created.plain(anna.id)


# --- a forged button with a date in the past ---------------------------------------------------


async def test_forged_day_off_in_the_past_is_refused(live: LiveBot):
    _, ivan = await team(live)
    await live.send(ivan, "/off")
    past = OffButton(action=OffAction.KIND, first=20261101, last=20261102, kind="sick").pack()
    reply = ok(await live.click(ivan, past))
    assert reply.alerts == [RU("form-closed")]
    assert await count(live, Absence) == 0
