"""Conversation state in the database, so a half-filled form survives a restart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from models import FsmRecord
from models.db import SessionPool, upsert_insert


class SqlStorage(BaseStorage):
    def __init__(self, session_pool: SessionPool, clock: Clock) -> None:
        self._pool = session_pool
        self._clock = clock
        self._keys = DefaultKeyBuilder(with_destiny=True)

    async def _write(self, key: StorageKey, **fields: Any) -> None:
        storage_key = self._keys.build(key)
        if all(value for value in fields.values()):
            # A step of a form: one upsert, no read (the most frequent write of all).
            await self._upsert(storage_key, fields)
            return
        async with self._pool() as session:
            record = await session.get(FsmRecord, storage_key)
            if record is None:
                record = FsmRecord(key=storage_key, state=None, data={})
            for name, value in fields.items():
                setattr(record, name, value)
            record.updated_at = self._clock.now()
            empty = record.state is None and not record.data
            if empty and record in session:
                await session.delete(record)
            elif not empty:
                session.add(record)
            await session.commit()

    async def _upsert(self, storage_key: str, fields: dict[str, Any]) -> None:
        table = FsmRecord.metadata.tables[FsmRecord.__tablename__]
        values = {"state": None, "data": {}, **fields, "updated_at": self._clock.now()}
        async with self._pool() as session:
            statement = upsert_insert(session)(table).values(key=storage_key, **values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["key"],
                    set_={name: statement.excluded[name] for name in [*fields, "updated_at"]},
                )
            )
            await session.commit()

    async def _read(self, key: StorageKey) -> FsmRecord | None:
        async with self._pool() as session:
            return await session.get(FsmRecord, self._keys.build(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._read(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._read(key)
        return dict(record.data) if record else {}

    async def write_many(
        self, session: AsyncSession, states: Sequence[tuple[StorageKey, str, Mapping[str, Any]]]
    ) -> None:
        """Many conversations' state and data at once, in the caller's transaction: what a job
        that opens a form for a whole team writes, in one statement rather than two commits
        a person."""
        if not states:
            return
        table = FsmRecord.metadata.tables[FsmRecord.__tablename__]
        now = self._clock.now()
        rows = [
            {"key": self._keys.build(key), "state": state, "data": dict(data), "updated_at": now}
            for key, state, data in states
        ]
        statement = upsert_insert(session)(table)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "state": statement.excluded.state,
                    "data": statement.excluded.data,
                    "updated_at": statement.excluded.updated_at,
                },
            ),
            rows,
        )

    async def close(self) -> None:
        return None
