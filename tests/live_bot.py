"""The real dispatcher and the real aiogram client, talking over HTTP to the fake Bot API in
strict mode: a reply whose markup Telegram would refuse comes back as Telegram's 400.

Updates are fed straight to `dp.feed_raw_update`, one at a time, so every request the bot makes
while handling one is known (`Reply`), and an exception in a handler reaches the test.

`build_world` sets up two teams the way people would, through the bot: each with an owner, a
head, a manager who planned and reported, a paused member, a removed member and an open
invite; plus a stranger. The fuzz tests and the isolation matrix share it.
"""

from __future__ import annotations

import asyncio
import copy
import html
import io
import itertools
import time as wall
import zipfile
from collections.abc import AsyncIterator, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import KeepResponseModels, create_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from models import Absence, Base, Invite, Member, Metric
from models.db import SessionPool, create_engine, create_session_pool
from tests.fake_telegram import (
    TOKEN,
    FakeTelegram,
    FakeUser,
    RecordedRequest,
    _StoredMessage,
    close_bot_session,
    html_to_plain,
)

JSON = dict[str, Any]

# What a person can see in their chat: sends and edits of texts, captions and files.
CHAT_OUTPUT = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup",
     "editMessageCaption"}
)  # fmt: skip

# Tables a person changes only by confirming something (a button, or a typed value that is
# validated and saved with a "saved" answer). Bookkeeping tables are left out: who wrote to
# the bot (users), handled update ids, conversation state, the delivery log.
DATA_TABLES = (
    "teams",
    "members",
    "metrics",
    "invites",
    "day_entries",
    "entry_values",
    "entry_changes",
    "absences",
    "monthly_targets",
    "routine_entries",
    "audit_log",
)

# Everything a test may change, put back between tests (handled update ids only grow).
RESTORED = tuple(t.name for t in Base.metadata.sorted_tables if t.name != "processed_updates")

_update_ids = itertools.count(5_000_001)
T = TypeVar("T")


@dataclass
class Reply:
    """Everything the bot asked of Telegram while handling one update."""

    requests: list[RecordedRequest]

    def to(self, chat_id: int) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method in CHAT_OUTPUT and r.chat_id == chat_id]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Texts and captions as sent (HTML included)."""
        shown = self.requests if chat_id is None else self.to(chat_id)
        return [r.text for r in shown if r.text is not None]

    def plain(self, chat_id: int | None = None) -> str:
        """What the person reads: texts without markup, captions, button labels, alerts."""
        parts = [html_to_plain(t) for t in self.texts(chat_id)]
        for request in self.requests if chat_id is None else self.to(chat_id):
            markup = request.params.get("reply_markup")
            if isinstance(markup, dict):
                parts += [
                    str(button.get("text", ""))
                    for row in markup.get("inline_keyboard", [])
                    for button in row
                ]
        parts += self.alerts
        return "\n".join(parts)

    @property
    def alerts(self) -> list[str]:
        return [
            str(r.params["text"])
            for r in self.requests
            if r.method == "answerCallbackQuery" and r.params.get("text")
        ]

    @property
    def answered_queries(self) -> set[str]:
        return {
            str(r.params.get("callback_query_id"))
            for r in self.requests
            if r.method == "answerCallbackQuery"
        }

    @property
    def failed(self) -> list[RecordedRequest]:
        return [r for r in self.requests if not r.ok]

    def buttons(self, chat_id: int | None = None) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button sent or edited in."""
        found = []
        for request in self.requests if chat_id is None else self.to(chat_id):
            markup = request.params.get("reply_markup")
            if isinstance(markup, dict):
                found += [
                    (str(b.get("text", "")), str(b.get("callback_data", "")))
                    for row in markup.get("inline_keyboard", [])
                    for b in row
                ]
        return found


