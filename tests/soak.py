"""A quarter of a sales department, simulated: fifty managers, their head and the owner talk
to the real dispatcher through the offline bot while the real engine ticks on an injected
clock. People behave at random but plausibly (a seeded `random.Random`); the simulation keeps
its own ledger of what each of them meant to enter and who should hear what, and every
simulated day checks what the bot sent and stored against that ledger and against sums read
straight from the database. Driven by tests/test_soak.py.

Times of day are the team's wall-clock times; the team moves from Moscow to Yekaterinburg
once, late on a Saturday, so the clock never runs backwards.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import create_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from bot.offline import BotClient, Harness, OfflineBot, OfflineSession
from bot.storage import SqlStorage
from domain.calendar import is_workday
from domain.daily import percent
from models import Absence, DayEntry, EntryChange, EntryValue, Member, Metric, MonthlyTarget
from models.db import SessionPool
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from tests.scenarios import code_of, create_team, invite_link

SEED = 20260901
# From a Monday, the day after the team is set up, so nobody starts with a missed day.
FIRST_DAY = date(2026, 8, 31)
LAST_DAY = date(2026, 11, 30)
MANAGERS = 50
MOSCOW = "Europe/Moscow"
YEKATERINBURG = "Asia/Yekaterinburg"
OWNER_ID, HEAD_ID, FIRST_MANAGER_ID = 1, 2, 100


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Антон Алина Борис Вера Глеб Дарья Егор Жанна Захар Инна Кирилл Лариса Макар Нина Олег "
    "Полина Роман Светлана Тимур Ульяна Филипп Христина Юрий Яна Аркадий Берта Виктор Галина "
    "Денис Ева Игнат Клара Леонид Марина Никита Оксана Павел Раиса Семён Таисия Устин Фаина "
    "Эдуард Юлия Ярослав Богдан Василиса Геннадий Диана Елисей"
)
SURNAMES = _words(
    "Абрамов Белова Воронов Гусева Дьяконов Ершова Жуков Зайцева Исаев Карпова Лебедев Мухина "
    "Носков Орлова Павлов Родина Соболев Титова Уваров Фомина Харитонов Цветкова Чернов Шарова "
    "Щукин Яковлева Андреев Баранова Власов Громова Давыдов Егорова Журавлёв Зуева Ильин Киселёва "
    "Лаптев Миронова Никонов Осипова Прохоров Рябова Савин Тарасова Ушаков Фролова Хромов Царёва "
    "Шубин Юдина"
)

COMMENTS = (
    "Клиенты в отпусках, дозвониться сложно",
    "Два КП ушли на согласование",
    "Хороший день, закрыл сделку с <ООО «Вектор»>",
    "Много входящих — исходящих меньше",
    "Счёт > 100 000 & скидка 5 %",
    "Пересобрал базу для холодных звонков",
)
REASONS = ("Клиенты не отвечали", "Клиент перенёс", "Внутренние задачи", "Болел(а)", "Другое")

# What the jobs send, by how their texts begin (bot/locales/ru/main.ftl).
PREFIXES = (
    ("☀️ <b>План на", "morning"),
    ("🌙 <b>Итоги дня,", "evening"),
    ("⏰ Напоминание: план", "morning_reminder"),
    ("⏰ Напоминание: итоги", "evening_reminder"),
    ("📊 <b>Сводка за", "digest"),
    ("🔮 <b>Прогноз на конец месяца", "forecast"),
    ("🚫 ", "alert"),
    ("⚠️ ", "alert"),
    ("📉 ", "alert"),
)
PROMPTS = ("morning", "morning_reminder", "evening", "evening_reminder")
SAVED = (
    "✅ План сохранён",
    "✅ Итоги дня сохранены",
    "✅ Изменение сохранено",
    "Ничего не изменилось",
)
NUMBER = r"\d[\d\xa0]*(?:,\d+)?"


def amount(text: str) -> Decimal:
    """A number as the catalogs render it ("1 500 000,5" with no-break spaces)."""
    return Decimal(text.replace("\xa0", "").replace(",", "."))


def whole(value: Decimal) -> Decimal:
    """`bot.day_views.money`'s rounding: forecasts show whole units."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


class BlockingSession(OfflineSession):
    """The offline Bot API, where a person can block the bot: Telegram then answers 403 to
    anything sent to their chat. `refused` holds the indices of those requests."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: set[int] = set()
        self.refused: set[int] = set()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        chat = getattr(method, "chat_id", None)
        if isinstance(chat, int) and chat in self.blocked:
            self.requests.append(method)
            self.results.append(None)
            self.refused.add(len(self.requests) - 1)
            response = Response[Any](
                ok=False, error_code=403, description="Forbidden: bot was blocked by the user"
            )
            self.check_response(
                bot=bot, method=method, status_code=403, content=response.model_dump_json()
            )
        return await super().make_request(bot, method, timeout)


@dataclass
class Leave:
    first: date
    last: date
    created: datetime
    cancelled: datetime | None = None

    def covers(self, day: date, now: datetime) -> bool:
        live = self.created <= now and (self.cancelled is None or self.cancelled > now)
        return live and self.first <= day <= self.last


@dataclass
class MetricRef:
    key: str
    label: str
    kind: str
    norm: Decimal | None
    words: tuple[str, ...]  # how people name it in labelled entries


@dataclass
class Manager:
    client: BotClient
    member_id: int
    name: str
    calls: int  # usual calls a day
    revenue: int  # usual size of a payment
    punctual: float  # answers a prompt before its reminder
    silent: float  # does not answer at all that day
    status: str = "active"  # active | paused | removed
    head: bool = False
    blocking: bool = False  # has blocked the bot: Telegram refuses what is sent to them
    marked: bool = False  # the bot knows: a send was refused and they have not written since
    fresh: str | None = None  # the form a prompt opened, untouched since ("plan" / "fact")
    seen: int = 6  # metrics listed by the last prompt they read
    leave: list[Leave] = field(default_factory=list)

    @property
    def chat(self) -> int:
        return self.client.user_id


@dataclass
class Figures:
    days: int = 0
    days_checked: int = 0
    workdays: int = 0
    updates: int = 0
    ticks: int = 0
    entries: int = 0
    edits: int = 0
    late_edits: int = 0
    typos: int = 0
    abandoned: int = 0
    leaves: int = 0
    cancelled_leaves: int = 0
    prompts: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    digests: int = 0
    forecasts: int = 0
    exports: int = 0
    alerts: int = 0
    chronic_lines: int = 0
    findings: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return (
            f"simulated days {self.days} ({self.workdays} workdays), engine ticks {self.ticks}, "
            f"updates fed {self.updates}, entries saved {self.entries} "
            f"(edits {self.edits}, after the digest {self.late_edits}), re-asked typos "
            f"{self.typos}, forms left unconfirmed {self.abandoned}, leaves {self.leaves} "
            f"(cancelled {self.cancelled_leaves}); prompts sent {dict(self.prompts)}, refused "
            f"(bot blocked) {self.refused}, alerts {self.alerts}, digest lines of long gaps "
            f"{self.chronic_lines}; checked: digests "
            f"{self.digests}, forecasts {self.forecasts}, exports {self.exports}; "
            f"findings {dict(self.findings) or 'none'}"
        )


@dataclass
class Stored:
    """The team's plans and facts as the database holds them, summed here, not by the app."""

    values: dict[tuple[int, date, str], dict[str, Decimal]]
    members: dict[int, Member]
    absences: list[Absence]
    targets: dict[int | None, Decimal]

    def on_leave(self, member_id: int, day: date) -> bool:
        return any(
            a.member_id == member_id and a.cancelled_at is None and a.first_day <= day <= a.last_day
            for a in self.absences
        )

    def managers(self) -> list[Member]:
        """Active managers in the order reports list them."""
        chosen = [m for m in self.members.values() if m.is_manager and m.active]
        return sorted(chosen, key=lambda m: (m.full_name, m.id))

    def value(self, member_id: int, day: date, kind: str, key: str) -> Decimal:
        return self.values.get((member_id, day, kind), {}).get(key, Decimal(0))

    def total(self, key: str, kind: str, first: date, last: date) -> Decimal:
        return sum(
            (
                values.get(key, Decimal(0))
                for (_m, day, entry_kind), values in self.values.items()
                if entry_kind == kind and first <= day <= last
            ),
            Decimal(0),
        )

    def member_total(self, member_id: int, key: str, kind: str, first: date, last: date) -> Decimal:
        return sum(
            (
                values.get(key, Decimal(0))
                for (m, day, entry_kind), values in self.values.items()
                if m == member_id and entry_kind == kind and first <= day <= last
            ),
            Decimal(0),
        )


