"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base
from models.db import migrate


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_models(engine: AsyncEngine):
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrate_is_idempotent(engine: AsyncEngine):
    await migrate(engine)
    async with engine.connect() as connection:
        version = await connection.scalar(text("select version_num from alembic_version"))
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert version is not None
    assert {"teams", "members", "metrics", "invites", "users", "fsm_states"} <= set(tables)


async def test_sqlite_runs_with_wal_and_foreign_keys(engine: AsyncEngine):
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert await connection.scalar(text("PRAGMA busy_timeout")) == 5000


def test_head_constant_is_the_newest_revision():
    """`migrations.HEAD` lets a started bot skip Alembic when the schema is current."""
    from alembic.script import ScriptDirectory

    import migrations
    from models.db import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == migrations.HEAD