class LiveBot:
    def __init__(
        self,
        tg: FakeTelegram,
        bot: Bot,
        dp: Dispatcher,
        pool: SessionPool,
        clock: ManualClock,
        engine: AsyncEngine,
    ) -> None:
        self.tg = tg
        self.bot = bot
        self.dp = dp
        self.pool = pool
        self.clock = clock
        self.engine = engine
        self.updates = 0  # fed so far
        self.seconds = 0.0  # spent feeding them

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- people ------------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, **profile: Any) -> FakeUser:
        return self.tg.user(user_id, first_name, **profile)

    # --- updates -----------------------------------------------------------------------------

    async def feed(self, update: JSON) -> Reply:
        """Hand one raw update to the dispatcher; what the bot requested meanwhile."""
        update = {"update_id": next(_update_ids), **update}
        first = len(self.tg.requests)
        started = wall.perf_counter()
        try:
            await self.dp.feed_raw_update(self.bot, update)
        finally:
            self.updates += 1
            self.seconds += wall.perf_counter() - started
        return Reply(self.tg.requests[first:])

    def message_json(self, person: FakeUser, text: str | None = None, **content: Any) -> JSON:
        message: JSON = {
            "message_id": self.tg._next_message_id(person.id),
            "date": self.tg._now(),
            "chat": person.chat_dict(),
            "from": person.as_dict(),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0] if text.split() else text
                length = len(command.encode("utf-16-le")) // 2
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message.update(content)
        self.tg._store(person.id, _StoredMessage(message, text, None, from_bot=False))
        return message

    async def send(self, person: FakeUser, text: str | None = None, **content: Any) -> Reply:
        """`person` writes to the bot in their private chat (no text: pass the content)."""
        return await self.feed({"message": self.message_json(person, text, **content)})

    def bot_message(self, person: FakeUser, message_id: int) -> JSON | None:
        stored = self.tg._messages.get(person.id, {}).get(message_id)
        return copy.deepcopy(stored.message) if stored is not None and stored.from_bot else None

    def last_bot_message_id(self, person: FakeUser) -> int:
        ids = [m for m, s in self.tg._messages.get(person.id, {}).items() if s.from_bot]
        assert ids, f"the bot has sent nothing to {person}"
        return max(ids)

    def callback_json(
        self,
        person: FakeUser,
        data: str,
        message_id: int | None = None,
        *,
        inaccessible: bool = False,
        inline: bool = False,
    ) -> JSON:
        """A press of a button with `data` on bot message `message_id` (default: the latest).
        The data may be anything: a modified client sends whatever it likes."""
        query_id = str(next(self.tg._query_ids))
        query: JSON = {
            "id": query_id,
            "from": person.as_dict(),
            "chat_instance": f"chat{person.id}",
            "data": data,
        }
        if inline:
            query["inline_message_id"] = f"inline-{query_id}"
        else:
            if message_id is None:
                message_id = self.last_bot_message_id(person)
            message = None if inaccessible else self.bot_message(person, message_id)
            if message is None:  # older than 48 hours, or never there
                message = {"chat": person.chat_dict(), "message_id": message_id, "date": 0}
            query["message"] = message
        self.tg._open_queries[query_id] = query
        return query

    async def click(
        self, person: FakeUser, data: str, message_id: int | None = None, **how: bool
    ) -> Reply:
        return await self.feed(
            {"callback_query": self.callback_json(person, data, message_id, **how)}
        )

    def find_button(self, person: FakeUser, label: str) -> tuple[int, str]:
        """(message id, callback data) of the newest button whose label contains `label`."""
        chat = self.tg._messages.get(person.id, {})
        for message_id in sorted(chat, reverse=True):
            stored = chat[message_id]
            if not stored.from_bot or not stored.markup:
                continue
            for row in stored.markup.get("inline_keyboard", []):
                for button in row:
                    if label in str(button.get("text", "")) and button.get("callback_data"):
                        return message_id, str(button["callback_data"])
        shown = [
            b
            for s in chat.values()
            if s.from_bot and s.markup
            for row in s.markup.get("inline_keyboard", [])
            for b in row
        ]
        raise AssertionError(f"{person}: no button {label!r} on screen; have {shown}")

    async def press(self, person: FakeUser, label: str) -> Reply:
        message_id, data = self.find_button(person, label)
        return await self.click(person, data, message_id)

    def buttons_of(self, person: FakeUser, message_id: int) -> list[tuple[str, str]]:
        """(label, data) of the buttons one bot message shows now."""
        stored = self.tg._messages.get(person.id, {}).get(message_id)
        markup = stored.markup if stored is not None and stored.from_bot else None
        return [
            (str(b.get("text", "")), str(b["callback_data"]))
            for row in (markup or {}).get("inline_keyboard", [])
            for b in row
            if b.get("callback_data")
        ]

    def buttons(self, person: FakeUser) -> list[tuple[int, str, str]]:
        """(message id, label, data) of every inline button on screen in the chat, newest last."""
        chat = self.tg._messages.get(person.id, {})
        return [
            (message_id, label, data)
            for message_id in sorted(chat)
            for label, data in self.buttons_of(person, message_id)
        ]

    # --- the database ------------------------------------------------------------------------

    async def snapshot(
        self, tables: tuple[str, ...] = DATA_TABLES
    ) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the data tables, for comparing before and after."""
        by_name = {table.name: table for table in Base.metadata.sorted_tables}
        found: dict[str, list[tuple[Any, ...]]] = {}
        async with self.engine.connect() as connection:
            for name in tables:
                table = by_name[name]
                rows = await connection.execute(select(table).order_by(*table.primary_key.columns))
                found[name] = [tuple(row) for row in rows]
        return found

    async def restore(self, saved: dict[str, list[tuple[Any, ...]]]) -> bool:
        """Put the tables back as `saved` (a snapshot); False when nothing had changed."""
        now = await self.snapshot(tuple(saved))
        if now == saved:
            return False
        # The tables that changed, and those whose rows reference them (deleting a row deletes
        # or clears what points at it).
        changed = {name for name in saved if now[name] != saved[name]}
        for table in Base.metadata.sorted_tables:
            if table.name in saved and any(
                fk.column.table.name in changed for fk in table.foreign_keys
            ):
                changed.add(table.name)
        tables = [t for t in Base.metadata.sorted_tables if t.name in changed]
        async with self.engine.begin() as connection:
            for table in reversed(tables):
                await connection.execute(table.delete())
            for table in tables:
                rows = [
                    dict(zip(table.columns.keys(), row, strict=True)) for row in saved[table.name]
                ]
                if rows:
                    await connection.execute(table.insert(), rows)
        return True

    async def member(self, telegram_id: int, team_id: int | None = None) -> Member:
        async with self.pool() as session:
            query = select(Member).where(Member.telegram_id == telegram_id)
            if team_id is not None:
                query = query.where(Member.team_id == team_id)
            found = (await session.execute(query.order_by(Member.id))).scalars().first()
        assert found is not None, f"no member with telegram id {telegram_id}"
        return found

    async def metric_ids(self, team_id: int) -> list[int]:
        async with self.pool() as session:
            return list(
                (
                    await session.execute(select(Metric.id).where(Metric.team_id == team_id))
                ).scalars()
            )

    async def invite_ids(self, team_id: int, open_only: bool = True) -> list[int]:
        async with self.pool() as session:
            query = select(Invite.id).where(Invite.team_id == team_id)
            if open_only:
                query = query.where(Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            return list((await session.execute(query)).scalars())


@asynccontextmanager
async def live_bot(database_url: str, clock: ManualClock) -> AsyncIterator[LiveBot]:
    """The bot on a clean database (migrated; PostgreSQL tables emptied) and a strict fake."""
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    pool = create_session_pool(engine)
    settings = Settings(_env_file=None, bot_token=None, database_url=database_url)
    dp = create_dispatcher(settings, pool, clock)
    try:
        async with FakeTelegram(strict=True) as tg:
            session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
            session.middleware(KeepResponseModels())
            bot = Bot(
                TOKEN,
                session=session,
                default=DefaultBotProperties(
                    parse_mode=ParseMode.HTML, link_preview_is_disabled=True
                ),
            )
            try:
                yield LiveBot(tg, bot, dp, pool, clock, engine)
            finally:
                await close_bot_session(bot)
    finally:
        await engine.dispose()


# --- the world: two teams and a stranger --------------------------------------------------------


@dataclass
class Team:
    key: str  # "A" or "B"
    name: str
    id: int
    owner: FakeUser
    head: FakeUser
    manager: FakeUser
    paused: FakeUser
    removed: FakeUser
    # Words and numbers only this team's data contains (names, comments, revenue).
    secrets: list[str] = field(default_factory=list)
    member_ids: dict[str, int] = field(default_factory=dict)  # role in the world -> member id
    invite_id: int = 0
    absence_id: int = 0
    metric_ids: list[int] = field(default_factory=list)

    def people(self) -> dict[str, FakeUser]:
        return {
            "owner": self.owner,
            "head": self.head,
            "manager": self.manager,
            "paused": self.paused,
            "removed": self.removed,
        }


@dataclass
class World:
    live: LiveBot
    a: Team
    b: Team
    stranger: FakeUser

    def team_of(self, person: FakeUser) -> Team | None:
        """The team whose data `person` may read: a paused member's still (they are told
        which team paused them), a removed member's no more."""
        for team in (self.a, self.b):
            if person in team.people().values() and person is not team.removed:
                return team
        return None

    def person(self, who: str) -> FakeUser:
        """A person by name: "A.owner", "B.manager", "stranger"."""
        if who == "stranger":
            return self.stranger
        key, role = who.split(".")
        return (self.a if key == "A" else self.b).people()[role]


