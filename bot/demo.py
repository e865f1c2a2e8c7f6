"""`python -m bot demo`: the bot at work without a token or a network.

Runs the real dispatcher against the offline Bot API stand-in, on its own SQLite file: a head
of sales sets up a team, three managers join, two months of history are added for a team of
six, and then a live day: the prompts, the answers (each manager in their own way), the
reminder and the digest. Written out: the conversation, today's digest and this week's
forecast, as text and PNG.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from sqlalchemy import select

from bot.app import create_dispatcher
from bot.clock import Clock, ManualClock
from bot.config import Settings
from bot.demo_history import seed_history
from bot.i18n import texts
from bot.offline import BotClient, Harness, OfflineBot
from bot.reports import FORECAST_HISTORY, build_digest, build_forecast
from domain.calendar import is_workday
from models import Member, Team
from models.db import SessionPool, create_engine, create_session_pool, migrate
from models.history import load_history
from models.targets import routine_between
from scheduler.jobs import Jobs, run_job

MOSCOW = ZoneInfo("Europe/Moscow")
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def last_workday(today: date) -> date:
    day = today
    while not is_workday(day, "12345", "RU"):
        day -= timedelta(days=1)
    return day


@dataclass
class Transcript:
    names: dict[int, str]
    lines: list[str] = field(default_factory=list)

    def said(self, who: BotClient, what: str) -> None:
        self.lines += ["", f"{who.first_name} → {what}"]

    def bot(self, requests: list[TelegramMethod[Any]]) -> None:
        for request in requests:
            if isinstance(request, SendMessage | EditMessageText) and request.text:
                chat_id = int(request.chat_id) if request.chat_id is not None else 0
                to = self.names.get(chat_id, str(chat_id))
                edited = " (edited)" if isinstance(request, EditMessageText) else ""
                body = plain(request.text).replace("\n", "\n    ")
                self.lines.append(f"  bot → {to}{edited}: {body}")
                markup = request.reply_markup
                rows = getattr(markup, "inline_keyboard", None) or []
                buttons = [button.text for row in rows for button in row]
                if buttons:
                    self.lines.append("    [" + "] [".join(buttons) + "]")

    def note(self, text: str) -> None:
        self.lines += ["", f"── {text} ──"]


def _fresh_database(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("demo.sqlite3*"):
        stale.unlink()
    return out / "demo.sqlite3"


async def run_demo(out: Path, clock: Clock | None = None) -> list[Path]:
    database = _fresh_database(out)
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    await migrate(engine)
    pool = create_session_pool(engine)
    real_today = (clock.now() if clock else datetime.now(MOSCOW)).astimezone(MOSCOW).date()
    day = last_workday(real_today)
    demo_clock = ManualClock(datetime.combine(day, time(9, 0), MOSCOW))
    settings = Settings(_env_file=None, bot_token=None, database_url=url)
    bot = OfflineBot()
    harness = Harness(create_dispatcher(settings, pool, demo_clock), bot)
    people = {
        "olga": harness.user(1, "Ольга"),
        "ivan": harness.user(11, "Иван"),
        "maria": harness.user(12, "Мария"),
        "petr": harness.user(13, "Пётр"),
    }
    log = Transcript({p.user_id: p.first_name for p in people.values()})

    async def send(who: str, text: str) -> None:
        log.said(people[who], text)
        log.bot(await people[who].send(text))

    async def press(who: str, label: str) -> None:
        log.said(people[who], f"[{label}]")
        log.bot(await people[who].press(label))

    jobs = Jobs(bot=bot, pool=pool, storage=harness.dp.storage, clock=demo_clock)

    async def job(name: str, at: time) -> None:
        demo_clock.set(datetime.combine(day, at, MOSCOW))
        log.note(f"{at:%H:%M}: the {name} job runs")
        await run_job(jobs, name)
        log.bot(harness.sync())

    try:
        log.note("The head of sales sets up the team")
        await send("olga", "/start")
        await press("olga", "Создать команду")
        await send("olga", "Ромашка")
        await press("olga", "Москва")
        await press("olga", "Да, я и руководитель")
        for who in ("ivan", "maria", "petr"):
            log.note(f"{people[who].first_name} is invited and joins")
            await send("olga", "/invite")
            await press("olga", "Менеджер")
            link = next(line for line in people["olga"].last.text.splitlines() if "start=" in line)
            await send(who, f"/start {link.split('start=')[1]}")

        log.note("Two months of history are added: six managers, a star, a slump, a vacation")
        async with pool() as session:
            head = await session.scalar(select(Member).where(Member.telegram_id == 1))
            live = list(
                (
                    await session.execute(
                        select(Member)
                        .where(Member.telegram_id.in_([11, 12, 13]))
                        .order_by(Member.telegram_id)
                    )
                ).scalars()
            )
            team = await session.get_one(Team, live[0].team_id)
            assert head is not None
            await seed_history(session, team, head, day, live)
            await session.commit()

        await job("morning", time(9, 30))
        await send("ivan", "30 2 3 5 1 150000")
        await press("ivan", "Подтвердить")
        await send("maria", "нормы")
        await send("maria", "1")
        await send("maria", "200 тыс")
        await press("maria", "Подтвердить")
        await press("petr", "По шагам")
        await press("petr", "норма")
        await send("petr", "2,5")
        await send("petr", "3")
        await press("petr", "норма")
        await press("petr", "норма")
        await send("petr", "1")
        await send("petr", "1,5 млн")
        await press("petr", "Подтвердить")

        await job("evening", time(18, 0))
        await send("ivan", "звонки 18, встречи 2, кп 3, лиды 4, сделки 0, оплаты 0")
        await press("ivan", "Клиенты не отвечали")
        await send("ivan", "Полбазы в отпусках, перезвоню в четверг")
        await press("ivan", "Подтвердить")
        await send("maria", "32 2 4 6 1 210000")
        await press("maria", "Без комментария")
        await press("maria", "Подтвердить")
        await job("remind", time(19, 0))
        await send("petr", "/me")
        await job("digest", time(20, 0))
        await send("olga", "/reasons")
        written = await _reports(pool, out, day, demo_clock)
    finally:
        await bot.session.close()
        await engine.dispose()
    transcript = out / "transcript.txt"
    _write(transcript, "\n".join(log.lines).lstrip() + "\n")
    return [transcript, *written]


async def _reports(pool: SessionPool, out: Path, day: date, clock: ManualClock) -> list[Path]:
    """Today's evening digest and this week's forecast, as the head and the owner get them."""
    t = texts("ru")
    async with pool() as session:
        team = await session.get_one(Team, 1)
        history = await load_history(session, team, day - FORECAST_HISTORY, day)
        routine = await routine_between(session, team.id, day - timedelta(days=14), day)
    reports = {
        "digest": build_digest(t, history, day),
        "forecast": build_forecast(t, history, day, routine, clock.now()),
    }
    written = []
    for name, report in reports.items():
        text_path = out / f"{name}.txt"
        _write(text_path, "\n".join(plain(part) for part in report.parts) + "\n")
        written.append(text_path)
        if report.chart is not None:
            png = out / f"{name}.png"
            png.write_bytes(report.chart)
            written.append(png)
    return written


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