Action = Callable[[], Awaitable[None]]


@dataclass(order=True)
class Event:
    at: time
    order: int
    action: Action = field(compare=False)


def _parse_lines(text: str, title: str) -> list[str]:
    """The lines of a report section, from its bold title to the next blank line."""
    lines = text.split("\n")
    start = lines.index(title) + 1
    section = []
    for line in lines[start:]:
        if not line.strip():
            break
        section.append(line)
    return section


class Quarter:
    def __init__(self, url: str, pool: SessionPool, last_day: date = LAST_DAY) -> None:
        self.last_day = last_day
        self.rng = random.Random(SEED)
        self.pool = pool
        self.zone = MOSCOW
        self.clock = ManualClock(datetime(2026, 8, 30, 12, 0, tzinfo=ZoneInfo(MOSCOW)))
        self.bot = OfflineBot()
        self.session = BlockingSession()
        self.bot.session = self.session
        settings = Settings(_env_file=None, bot_token=None, database_url=url)
        dp = create_dispatcher(settings, pool, self.clock)
        self.harness = Harness(dp, self.bot)
        jobs = Jobs(bot=self.bot, pool=pool, storage=SqlStorage(pool, self.clock), clock=self.clock)
        self.engine = Engine(jobs, last_tick=self.clock.now())
        self.figures = Figures()
        self.managers: list[Manager] = []
        self.by_chat: dict[int, Manager] = {}
        self.metrics: list[MetricRef] = []
        self.team_id = 0
        # What people meant to enter: (member, day, "plan"/"fact") -> values.
        self.ledger: dict[tuple[int, date, str], dict[str, Decimal]] = {}
        # Who was shown each job's message today: (kind, day) -> member ids.
        self.shown: dict[tuple[str, date], set[int]] = defaultdict(set)
        self.job_sends: Counter[tuple[int, str, date]] = Counter()
        self.alerts_seen: Counter[tuple[int, str]] = Counter()
        self.late_edits_made = 0
        self.exported: tuple[Any, ...] | None = None
        self.last_now = self.clock.now()

    # --- people and the clock ------------------------------------------------------------

    @property
    def owner(self) -> BotClient:
        return self.harness.clients[OWNER_ID]

    @property
    def head(self) -> BotClient:
        return self.harness.clients[HEAD_ID]

    def heads(self) -> list[BotClient]:
        return [self.head] + [m.client for m in self.managers if m.head and m.status == "active"]

    def local(self) -> datetime:
        return self.clock.now().astimezone(ZoneInfo(self.zone))

    def today(self) -> date:
        return self.local().date()

    def set_time(self, day: date, at: time) -> None:
        moment = datetime.combine(day, at, ZoneInfo(self.zone)).astimezone(UTC)
        assert moment >= self.last_now, f"the clock would run backwards to {moment}"
        self.clock.set(moment)
        self.last_now = moment

    def sent_since(self, start: int) -> list[tuple[TelegramMethod[Any], bool]]:
        requests = self.bot.requests
        return [(requests[i], i in self.session.refused) for i in range(start, len(requests))]

    async def act(self, person: BotClient, step: Callable[[], Awaitable[Any]]) -> None:
        """One thing a person does (a message or a press), and what it made the bot send."""
        start = len(self.bot.requests)
        await step()
        self.figures.updates += 1
        manager = self.by_chat.get(person.user_id)
        if manager is not None:
            manager.fresh = None
            manager.marked = False  # writing to the bot again means it is unblocked
        self._check_side_effects(person, self.sent_since(start))

    async def send(self, person: BotClient, text: str) -> None:
        await self.act(person, lambda: person.send(text))

    async def press(self, person: BotClient, label: str) -> None:
        await self.act(person, lambda: person.press(label))

    def _check_side_effects(
        self, person: BotClient, sent: list[tuple[TelegramMethod[Any], bool]]
    ) -> None:
        """An update answers its sender; others hear only alerts (leaders) or notices about
        their membership; nobody paused or removed hears anything else."""
        leaders = {c.user_id for c in self.heads()} | {OWNER_ID}
        for request, _refused in sent:
            if not isinstance(request, SendMessage | SendPhoto | SendDocument):
                continue
            chat = int(request.chat_id)
            if chat == person.user_id:
                continue
            text = getattr(request, "text", None) or ""
            if chat in leaders:
                if text.startswith(("⚠️ ", "📉 ", "🚫 ")):
                    self._alert(chat, text)
                continue
            target = self.by_chat[chat]
            assert person.user_id in leaders, (person.user_id, chat, text)
            assert "команд" in text, f"{target.name} was sent {text!r}"

    def _alert(self, chat: int, text: str) -> None:
        self.figures.alerts += 1
        key = (chat, f"{self.today()}:{text}")
        self.alerts_seen[key] += 1
        assert self.alerts_seen[key] == 1, f"alert twice to {chat}: {text}"

    # --- setting up -----------------------------------------------------------------------

    async def setup(self) -> None:
        owner = self.harness.user(OWNER_ID, "Ольга", last_name="Владимировна")
        await create_team(owner, "Пульс продаж", head=False)
        head = self.harness.user(HEAD_ID, "Максим", last_name="Руководов")
        link = await invite_link(owner, "Руководитель отдела продаж")
        await head.send(f"/start {code_of(link)}")
        names = [f"{first} {last}" for first, last in zip(FIRST_NAMES, SURNAMES, strict=True)]
        assert len(set(names)) == MANAGERS
        assert not any(a != b and a in b for a in names for b in names)
        for index, name in enumerate(names):
            first, last = name.split()
            client = self.harness.user(FIRST_MANAGER_ID + index, first, last_name=last)
            await client.send(f"/start {code_of(await invite_link(head, 'Менеджер'))}")
        async with self.pool() as session:
            members = {m.telegram_id: m for m in (await session.execute(select(Member))).scalars()}
        self.team_id = members[OWNER_ID].team_id
        for index, name in enumerate(names):
            chat = FIRST_MANAGER_ID + index
            assert members[chat].full_name == name and members[chat].is_manager
            manager = Manager(
                client=self.harness.clients[chat],
                member_id=members[chat].id,
                name=name,
                calls=self.rng.randint(24, 42),
                revenue=self.rng.choice((40, 60, 80, 120, 150, 200, 300)) * 1000,
                punctual=self.rng.uniform(0.55, 0.95),
                silent=self.rng.uniform(0.0, 0.08),
            )
            self.managers.append(manager)
            self.by_chat[chat] = manager
        await self.load_metrics()
        self.harness.sync()

    async def load_metrics(self) -> None:
        async with self.pool() as session:
            rows = (
                await session.execute(
                    select(Metric)
                    .where(Metric.team_id == self.team_id, Metric.active.is_(True))
                    .order_by(Metric.position)
                )
            ).scalars()
            labels = {
                "calls": ("Звонки", ("звонки", "звонков")),
                "meetings": ("Встречи", ("встречи", "встреч")),
                "proposals": ("КП", ("кп",)),
                "leads": ("Лиды", ("лиды", "лидов")),
                "deals": ("Сделки", ("сделки", "сделок")),
                "revenue": ("Оплаты (₽)", ("оплаты", "выручка")),
            }
            self.metrics = [
                MetricRef(
                    m.key,
                    m.label or labels[m.key][0],
                    m.kind,
                    m.daily_norm,
                    (m.label.lower(),) if m.label else labels[m.key][1],
                )
                for m in rows
            ]

    # --- what people type -----------------------------------------------------------------

    def token(self, metric: MetricRef, value: Decimal, *, spaced: bool) -> str:
        """One value as a person types it; `spaced`: where a value may hold spaces."""
        if metric.kind != "money":
            return str(int(value))
        if value != value.to_integral_value():
            cents = f"{value:.2f}"
            grouped = f"{int(value):,}".replace(",", " ") + "," + cents[-2:]
            return self.rng.choice([cents.replace(".", ","), cents] + ([grouped] if spaced else []))
        n = int(value)
        options = [str(n)]
        if n and n % 1000 == 0:
            options += [f"{n // 1000}к", f"{n // 1000}k", f"{n // 1000} тыс"]
        if n >= 1_000_000 and n % 100_000 == 0:
            millions = f"{Decimal(n) / 1_000_000:f}"
            millions = millions.rstrip("0").rstrip(".") if "." in millions else millions
            options += [f"{millions.replace('.', ',')} млн", f"{millions}m"]
        if spaced and n >= 1000:
            options.append(f"{n:,}".replace(",", " "))
        return self.rng.choice(options)

    def entry(self, values: dict[str, Decimal], metrics: list[MetricRef]) -> str:
        """All values in one message: on a line, on lines, with semicolons, or labelled."""
        style = self.rng.choice(("line", "line", "line", "lines", "semicolons", "labels"))
        if style == "labels":
            parts = []
            for metric in metrics:
                word = self.rng.choice(metric.words)
                value = self.token(metric, values[metric.key], spaced=True)
                if metric.kind == "count" and self.rng.random() < 0.3:
                    parts.append(f"{value} {word}")
                else:
                    parts.append(f"{word} {value}")
            self.rng.shuffle(parts)
            return ", ".join(parts)
        tokens = [self.token(m, values[m.key], spaced=style != "line") for m in metrics]
        return {"line": " ", "lines": "\n", "semicolons": "; "}[style].join(tokens)

    def typo(self, values: dict[str, Decimal]) -> str:
        """Something the bot must ask again about, never store."""
        counts = " ".join(str(int(values[m.key])) for m in self.metrics[:3])
        return self.rng.choice((counts, f"{counts} 1,500", "звонки -5", "хлеб 30"))

    def plan_values(self, manager: Manager) -> dict[str, Decimal]:
        r = self.rng
        values = {
            "calls": Decimal(max(10, round(r.gauss(manager.calls, 4)))),
            "meetings": Decimal(r.choice((1, 2, 2, 3))),
            "proposals": Decimal(r.choice((2, 3, 3, 4))),
            "leads": Decimal(r.choice((3, 5, 5, 6))),
            "deals": Decimal(r.choice((0, 1, 1, 2))),
            "revenue": Decimal(manager.revenue * r.choice((1, 1, 2, 3)) // 10_000 * 10_000),
        }
        return self._with_new_metrics(values)

    def fact_values(self, manager: Manager, plan: dict[str, Decimal] | None) -> dict[str, Decimal]:
        r = self.rng
        base = plan or self.plan_values(manager)
        paid = r.random()
        if paid < 0.4:
            revenue = Decimal(0)
        elif paid < 0.5:
            revenue = Decimal(r.randint(100_000, 50_000_000)) / 100  # with kopecks
        elif paid < 0.53:
            revenue = Decimal(r.choice((1_500_000, 2_000_000, 1_200_000)))  # a big one
        else:
            revenue = Decimal(round(r.gauss(manager.revenue, manager.revenue / 3) / 1000) * 1000)
        values = {
            "calls": Decimal(max(0, round(r.gauss(float(base["calls"]), 7)))),
            "meetings": Decimal(max(0, int(base["meetings"]) + r.choice((-1, 0, 0, 1)))),
            "proposals": Decimal(max(0, int(base["proposals"]) + r.choice((-1, 0, 1)))),
            "leads": Decimal(max(0, int(base["leads"]) + r.choice((-2, -1, 0, 1)))),
            "deals": Decimal(r.choice((0, 0, 1, 1, 2))),
            "revenue": max(Decimal(0), revenue),
        }
        return self._with_new_metrics(values)

    def _with_new_metrics(self, values: dict[str, Decimal]) -> dict[str, Decimal]:
        for metric in self.metrics:
            values.setdefault(metric.key, Decimal(self.rng.choice((0, 1, 2, 3))))
        return values

    # --- a form, driven to the end as a person would ---------------------------------------

    async def fill(
        self,
        manager: Manager,
        kind: str,
        want: dict[str, Decimal],
        *,
        typed: str | None = None,
        type_first: bool = False,
        abandon: bool = False,
    ) -> str | None:
        """Answer whatever the form asks until it is saved (returns the closing text), or
        leave it on the card when `abandon`. `typed` is the first numbers message;
        `type_first`: the form is open already (a prompt just came), so type right away."""
        person = manager.client
        day = self.today()
        metrics = {m.label: m for m in self.metrics}
        first_entry = True
        asked_again = False
        for step in range(30):
            text = "" if type_first and step == 0 else person.last.text
            seen_before = len(person.chat)
            if text.startswith(SAVED):
                self.ledger[(manager.member_id, day, kind)] = {
                    m.key: want[m.key] for m in self.metrics
                }
                self.figures.entries += 1
                return text
            if not text or text.startswith(
                ("☀️ <b>План на", "🌙 <b>Итоги дня,", "Не получилось разобрать")
            ):
                if typed is not None and first_entry:
                    message = typed
                elif first_entry and self.rng.random() < 0.05:
                    message = self.typo(want)
                else:
                    seen = self.metrics[: manager.seen]
                    message = self.entry(want, seen)
                first_entry = False
                await self.send(person, message)
            elif match := re.match(r"^(.+) \((\d+) из (\d+)\)\?", text):
                metric = metrics[match.group(1)]
                buttons = [label for label, _ in person.last.buttons()]
                suggested = next(iter(buttons), None)
                value = want[metric.key]
                shown = suggested.split(" — ")[0] if suggested else None
                if shown is not None and amount(shown) == value and self.rng.random() < 0.6:
                    await self.press(person, suggested or "")
                else:
                    await self.send(person, self.token(metric, value, spaced=True))
            elif text.endswith("Что помешало?"):
                await self.press(person, self.rng.choice(REASONS))
            elif text.startswith("Напишите коротко, что помешало."):
                await self.send(person, "Не было нужного прайса")
            elif text.startswith("Комментарий к дню"):
                if self.rng.random() < 0.3:
                    await self.send(person, self.rng.choice(COMMENTS))
                else:
                    await self.press(person, "Без комментария")
            elif text.startswith(("📋 <b>План на", "📊 <b>Итоги:")):
                if asked_again and not self._card_shows(text, want):
                    # A re-ask kept the values it could read: the person fixes the rest.
                    await self.press(person, "Изменить")
                    continue
                self._check_card(text, want)
                if abandon:
                    self.figures.abandoned += 1
                    return None
                await self.press(person, "Подтвердить")
            else:
                raise AssertionError(f"{manager.name}, {kind}: unexpected {text!r}")
            for answer in person.chat[seen_before:]:
                if answer.text.startswith("Не получилось разобрать"):
                    asked_again = True
                    manager.seen = len(self.metrics)
                    self.figures.typos += 1
                    if "повторные встречи" in answer.text:
                        self.figures.findings["labelled entry naming 'Повторные встречи'"] += 1
        raise AssertionError(f"{manager.name}: the {kind} form never closed")

    def _card_values(self, text: str) -> dict[str, Decimal]:
        labels = {m.label: m.key for m in self.metrics}
        shown = {}
        for line in text.split("\n")[1:]:
            match = re.match(rf"^(.+?): <b>({NUMBER})</b>", line)
            if match and match.group(1) in labels:
                shown[labels[match.group(1)]] = amount(match.group(2))
        return shown

    def _card_shows(self, text: str, want: dict[str, Decimal]) -> bool:
        return self._card_values(text) == {
            m.key: want[m.key] for m in self.metrics if m.key in want
        }

    def _check_card(self, text: str, want: dict[str, Decimal]) -> None:
        """The confirmation card shows exactly what the person meant."""
        assert self._card_shows(text, want), (self._card_values(text), want)

    # --- a manager's day ------------------------------------------------------------------

    def at_work(self, manager: Manager) -> bool:
        day, now = self.today(), self.clock.now()
        return (
            manager.status == "active"
            and not manager.blocking
            and not any(leave.covers(day, now) for leave in manager.leave)
        )

    def previous_plan(self, manager: Manager, day: date) -> dict[str, Decimal] | None:
        days = [
            d for (m, d, k) in self.ledger if m == manager.member_id and k == "plan" and d < day
        ]
        return self.ledger[(manager.member_id, max(days), "plan")] if days else None

    async def plan(self, manager: Manager, route: str) -> None:
        """The morning plan: typed into the prompt, via /plan, or from the reminder."""
        if not self.at_work(manager):
            return
        day = self.today()
        if (manager.member_id, day, "plan") in self.ledger:
            return
        want = self.plan_values(manager)
        typed = None
        quick = self.rng.random()
        previous = self.previous_plan(manager, day)
        type_first = route == "prompt" and manager.fresh == "plan"
        if type_first:
            pass
        elif route == "reminder" and manager.member_id in self.shown[("morning_reminder", day)]:
            await self.press(manager.client, "Заполнить план")
        else:
            await self.send(manager.client, "/plan")
        manager.seen = len(self.metrics) if manager.fresh is None else manager.seen
        if quick < 0.12:
            norms = {m.key: m.norm for m in self.metrics if m.norm is not None}
            want = {**want, **norms}
            if self.rng.random() < 0.5:
                await self.press(manager.client, "По нормам")
                type_first = False
            else:
                typed = "по нормам"
        elif quick < 0.22 and previous is not None:
            want = {**want, **previous}
            if self.rng.random() < 0.5:
                await self.press(manager.client, "Как вчера")
                type_first = False
            else:
                typed = "как вчера"
        elif quick < 0.27:
            await self.press(manager.client, "По шагам")
            type_first = False
        abandon = self.rng.random() < 0.03
        await self.fill(manager, "plan", want, typed=typed, type_first=type_first, abandon=abandon)

    async def report(self, manager: Manager, route: str) -> None:
        if not self.at_work(manager):
            return
        day = self.today()
        if (manager.member_id, day, "fact") in self.ledger:
            return
        want = self.fact_values(manager, self.ledger.get((manager.member_id, day, "plan")))
        type_first = route == "prompt" and manager.fresh == "fact"
        if type_first:
            pass
        elif route == "reminder" and manager.member_id in self.shown[("evening_reminder", day)]:
            await self.press(manager.client, "Внести итоги")
        else:
            await self.send(manager.client, "/report")
        if self.rng.random() < 0.05:
            await self.press(manager.client, "По шагам")
            type_first = False
        abandon = self.rng.random() < 0.02
        await self.fill(manager, "fact", want, type_first=type_first, abandon=abandon)

    async def edit(self, manager: Manager, kind: str) -> None:
        """Change a submitted plan or report: all numbers again, or just one or two."""
        day = self.today()
        stored = before = self.ledger.get((manager.member_id, day, kind))
        if before is None or not self.at_work(manager):
            return
        await self.send(manager.client, "/plan" if kind == "plan" else "/report")
        fresh = self.plan_values(manager) if kind == "plan" else self.fact_values(manager, None)
        card = manager.client.last.text
        if not card.startswith(("📋 <b>План на", "📊 <b>Итоги:")):
            # A metric added since: the form asks for it first, then shows the card.
            before = {
                **before,
                **{m.key: fresh[m.key] for m in self.metrics if m.key not in before},
            }
            await self.fill(manager, kind, before, abandon=True)
            self.figures.abandoned -= 1
            card = manager.client.last.text
        self._check_card(card, before)
        await self.press(manager.client, "Изменить")
        changed = self.rng.sample(self.metrics, 2)
        if self.rng.random() < 0.5:
            want = dict(fresh)
            typed = self.entry(want, self.metrics)
        else:
            want = {**fresh, **before, **{m.key: fresh[m.key] for m in changed}}
            typed = ", ".join(
                f"{m.words[0]} {self.token(m, want[m.key], spaced=True)}" for m in changed
            )
        closing = await self.fill(manager, kind, want, typed=typed)
        late = self.local().time() >= time(20, 0)
        self.figures.edits += 1
        if want == stored:
            assert closing is not None and closing.startswith("Ничего не изменилось"), closing
        elif late:
            self.figures.late_edits += 1
            self.late_edits_made += 1
            assert closing is not None and closing.startswith("✅ Изменение сохранено"), closing
        else:
            assert closing is not None and closing.startswith(SAVED[:2]), closing

    async def take_leave(self, manager: Manager, how: str) -> None:
        if not self.at_work(manager):
            return
        person, today = manager.client, self.today()
        await self.send(person, "/off")
        if how in ("today", "tomorrow"):
            await self.press(person, "Сегодня" if how == "today" else "Завтра")
            kind = self.rng.choice(("Больничный", "Выходной"))
            first = last = today if how == "today" else today + timedelta(days=1)
        else:
            await self.press(person, "Другие даты")
            first = today + timedelta(days=self.rng.randint(3, 12))
            last = first + timedelta(days=self.rng.randint(1, 8))
            await self.send(person, f"{first:%d.%m}-{last:%d.%m}")
            kind = "Отпуск"
        await self.press(person, kind)
        assert (
            "Больничный" in person.last.text
            or "Выходной" in person.last.text
            or ("Отпуск" in person.last.text)
        ), person.last.text
        manager.leave.append(Leave(first, last, self.clock.now()))
        self.figures.leaves += 1

    async def cancel_leave(self, manager: Manager) -> None:
        today, now = self.today(), self.clock.now()
        listed = [lv for lv in manager.leave if lv.cancelled is None and lv.last >= today]
        if len(listed) != 1 or not self.at_work(manager) or listed[0].first <= today:
            return
        await self.send(manager.client, "/off")
        await self.press(manager.client, "Отменить")
        listed[0].cancelled = now
        self.figures.cancelled_leaves += 1

    def manager_day(self, manager: Manager, day: date) -> list[Event]:
        """When this manager does what today (each step checks, when it comes, that they are
        still at work)."""
        r, events = self.rng, []

        def at(hour: int, low: int, high: int | None = None) -> time:
            minute = r.randint(low, high if high is not None else low)
            return (datetime.combine(day, time(hour)) + timedelta(minutes=minute)).time()

        def add(when: time, action: Action) -> None:
            events.append(Event(when, 5, action))

        silent = r.random() < manager.silent
        u = r.random()
        if r.random() < 0.004:
            add(at(8, 0, 80), lambda: self.take_leave(manager, "today"))
        if not silent:
            if u < 0.05:
                add(at(8, 30, 55), lambda: self.plan(manager, "command"))
            elif u < 0.05 + manager.punctual * 0.9:
                add(at(9, 35, 85), lambda: self.plan(manager, "prompt"))
            elif u < 0.97:
                add(at(10, 35, 150), lambda: self.plan(manager, "reminder"))
        if r.random() < 0.003:
            add(at(11, 0, 240), lambda: self.take_leave(manager, "today"))
        if r.random() < 0.03:
            add(at(12, 0, 240), lambda: self.edit(manager, "plan"))
        if r.random() < 0.004:
            add(at(16, 0, 90), lambda: self.take_leave(manager, "tomorrow"))
        if r.random() < 0.0025:
            add(at(13, 0, 180), lambda: self.take_leave(manager, "range"))
        pending = [lv for lv in manager.leave if lv.cancelled is None and lv.first > day]
        if pending and r.random() < 0.15:
            add(at(12, 0, 300), lambda: self.cancel_leave(manager))
        v = r.random()
        if not silent:
            if v < 0.04:
                add(at(17, 0, 55), lambda: self.report(manager, "command"))
            elif v < 0.04 + manager.punctual * 0.85:
                add(at(18, 5, 54), lambda: self.report(manager, "prompt"))
            elif v < 0.92:
                add(at(19, 5, 54), lambda: self.report(manager, "reminder"))
            elif v < 0.97:
                add(at(20, 10, 150), lambda: self.report(manager, "command"))
        if r.random() < 0.05:
            add(at(19, 56, 59) if r.random() < 0.4 else at(20, 15, 170),
                lambda: self.edit(manager, "fact"))  # fmt: skip
        return events

    # --- the engine, and what it sent -----------------------------------------------------

    def expected_prompts(self, kind: str, day: date) -> set[int]:
        """Whom a prompt or reminder job should try to reach now, from the ledger."""
        entry = "plan" if kind.startswith("morning") else "fact"
        prompt = kind.removesuffix("_reminder")
        now = self.clock.now()
        due = set()
        for m in self.managers:
            if m.status != "active" or m.marked:
                continue
            if any(leave.covers(day, now) for leave in m.leave):
                continue
            if (m.member_id, day, entry) in self.ledger:
                continue
            if kind != prompt and m.member_id not in self.shown[(prompt, day)]:
                continue
            due.add(m.member_id)
        return due

    async def tick(self, purpose: str | None, day: date) -> None:
        """One engine tick at a moment of the schedule (`purpose`, None on a day off), and
        the check of everything it sent."""
        expected = self.expected_prompts(purpose, day) if purpose in PROMPTS else set()
        heads = [c.user_id for c in self.heads()]
        start = len(self.bot.requests)
        await self.engine.tick()
        self.harness.sync()
        self.figures.ticks += 1
        sent = self.sent_since(start)
        by_kind: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        current: dict[int, str] = {}
        for request, refused in sent:
            if not isinstance(request, SendMessage | SendPhoto):
                continue
            chat = int(request.chat_id)
            text = request.text if isinstance(request, SendMessage) else "<chart>"
            kind = _kind(text)
            if kind is None:
                kind = current.get(chat)  # the next part of a long digest or forecast, a chart
                assert kind in ("digest", "forecast"), f"unexpected {text[:80]!r} to {chat}"
            current[chat] = kind
            if kind == "alert":
                assert chat in heads or chat == OWNER_ID, (chat, text)
                self._alert(chat, text)
                continue
            if refused:
                manager = self.by_chat[chat]
                assert manager.blocking and kind in PROMPTS, (manager.name, kind)
                manager.marked = True
                self.figures.refused += 1
                for head in heads:  # told once each time someone blocks the bot
                    self._expect_blocked_alert(sent, head, manager)
                continue
            by_kind[kind][chat].append(text)
        for kind, chats in by_kind.items():
            assert kind == purpose, (purpose, kind, day)
            for chat, texts in chats.items():
                if kind in PROMPTS:
                    assert len(texts) == 1, (kind, chat, texts)
                    manager = self.by_chat[chat]
                    self.shown[(kind, day)].add(manager.member_id)
                    if kind in ("morning", "evening"):
                        manager.fresh = "plan" if kind == "morning" else "fact"
                        manager.seen = len(self.metrics)
                    self.figures.prompts[kind] += 1
                self.job_sends[(chat, kind, day)] += 1
                assert self.job_sends[(chat, kind, day)] == 1, f"{kind} twice to {chat} on {day}"
        if purpose in PROMPTS:
            tried = {
                self.by_chat[int(r.chat_id)].member_id
                for r, _ in sent
                if isinstance(r, SendMessage) and _kind(r.text) == purpose
            }
            assert tried == expected, (
                f"{purpose} on {day}: missing {self._names(expected - tried)}, "
                f"extra {self._names(tried - expected)}"
            )
        if purpose == "digest":
            assert set(by_kind["digest"]) == set(heads), (day, set(by_kind["digest"]), heads)
            await self.check_digest(day, by_kind["digest"])
        if "forecast" in by_kind or (purpose == "forecast"):
            assert set(by_kind["forecast"]) == {OWNER_ID}, (day, set(by_kind["forecast"]))
            await self.check_forecast(day, by_kind["forecast"][OWNER_ID])

    def _names(self, member_ids: set[int]) -> list[str]:
        return sorted(m.name for m in self.managers if m.member_id in member_ids)

    def _expect_blocked_alert(
        self, sent: list[tuple[TelegramMethod[Any], bool]], head: int, manager: Manager
    ) -> None:
        told = [
            r
            for r, _ in sent
            if isinstance(r, SendMessage)
            and int(r.chat_id) == head
            and r.text.startswith(f"🚫 {manager.name} заблокировал(а) бота")
        ]
        assert len(told) == 1, (manager.name, head, told)

    # --- reading the database -------------------------------------------------------------

    async def stored(self, first: date, last: date) -> Stored:
        async with self.pool() as session:
            rows = await session.execute(
                select(
                    DayEntry.member_id, DayEntry.day, DayEntry.kind, Metric.key, EntryValue.value
                )
                .join(EntryValue, EntryValue.entry_id == DayEntry.id)
                .join(Metric, Metric.id == EntryValue.metric_id)
                .where(
                    DayEntry.team_id == self.team_id,
                    DayEntry.day >= first,
                    DayEntry.day <= last,
                    Metric.active.is_(True),
                )
            )
            values: dict[tuple[int, date, str], dict[str, Decimal]] = defaultdict(dict)
            for member_id, day, kind, key, value in rows:
                values[(member_id, day, kind)][key] = value
            members = {
                m.id: m
                for m in (
                    await session.execute(select(Member).where(Member.team_id == self.team_id))
                ).scalars()
            }
            absences = list(
                (
                    await session.execute(select(Absence).where(Absence.team_id == self.team_id))
                ).scalars()
            )
            targets = {
                t.member_id: t.amount
                for t in (
                    await session.execute(
                        select(MonthlyTarget).where(
                            MonthlyTarget.team_id == self.team_id,
                            MonthlyTarget.month == last.replace(day=1),
                        )
                    )
                ).scalars()
            }
        return Stored(dict(values), members, absences, targets)

    # --- the digest -----------------------------------------------------------------------

    async def check_digest(self, day: date, copies: dict[int, list[str]]) -> None:
        """Team totals, month to date and every manager's line against the database."""
        texts = {
            chat: "\n".join(t for t in parts if t != "<chart>") for chat, parts in copies.items()
        }
        for chat, parts in copies.items():
            assert parts.count("<chart>") == 1, (chat, day)
            assert sum(p.startswith("📊 <b>Сводка за") for p in parts) == 1, (chat, day)
        digest = next(iter(texts.values()))
        assert all(text == digest for text in texts.values()), "every head reads the same digest"
        db = await self.stored(day.replace(day=1), day)
        managers = db.managers()
        at_work = [m for m in managers if not db.on_leave(m.id, day)]
        reported = [m for m in at_work if (m.id, day, "fact") in db.values]
        if reported:
            lines = _parse_lines(digest, "<b>Команда</b>")
            assert len(lines) == len(self.metrics), lines
            for metric, line in zip(self.metrics, lines, strict=True):
                match = re.match(rf"^(.+): ({NUMBER}) из ({NUMBER})(?: \((\d+) %\))?", line)
                assert match, line
                fact = sum((db.value(m.id, day, "fact", metric.key) for m in at_work), Decimal(0))
                plan = sum((db.value(m.id, day, "plan", metric.key) for m in at_work), Decimal(0))
                assert match.group(1) == metric.label, line
                assert (amount(match.group(2)), amount(match.group(3))) == (fact, plan), (
                    f"{day} {line}: the database says {fact} of {plan}"
                )
                share = percent(fact, plan)
                assert (int(match.group(4)) if match.group(4) else None) == share, line
        else:
            assert "Сегодня никто не прислал итоги." in digest
        mtd = db.total("revenue", "fact", day.replace(day=1), day)
        match = re.search(
            rf"💰 Оплаты с начала месяца: <b>({NUMBER})</b>(?: из ({NUMBER}))?", digest
        )
        assert match, digest
        assert amount(match.group(1)) == mtd, f"{day}: month to date {match.group(1)}, db {mtd}"
        target = db.targets.get(None)
        if target is None:
            own = [db.targets[m.id] for m in managers if m.id in db.targets]
            target = sum(own, Decimal(0)) if own else None
        shown_target = amount(match.group(2)) if match.group(2) else None
        assert shown_target == target, (day, shown_target, target)
        # One line per active manager, most urgent first; known long gaps are one short line
        # without numbers ("🟠 … давно ниже нормы"); a pace to the target may follow (" · ").
        by_name: dict[str, str] = {}
        for line in _parse_lines(digest, "<b>Менеджеры</b>"):
            match = re.match(r"^(?:🟢|🔴|⚪|🌴|🟠) (.+?): ", line)
            assert match and match.group(1) not in by_name, line
            by_name[match.group(1)] = line
        assert set(by_name) == {m.full_name for m in managers}, set(by_name) ^ {
            m.full_name for m in managers
        }
        for member in managers:
            name = member.full_name
            line = by_name[name]
            if line.startswith(f"🟠 {name}: давно ниже нормы"):
                self.figures.chronic_lines += 1
            elif db.on_leave(member.id, day):
                assert line == f"🌴 {name}: отсутствует", line
            elif (member.id, day, "fact") not in db.values:
                assert line.startswith(f"⚪ {name}: ❗ нет отчёта"), line
            else:
                assert line.startswith((f"🟢 {name}: ", f"🔴 {name}: ")), line
                shown = line.split(": ", 1)[1].split(" — ")[0].split(" · ")[0]
                for part, key in zip(shown.split(", "), ("calls", "revenue"), strict=True):
                    numbers = part.rsplit(" ", 1)[1].split("/")
                    assert amount(numbers[0]) == db.value(member.id, day, "fact", key), line
                    if len(numbers) == 2:
                        assert amount(numbers[1]) == db.value(member.id, day, "plan", key), line
                    else:
                        assert (member.id, day, "plan") not in db.values, line
        self.figures.digests += 1

    # --- the forecast ---------------------------------------------------------------------

    async def check_forecast(self, day: date, parts: list[str]) -> None:
        """Month to date before today, for the team and each manager; the forecast shows
        whole units (`day_views.money`), so the stored sums are rounded the same way."""
        assert parts.count("<chart>") == 1, day
        assert sum(p.startswith("🔮 <b>Прогноз") for p in parts) == 1, day
        text = "\n".join(p for p in parts if p != "<chart>")
        first = day.replace(day=1)
        db = await self.stored(first, day)
        before = day - timedelta(days=1)
        mtd = db.total("revenue", "fact", first, before)
        match = re.search(rf"Оплаты с начала месяца: <b>({NUMBER})</b>", text)
        assert match, text
        assert amount(match.group(1)) == whole(mtd), f"{day}: forecast mtd {match.group(1)}, {mtd}"
        lines = _parse_lines(text, "<b>По менеджерам</b> (факт → прогноз)")
        managers = db.managers()
        assert len(lines) == len(managers), (day, len(lines), len(managers))
        for member, line in zip(managers, lines, strict=True):
            match = re.match(rf"^(.+): ({NUMBER}) → ", line)
            assert match and match.group(1) == member.full_name, line
            own = db.member_total(member.id, "revenue", "fact", first, before)
            assert amount(match.group(2)) == whole(own), (line, own)
        self.figures.forecasts += 1

    # --- the export -----------------------------------------------------------------------

    async def check_export(self) -> None:
        """/export for this month: the CSV's rows, the XLSX day sheet and its totals sheet
        against the database, to the kopeck."""
        day = self.today()
        first = day.replace(day=1)
        start = len(self.bot.requests)
        await self.send(self.head, "/export")
        await self.press(self.head, "Этот месяц")
        files = [
            r.document.data
            for r, _ in self.sent_since(start)
            if isinstance(r, SendDocument) and isinstance(r.document, BufferedInputFile)
        ]
        assert len(files) == 2, "an XLSX and a CSV"
        xlsx, csv_data = files
        db = await self.stored(first, day)
        active = {m.id for m in db.managers()}
        labels = {m.key: m.label for m in self.metrics}

        def name_of(member_id: int) -> str:
            member = db.members[member_id]
            return member.full_name + ("" if member_id in active else " (не активен)")

        want: dict[tuple[str, str, str], list[Decimal | None]] = {}
        for (member_id, entry_day, kind), values in db.values.items():
            for key, value in values.items():
                row = want.setdefault(
                    (entry_day.isoformat(), name_of(member_id), labels[key]), [None, None]
                )
                row[0 if kind == "plan" else 1] = value
        rows = list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["Дата", "Менеджер", "Показатель", "План", "Факт"]
        got = {
            (d, n, label): [Decimal(p) if p else None, Decimal(f) if f else None]
            for d, n, label, p, f in rows[1:]
        }
        assert len(got) == len(rows) - 1, "one row per manager, day and metric"
        assert got == want, f"{day}: the CSV differs from the database: {_diff(got, want)}"
        book = load_workbook(io.BytesIO(xlsx), read_only=True, data_only=True)
        sheet_rows = list(book["По дням"].iter_rows(min_row=2, values_only=True))
        xlsx_days = {
            (d.date().isoformat(), n, label): [_dec(p), _dec(f)] for d, n, label, p, f in sheet_rows
        }
        assert xlsx_days == want, f"{day}: the XLSX day sheet differs: {_diff(xlsx_days, want)}"
        summary = list(book["Итоги периода"].iter_rows(values_only=True))
        header = list(summary[0])
        people = {row[0]: row for row in summary[1:-1]}
        total = summary[-1]
        assert total[0] == "Команда, итого"
        people_ids = {name_of(m) for m in {m for (m, _d, _k) in db.values} | active}
        assert set(people) == people_ids, set(people) ^ people_ids
        for metric in self.metrics:
            for kind, column in (("plan", "План"), ("fact", "Факт")):
                index = header.index(f"{metric.label}: {column}")
                team = db.total(metric.key, kind, first, day)
                assert _dec(total[index]) == team, (day, metric.key, kind, total[index], team)
                for member_id in {m for (m, _d, _k) in db.values} | active:
                    own = db.member_total(member_id, metric.key, kind, first, day)
                    assert _dec(people[name_of(member_id)][index]) == own, (member_id, metric.key)
        book.close()
        self.figures.exports += 1

    # --- the day's own invariants ---------------------------------------------------------

    async def end_of_day(self, day: date, workday: bool) -> None:
        """What was stored today is what people meant; then the month-to-date export. On a
        day off nobody is asked anything and the stored numbers must be exactly those the
        last export was checked against, which proves the export of that day as well
        (building the spreadsheet is the costliest part of a quiet day)."""
        db = await self.stored(day, day)
        stored_today = {k: v for k, v in db.values.items() if k[1] == day}
        meant = {k: v for k, v in self.ledger.items() if k[1] == day}
        assert stored_today == meant, f"{day}: stored {_diff(stored_today, meant)}"
        month_end = (day + timedelta(days=1)).month != day.month
        if workday or month_end or day == self.last_day or self.exported is None:
            await self.check_export()
            self.exported = await self.fingerprint()
        else:
            assert await self.fingerprint() == self.exported, f"{day}: numbers changed on a day off"
        self.figures.days_checked += 1

    async def fingerprint(self) -> tuple[Any, ...]:
        async with self.pool() as session:
            row = (
                await session.execute(
                    select(
                        func.count(EntryValue.id),
                        func.sum(EntryValue.value),
                        func.max(DayEntry.updated_at),
                    ).join(DayEntry, DayEntry.id == EntryValue.entry_id)
                )
            ).one()
        return tuple(row)

    # --- scripted moments of the quarter ----------------------------------------------------

    async def open_card(self, leader: BotClient, name: str) -> None:
        await self.send(leader, "/team")
        await self.press(leader, "Управлять участниками")
        while not any(name in label for label, _ in leader.last.buttons()):
            await self.press(leader, "Дальше »")
        await self.press(leader, name)

    async def set_target(self, who: str, text: str, *, next_month: bool = False) -> None:
        await self.send(self.owner, "/target")
        if next_month:
            await self.press(self.owner, "Следующий месяц")
        await self.press(self.owner, who)
        await self.send(self.owner, text)
        assert self.owner.chat[-2].text.startswith("✅ Цель на"), self.owner.chat[-2].text

    async def targets_for_september(self) -> None:
        await self.set_target("Команда", "12 млн")
        for manager in self.managers[:5]:
            await self.set_target(manager.name, self.rng.choice(("1,5 млн", "800 000", "900к")))

    async def targets_for_october(self) -> None:
        await self.set_target("Команда", "13,5 млн", next_month=True)

    async def targets_for_november(self) -> None:
        """No team target: the digest's target is the sum of the managers'."""
        for manager in self.managers:
            if manager.status == "active":
                amount_text = self.rng.choice(("250 000", "300к", "0,4 млн", "350000"))
                await self.set_target(manager.name, amount_text, next_month=True)

    async def pause(self, manager: Manager) -> None:
        await self.open_card(self.head, manager.name)
        await self.press(self.head, "Приостановить")
        manager.status = "paused"
        assert "приостановил(а) ваше участие" in manager.client.last.text

    async def remove(self, manager: Manager) -> None:
        await self.open_card(self.head, manager.name)
        await self.press(self.head, "Удалить из команды")
        await self.press(self.head, "Да, удалить")
        manager.status = "removed"

    async def make_head(self, manager: Manager, grant: bool) -> None:
        await self.open_card(self.owner, manager.name)
        await self.press(self.owner, "Назначить РОП" if grant else "Снять роль РОП")
        manager.head = grant

    async def add_metric(self) -> None:
        head = self.head
        await self.send(head, "/settings")
        await self.press(head, "Показатели и нормы")
        await self.press(head, "Добавить показатель")
        await self.send(head, "Повторные встречи")
        await self.press(head, "Количество")
        await self.press(head, "Норма")
        await self.send(head, "2")
        assert "Норма «Повторные встречи»: <b>2</b>" in head.last.text, head.last.text
        await self.load_metrics()
        assert self.metrics[-1].label == "Повторные встречи"

    async def move_east(self) -> None:
        await self.send(self.head, "/settings")
        await self.press(self.head, "Часовой пояс")
        await self.press(self.head, "Екатеринбург")
        self.zone = YEKATERINBURG

    async def restart(self) -> None:
        """The process restarts: a new engine catches up from local midnight, and everything
        already sent today stays sent once."""
        self.engine = Engine(self.engine.jobs)
        await self.tick("restart", self.today())

    async def block(self, manager: Manager) -> None:
        manager.blocking = True
        self.session.blocked.add(manager.chat)

    async def unblock(self, manager: Manager) -> None:
        """They unblock the bot and write to it: the plan, if not sent yet."""
        manager.blocking = False
        self.session.blocked.discard(manager.chat)
        await self.plan(manager, "command")
        if (manager.member_id, self.today(), "plan") in self.ledger:
            return
        await self.send(manager.client, "/me")

    def script(self) -> dict[date, list[Event]]:
        """The quarter's fixed moments, in team-local time."""
        paused, blocker, returning, promoted = (self.managers[i] for i in (7, 21, 33, 12))
        moments: list[tuple[date, time, Action]] = [
            (date(2026, 9, 1), time(8, 0), self.targets_for_september),
            (date(2026, 9, 14), time(12, 0), lambda: self.pause(paused)),
            (date(2026, 9, 21), time(7, 0), lambda: self.block(returning)),
            (date(2026, 9, 28), time(13, 0), lambda: self.unblock(returning)),
            (date(2026, 9, 29), time(15, 0), self.targets_for_october),
            (date(2026, 10, 1), time(11, 0), lambda: self.remove(paused)),
            (date(2026, 10, 5), time(11, 0), lambda: self.make_head(promoted, True)),
            (date(2026, 10, 7), time(12, 0), self.restart),
            (date(2026, 10, 14), time(10, 0), self.add_metric),
            (date(2026, 10, 17), time(21, 0), self.move_east),
            (date(2026, 10, 20), time(11, 0), lambda: self.make_head(promoted, False)),
            (date(2026, 10, 30), time(15, 0), self.targets_for_november),
            (date(2026, 11, 10), time(7, 0), lambda: self.block(blocker)),
            (date(2026, 11, 18), time(19, 30), self.restart),
            (date(2026, 11, 23), time(7, 0), lambda: self.block(returning)),
        ]
        script: dict[date, list[Event]] = defaultdict(list)
        for day, at, action in moments:
            script[day].append(Event(at, 3, action))
        return script

    # --- the quarter ----------------------------------------------------------------------

    async def run(self) -> Figures:
        script = self.script()
        day = FIRST_DAY
        while day <= self.last_day:
            await self.run_day(day, script.get(day, []))
            day += timedelta(days=1)
        await self.final_checks()
        return self.figures

    async def run_day(self, day: date, scripted: list[Event]) -> None:
        workday = is_workday(day, "12345", "RU")
        self.figures.days += 1
        self.figures.workdays += workday
        events = list(scripted)

        def tick_at(at: time, purpose: str | None) -> None:
            jitter = timedelta(minutes=self.rng.randint(0, 3))
            when = (datetime.combine(day, at) + jitter).time()
            events.append(Event(when, 0, lambda: self.tick(purpose, day)))

        if day.isoweekday() == 1:
            tick_at(time(9, 0), "forecast")
        moments = (
            (time(9, 30), "morning"),
            (time(10, 30), "morning_reminder"),
            (time(18, 0), "evening"),
            (time(19, 0), "evening_reminder"),
            (time(20, 0), "digest"),
        )
        for at, purpose in moments:
            if workday or at in (time(9, 30), time(20, 0)):
                tick_at(at, purpose if workday else None)
        if workday:
            for manager in self.managers:
                if manager.status == "active":
                    events += self.manager_day(manager, day)
        events.append(Event(time(23, 30), 9, lambda: self.end_of_day(day, workday)))
        for event in sorted(events):
            self.set_time(day, event.at)
            await event.action()
        for client in self.harness.clients.values():
            del client.chat[:-40]  # what people scroll back to; keeps presses cheap

    async def final_checks(self) -> None:
        assert self.figures.days_checked == self.figures.days
        async with self.pool() as session:
            late = (
                await session.execute(select(EntryChange).where(EntryChange.late.is_(True)))
            ).scalars()
            assert len(list(late)) == self.late_edits_made, "every late edit is marked late"
        assert self.figures.digests == self.figures.workdays, "a digest every workday"
        mondays = sum(
            (FIRST_DAY + timedelta(days=n)).isoweekday() == 1
            for n in range((self.last_day - FIRST_DAY).days + 1)
        )
        assert self.figures.forecasts == mondays, "a forecast every Monday"


def _kind(text: str) -> str | None:
    return next((kind for prefix, kind in PREFIXES if text.startswith(prefix)), None)


def _dec(value: object) -> Decimal | None:
    """A spreadsheet cell as a Decimal (floats only ever hold kopecks here)."""
    if value is None:
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(int(str(value)))


def _diff(got: dict[Any, Any], want: dict[Any, Any]) -> str:
    keys = sorted(set(got) | set(want), key=str)
    wrong = [(k, got.get(k), want.get(k)) for k in keys if got.get(k) != want.get(k)]
    return f"{len(wrong)} differences, first: {wrong[:3]}"
