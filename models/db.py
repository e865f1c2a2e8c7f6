"""Engine, session factory and migrations: the only place that knows which database we use."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import migrations

if TYPE_CHECKING:
    from alembic.config import Config

SessionPool = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            create_private_file(Path(path))
            kwargs = {"pool_size": 20, "max_overflow": 20, **kwargs}
        engine = create_async_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Room for the handlers' sessions beside the scheduler's, without opening and closing
    # connections all the time.
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=20, max_overflow=20, hide_parameters=True, **kwargs
    )


def create_private_file(path: Path) -> None:
    """The SQLite file holds the team's numbers and people's names: readable by the bot's user
    alone (0600; SQLite gives its -wal and -shm files the same mode). A new folder for it is
    0700."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def upsert_insert(session: AsyncSession) -> Callable[..., Any]:
    """`insert` with ON CONFLICT clauses for the session's database (spelt alike in both)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def create_session_pool(engine: AsyncEngine) -> SessionPool:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


# Held while migrating, so replicas starting together migrate one after another.
MIGRATION_LOCK_KEY = 7_317_462_012


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; safe to run on every start, by several processes at
    once (on PostgreSQL they queue on a lock; the later ones find nothing left to do)."""
    if revision == "head" and await _at_head(engine):
        return
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(_upgrade, revision)


async def _at_head(engine: AsyncEngine) -> bool:
    """Already at the newest revision: then Alembic (a fifth of the bot's own memory) is never
    imported at start."""
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no such table yet: a new database
        return False
    return bool(version == migrations.HEAD)


async def unreachable(engine: AsyncEngine, timeout: float = 10.0) -> str | None:
    """None when the database answers, else one line saying why not (password hidden)."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"Cannot reach the database at {where}: {reason}"
    return None
