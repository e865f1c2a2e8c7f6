"""Shared fixtures: a migrated database on SQLite and on the real PostgreSQL, an injected
clock, and the real dispatcher with a mocked bot, driven through `Harness`."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from models import Base
from models.db import SessionPool, create_engine, create_session_pool, migrate
from tests.bot_client import Harness
from tests.mocked_bot import MockedBot

# A server database to connect to first; each test run creates a database of its own beside
# it (and drops it at the end), so two runs at once never share tables.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
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


def _run_database_url() -> str:
    return make_url(POSTGRES_URL).set(database=f"test_run_{RUN_ID}").render_as_string(False)


async def _create_run_database() -> str:
    url = _run_database_url()
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    await server.dispose()
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    return url


async def _drop_run_database(url: str) -> None:
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(
            text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        )
    await server.dispose()


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
def postgres_ready() -> Iterator[str]:
    """The URL of this run's own migrated PostgreSQL database."""
    problem = asyncio.run(_postgres_reachable())
    if problem is not None:
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({problem}); "
            "start it or set TEST_POSTGRES_URL"
        )
    url = asyncio.run(_create_run_database())
    yield url
    asyncio.run(_drop_run_database(url))


async def _redis_reachable() -> str | None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await redis.aclose()
    return None


@pytest.fixture(scope="session")
def redis_ready() -> Iterator[tuple[str, str]]:
    """Redis's URL and this run's own key prefix (its keys are deleted at the end)."""
    problem = asyncio.run(_redis_reachable())
    if problem is not None:
        pytest.skip(
            f"Redis is not reachable at {REDIS_URL} ({problem}); start it or set TEST_REDIS_URL"
        )
    prefix = f"sales_pulse_test_{RUN_ID}"
    yield REDIS_URL, prefix

    async def clean() -> None:
        from redis.asyncio import Redis

        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()

    asyncio.run(clean())


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
