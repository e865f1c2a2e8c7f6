"""The head's digest, the owner's forecast and the alerts, as they reach Telegram."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiogram.methods import SendMessage, SendPhoto
from sqlalchemy import select

from bot.clock import ManualClock
from bot.reports import TELEGRAM_LIMIT, split_message
from models import DayEntry, Delivery, EntryValue, Member, Metric, MonthlyTarget
from models.db import SessionPool
from scheduler.jobs import Jobs, run_job
from tests.bot_client import Harness
from tests.scenarios import team_with_managers

MONDAY = date(2026, 11, 23)


async def add_member(session, team_id: int, name: str, telegram_id: int) -> Member:
    member = Member(
        team_id=team_id, telegram_id=telegram_id, full_name=name, username=None, is_owner=False,
        is_head=False, is_manager=True, active=True, joined_at=datetime(2026, 9, 1, tzinfo=UTC),
    )  # fmt: skip
    session.add(member)
    await session.flush()
    return member


async def add_day(session, member: Member, day: date, kind: str, values: dict[str, int]) -> None:
    metrics = {m.key: m for m in (await session.execute(select(Metric))).scalars()}
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    entry = DayEntry(team_id=member.team_id, member_id=member.id, day=day, kind=kind,
                     submitted_at=at, updated_at=at, values=[])  # fmt: skip
    for key, value in values.items():
        entry.values.append(EntryValue(metric_id=metrics[key].id, value=Decimal(value)))
    session.add(entry)


def photos(harness: Harness, chat_id: int) -> list[SendPhoto]:
    return [r for r in harness.bot.requests if isinstance(r, SendPhoto) and r.chat_id == chat_id]


def test_split_keeps_lines_whole_and_under_the_limit():
    text = "\n".join(f"<b>Менеджер {i}</b>: звонки 30/30" for i in range(400))
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= TELEGRAM_LIMIT for part in parts)
    assert "\n".join(parts) == text
    long_line = "слово " * 2000
    assert all(len(p) <= TELEGRAM_LIMIT for p in split_message(long_line))


async def test_digest_when_nobody_reported_says_so(harness: Harness):
    head, _ = await team_with_managers(harness, "Иван", "Мария")
    await head.send("/digest")
    digest = next(t for t in head.texts() if "Сводка за" in t)
    assert "Сегодня никто не прислал итоги." in digest
    assert "Иван: ❗ нет отчёта" in digest


async def test_digest_escapes_names_and_comments_and_sends_a_chart(
    harness: Harness, session_pool: SessionPool
):
    head, [ivan] = await team_with_managers(harness, "<b>Иван</b> & Co")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 100000")
    await ivan.press("Подтвердить")
    await ivan.send("/report")
    await ivan.send("10 1 3 5 0 0")
    await ivan.press("Клиенты не отвечали")
    await ivan.send("<script>alert(1)</script>")
    await ivan.press("Подтвердить")
    await head.send("/digest")
    digest = next(t for t in reversed(head.texts()) if "Сводка за" in t)
    assert "&lt;b&gt;Иван&lt;/b&gt; &amp; Co" in digest
    assert "<script>" not in digest and "&lt;script&gt;" in digest
    assert "Звонки: 10 из 30 (33 %) · норма 33 %" in digest
    assert "ниже нормы (Звонки); сильно ниже своего плана" in digest
    assert len(photos(harness, head.user_id)) == 1


async def test_sixty_managers_digest_splits_safely(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, _ = await team_with_managers(harness)
    async with session_pool() as session:
        for i in range(60):
            member = await add_member(session, 1, f"Менеджер с длинным именем №{i} <{i}>", 5000 + i)
            await add_day(session, member, MONDAY, "plan", {"calls": 30, "revenue": 100000})
            if i % 3:
                await add_day(
                    session, member, MONDAY, "fact", {"calls": 25 + i % 10, "revenue": 90000}
                )
        await session.commit()
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    await run_job(jobs, "digest")
    harness.sync()
    sent = [
        r for r in harness.bot.requests if isinstance(r, SendMessage) and r.chat_id == head.user_id
    ]
    parts = [r.text for r in sent if r.text]
    digest_parts = parts[-3:]
    assert len(sent) >= 2 and all(len(p) <= TELEGRAM_LIMIT for p in parts)
    joined = "\n".join(parts)
    for i in range(60):
        assert f"Менеджер с длинным именем №{i} &lt;{i}&gt;" in joined
    assert all(p.count("<b>") == p.count("</b>") for p in digest_parts)
    assert len(photos(harness, head.user_id)) == 1


async def test_forecast_to_owner_with_history(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    owner, _ = await team_with_managers(harness)
    async with session_pool() as session:
        members = [await add_member(session, 1, f"М{i}", 6000 + i) for i in range(3)]
        day = date(2026, 11, 2)
        while day < MONDAY:
            if day.weekday() < 5 and day != date(2026, 11, 4):
                for m in members:
                    await add_day(
                        session, m, day, "plan", {"calls": 30, "meetings": 2, "revenue": 100000}
                    )
                    await add_day(
                        session, m, day, "fact", {"calls": 30, "meetings": 2, "revenue": 100000}
                    )
            day += timedelta(days=1)
        target = Decimal(6_000_000)
        session.add(
            MonthlyTarget(team_id=1, member_id=None, month=date(2026, 11, 1), amount=target,
                          set_by_id=1, set_at=clock.now())
        )  # fmt: skip
        await session.commit()
    await owner.send("/forecast")
    forecast = next(t for t in reversed(owner.texts()) if "Прогноз на конец месяца" in t)
    text = forecast.replace("\xa0", " ")
    assert "Оплаты с начала месяца: <b>4 200 000</b> из 6 000 000" in text
    assert "Метод:" in text and "Вероятность выполнить цель" in text
    assert "М0: 1 400 000 →" in text
    assert "Рутина руководителя: за неделю не отмечено" in text
    assert len(photos(harness, owner.user_id)) == 1


async def test_plan_under_norm_alerts_the_head_once(harness: Harness):
    head, [ivan] = await team_with_managers(harness, "Иван")
    for _ in range(2):
        await ivan.send("/plan")
        await ivan.send("10 2 3 5 1 100000")
        await ivan.press("Подтвердить")
    alerts = [t for t in head.texts() if "запланировал(а) на сегодня ниже нормы" in t]
    assert alerts == ["⚠️ Иван запланировал(а) на сегодня ниже нормы: Звонки."]


async def test_three_days_under_norm_raise_a_streak_alert(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    async with session_pool() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == ivan.user_id))
        assert member is not None
        member.joined_at = datetime(2026, 11, 1, tzinfo=UTC)
        for day in (date(2026, 11, 19), date(2026, 11, 20)):
            await add_day(session, member, day, "fact", {"calls": 10})
        await session.commit()
    await ivan.send("/report")
    await ivan.send("12 2 3 5 1 0")
    await ivan.press("Без комментария")
    await ivan.press("Подтвердить")
    assert any("3 рабочих дня подряд ниже нормы (Звонки)" in t for t in head.texts())


async def test_team_forecast_under_threshold_alerts_head_and_owner_once(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    owner, _ = await team_with_managers(harness)
    async with session_pool() as session:
        members = [await add_member(session, 1, f"М{i}", 7000 + i) for i in range(2)]
        day = date(2026, 11, 2)
        while day <= MONDAY:
            if day.weekday() < 5 and day != date(2026, 11, 4):
                for m in members:
                    await add_day(session, m, day, "fact", {"calls": 30, "revenue": 50000})
            day += timedelta(days=1)
        target = Decimal(10_000_000)
        session.add(
            MonthlyTarget(team_id=1, member_id=None, month=date(2026, 11, 1), amount=target,
                          set_by_id=1, set_at=clock.now())
        )  # fmt: skip
        await session.commit()
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))
    for _ in range(2):
        await run_job(jobs, "digest")
    harness.sync()
    alerts = [t for t in owner.texts() if t.startswith("📉 Прогноз оплат на конец месяца")]
    assert len(alerts) == 1
    alert = alerts[0].replace("\xa0", " ")
    assert "% цели (10 000 000)" in alert
    # The next morning's /forecast sees the same days and tells the owner the same figure.
    clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    await owner.send("/forecast")
    forecast = next(t for t in reversed(owner.texts()) if "Прогноз на конец месяца:" in t)
    point = re.search(r"Прогноз на конец месяца: <b>([\d ]+)</b>", forecast.replace("\xa0", " "))
    assert point is not None, forecast
    assert f"на конец месяца — {point.group(1)}, это" in alert, (alert, point.group(1))


async def test_a_crash_while_the_digest_is_built_sends_it_once_on_the_next_run(
    harness: Harness, session_pool: SessionPool, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
):
    """The digest is built after its delivery is claimed and before it is marked as being
    sent: a process killed meanwhile leaves it claimed, and the next run sends it, once."""
    import scheduler.jobs

    head, _ = await team_with_managers(harness, "Иван")
    clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # 20:00 in Moscow
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    real_build = scheduler.jobs.build_digest  # type: ignore[attr-defined]

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies in the middle of drawing the chart

    monkeypatch.setattr(scheduler.jobs, "build_digest", killed)
    with pytest.raises(KeyboardInterrupt):
        await run_job(jobs, "digest")
    monkeypatch.setattr(scheduler.jobs, "build_digest", real_build)
    harness.sync()
    assert not any("Сводка за" in text for text in head.texts())
    async with session_pool() as session:
        status = await session.scalar(select(Delivery.status).where(Delivery.kind == "digest"))
    assert status == "claimed"

    report = await run_job(jobs, "digest")
    harness.sync()
    assert report.sent == 1
    assert len([text for text in head.texts() if "Сводка за" in text]) == 1
    assert len(photos(harness, head.user_id)) == 1
    again = await run_job(jobs, "digest")
    assert again.sent == 0 and again.already == 1