def invite_code(reply: Reply) -> str:
    link = next(word for word in reply.plain().split() if "start=" in word)
    return link.split("start=", 1)[1]


async def invite(live: LiveBot, leader: FakeUser, role_label: str) -> str:
    await live.send(leader, "/invite")
    return invite_code(await live.press(leader, role_label))


async def join(live: LiveBot, leader: FakeUser, person: FakeUser, role_label: str) -> None:
    reply = await live.send(person, f"/start {await invite(live, leader, role_label)}")
    assert "Добро пожаловать" in reply.plain(person.id), reply.plain()


async def member_action(live: LiveBot, owner: FakeUser, name: str, *labels: str) -> None:
    await live.send(owner, "/team")
    await live.press(owner, "Управлять участниками")
    await live.press(owner, name)
    for label in labels:
        reply = await live.press(owner, label)
        assert not reply.failed, reply.failed


async def report_day(live: LiveBot, manager: FakeUser, numbers: str, comment: str) -> None:
    await live.send(manager, "/plan")
    await live.send(manager, numbers)
    await live.press(manager, "Подтвердить")
    await live.send(manager, "/report")
    await live.send(manager, numbers)
    await live.send(manager, comment)
    reply = await live.press(manager, "Подтвердить")
    assert "сохранены" in reply.plain(manager.id), reply.plain()


