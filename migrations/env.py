"""Alembic environment: runs on a connection handed in by `models.db.migrate`, or on its own
when called from the `alembic` command line (DATABASE_URL from the environment / .env)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from bot.config import load_settings
    from models.db import create_engine

    engine = create_engine(load_settings().database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    asyncio.run(_run_standalone())
