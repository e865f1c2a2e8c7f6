"""Shared fixtures: a migrated database on SQLite and on the real PostgreSQL, an injected
clock, and the real dispatcher with a mocked bot, driven through `Harness`."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from models import Base
from models.db import SessionPool, create_engine, create_session_pool, migrate
from tests.bot_client import Harness
from tests.mocked_bot import MockedBot

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BACKENDS = os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",")
MOSCOW = ZoneInfo("Europe/Moscow")


async def _postgres_reachable() -> str | None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
    except Exception as exc:  # any failure to connect means: not here
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


async def _fresh_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    await engine.dispose()


async def _fresh_sqlite(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy, which is much faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_fresh_sqlite(path))
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    problem = asyncio.run(_postgres_reachable())
    if problem is not None:
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({problem}); "
            "start it or set TEST_POSTGRES_URL"
        )
    asyncio.run(_fresh_postgres())
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_ready")
        return url
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.sqlite3"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def session_pool(engine: AsyncEngine) -> SessionPool:
    return create_session_pool(engine)


@pytest.fixture
def clock() -> ManualClock:
    # A Monday morning in Moscow.
    return ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=MOSCOW))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, bot_token=None, database_url=database_url)


@pytest.fixture
async def bot() -> AsyncIterator[MockedBot]:
    bot = MockedBot()
    yield bot
    await bot.session.close()


@pytest.fixture
async def harness(
    settings: Settings, session_pool: SessionPool, clock: ManualClock, bot: MockedBot
) -> Harness:
    dp = create_dispatcher(settings, session_pool, clock)
    return Harness(dp, bot)


@pytest.fixture(autouse=True)
def _no_env_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never read a developer's .env."""
    monkeypatch.chdir(Path(__file__).parent)
    yield