async def _build_team(
    live: LiveBot, key: str, name: str, base: int, surname: str, revenue: str
) -> Team:
    owner = live.user(base + 1, "Собственник", last_name=surname)
    head = live.user(base + 2, "Руководитель", last_name=surname)
    manager = live.user(base + 3, "Менеджер", last_name=surname)
    paused = live.user(base + 4, "Пауза", last_name=surname)
    removed = live.user(base + 5, "Ушедший", last_name=surname)
    await live.send(owner, "/start")
    await live.press(owner, "Создать команду")
    await live.send(owner, name)
    await live.press(owner, "Москва")
    await live.press(owner, "Нет, приглашу")
    await join(live, owner, head, "Руководитель")
    for person in (manager, paused, removed):
        await join(live, owner, person, "Менеджер")
    comment = f"комментарий-{surname}"
    await report_day(live, manager, f"31 2 3 5 1 {revenue}", comment)
    await report_day(live, paused, f"32 2 3 5 1 {revenue}", comment)
    await member_action(live, owner, f"Пауза {surname}", "Приостановить")
    await member_action(live, owner, f"Ушедший {surname}", "Удалить из команды", "Да, удалить")
    await live.send(manager, "/off")
    await live.press(manager, "Завтра")
    await live.press(manager, "Выходной")
    await live.send(head, "/target")
    await live.press(head, "Команда")
    await live.send(head, "1 234 567")
    await live.send(head, "/routine")
    await live.press(head, "Планёрка")
    await invite(live, owner, "Менеджер")  # stays open
    member = await live.member(owner.id)
    team = Team(key, name, member.team_id, owner, head, manager, paused, removed)
    for role, person in team.people().items():
        team.member_ids[role] = (await live.member(person.id, team.id)).id
    team.secrets = [name, surname, comment, revenue]
    [team.invite_id] = await live.invite_ids(team.id)
    team.metric_ids = await live.metric_ids(team.id)
    async with live.pool() as session:
        team.absence_id = int(
            await session.scalar(
                select(Absence.id).where(Absence.member_id == team.member_ids["manager"])
            )
            or 0
        )
    return team


async def build_world(live: LiveBot) -> World:
    a = await _build_team(live, "A", "Ромашка", 100, "Альфов", "123457")
    b = await _build_team(live, "B", "Лютик", 200, "Бетов", "987653")
    stranger = live.user(300, "Чужак", last_name="Посторонний")
    failed = [r for r in live.tg.requests if not r.ok]
    assert not failed, failed
    return World(live, a, b, stranger)


def secrets_in(text: str, team: Team) -> list[str]:
    """Which of `team`'s own words and numbers appear in `text` (numbers also as the bot
    writes them, with thin or no-break spaces between thousands)."""
    flat = text.replace("\xa0", " ").replace("\u202f", " ").replace("&nbsp;", " ")
    found = []
    for secret in team.secrets:
        forms = {secret}
        if secret.isdigit():
            forms.add(f"{int(secret):,}".replace(",", " "))
        if any(form in flat for form in forms):
            found.append(secret)
    return found


