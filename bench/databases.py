"""The benchmarks' own PostgreSQL databases, never the test suite's: made anew for each run."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from models.db import create_engine


async def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    """Drop the database `url` names (its sessions closed) and create it empty, through a
    connection to `postgres`; with `drop_only`, leave it dropped."""
    name = make_url(url).database
    admin = create_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop_only:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