class WorldRun:
    """A world built once (per test module and backend) on an event loop of its own; a test
    drives it with `run(coroutine)` and puts it back as built with `reset()`."""

    def __init__(self, database_url: str, start: datetime) -> None:
        self.runner = asyncio.Runner()
        self.start = start
        self.clock = ManualClock(start)
        self._stack = AsyncExitStack()
        self.live: LiveBot = self.run(
            self._stack.enter_async_context(live_bot(database_url, self.clock))
        )
        self.world: World = self.run(build_world(self.live))
        self.baseline = self.run(self.live.snapshot(RESTORED))
        self.restores = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def example(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run one example; whatever it did (or failed half-way through) is put back."""

        async def run_then_reset() -> None:
            try:
                await coroutine
            finally:
                await self.areset()

        self.run(run_then_reset())

    def reset(self) -> None:
        self.clock.set(self.start)
        self.restores += self.run(self.live.restore(self.baseline))

    async def areset(self) -> None:
        self.clock.set(self.start)
        self.restores += await self.live.restore(self.baseline)

    def close(self) -> None:
        try:
            self.run(self._stack.aclose())
        finally:
            self.runner.close()

    @property
    def backend(self) -> str:
        return self.live.backend


def request_content(request: RecordedRequest, presser: FakeUser | None = None) -> str:
    """What a request shows its reader: text, caption, button labels, the callback alert, and
    the contents of a sent XLSX or CSV file."""
    parts = []
    if request.text is not None:
        parts.append(html.unescape(request.text))
    markup = request.params.get("reply_markup")
    if isinstance(markup, dict):
        parts += [str(b.get("text", "")) for row in markup.get("inline_keyboard", []) for b in row]
    if request.method == "answerCallbackQuery" and request.params.get("text"):
        parts.append(str(request.params["text"]))
    for upload in request.files.values():
        parts.append(upload.filename)
        parts.append(file_text(upload.data))
    return "\n".join(parts)


def file_text(data: bytes) -> str:
    """An XLSX file's XML (shared strings and sheets), or a text file as text."""
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", errors="replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    if data.startswith(b"\x89PNG"):
        return ""
    return data.decode("utf-8-sig", errors="replace")


def reader_of(world: World, request: RecordedRequest, presser: FakeUser | None) -> FakeUser | None:
    if request.method == "answerCallbackQuery":
        return presser
    chat = request.chat_id
    for team in (world.a, world.b):
        for person in team.people().values():
            if person.id == chat:
                return person
    return world.stranger if chat == world.stranger.id else None


def leaks(world: World, reply: Reply, presser: FakeUser | None = None) -> list[str]:
    """Another team's words or numbers in anything the bot showed anyone during `reply`: each
    reader may see their own team's data only (a stranger, nobody's)."""
    found = []
    for request in reply.requests:
        if request.method not in CHAT_OUTPUT and request.method != "answerCallbackQuery":
            continue
        reader = reader_of(world, request, presser)
        own = world.team_of(reader) if reader is not None else None
        content = request_content(request)
        for team in (world.a, world.b):
            if team is not own:
                found += [
                    f"{team.key}:{secret} -> {request.method} chat={request.chat_id}"
                    for secret in secrets_in(content, team)
                ]
    return found


def open_world(request: Any, tmp_path_factory: Any, backend: str, start: datetime) -> WorldRun:
    """A world on `backend`: a copy of the migrated SQLite template, or this run's PostgreSQL
    database (emptied first)."""
    if backend == "postgresql":
        url: str = request.getfixturevalue("postgres_ready")
    else:
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("world") / "world.sqlite3"
        path.write_bytes(template.read_bytes())
        url = f"sqlite+aiosqlite:///{path}"
    return WorldRun(url, start)


Snapshot = dict[str, list[tuple[Any, ...]]]


def team_of_row(table: str, row: tuple[Any, ...], entries: dict[int, int]) -> int | None:
    """The team a data table's row belongs to (`entries`: day entry id -> team id)."""
    if table == "teams":
        return int(row[0])
    if table in ("entry_values", "entry_changes"):
        return entries.get(int(row[1]))
    return int(row[1])  # every other data table has team_id right after its id


def team_rows(snapshot: Snapshot, team_id: int) -> Snapshot:
    """The rows of one team in a snapshot of the data tables."""
    entries = {int(r[0]): int(r[1]) for r in snapshot["day_entries"]}
    return {
        table: [row for row in rows if team_of_row(table, row, entries) == team_id]
        for table, rows in snapshot.items()
        if table in DATA_TABLES
    }
