"""Exactly-once sends, kept by the database.

Every scheduled send has one `deliveries` row with a unique key. Its life:

    claimed   the row is inserted and committed: this process, and no other, will send it;
    sending   committed just before the request goes to Telegram (by the one sender,
              bot/throttle.py, once the request's turn under the rate limit has come);
    sent      Telegram answered OK;
    failed    Telegram answered that it did not take it (5xx after retries, a connection
              that was never made, 403); retried on a later tick, at most MAX_ATTEMPTS times,
              except 403, which marks the member instead. A request that may have reached
              Telegram without an answer (a timeout) is failed for good with "outcome
              unknown": the person may have seen it, and a second copy is what users of
              check-in bots complain about most; a late prompt can be had with /plan.

Only one send moves a row from `claimed` to `sending` (a compare-and-set): a slot claimed
again by another scheduler that took over, or by a tick after one that failed, while its first
claimer still waits to send it, goes out once, by whichever gets there first.

A crash leaves a row `claimed` (Telegram never saw the message: it is sent on the next tick)
or `sending` (Telegram may have shown it: it is never sent again). So a crash never duplicates
a message, and loses only those marked `sending` whose request had not yet left or whose
answer did not come back: the requests in flight, not the sends queued behind the rate limit
(at most `scheduler.context.SENDS_IN_FLIGHT` in any case).

Jobs that send to many people claim a whole batch in one statement (`claim_many`) and write
the later changes of all sends in flight together (`StatusLog`); a single send
(`deliver_once`) goes the same way with a batch of one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.metrics import DELIVERIES
from bot.throttle import DEPARTURE, outcome_unknown
from models import Delivery
from models.db import SessionPool, upsert_insert

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# How long the delivery log waits for more status changes to write together.
GATHER_FOR = 0.01
# Keys per IN list: well under SQLite's and asyncpg's limits on bound parameters.
CLAIM_CHUNK = 500


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY = "already"
    FAILED = "failed"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"


class Status(StrEnum):
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


RETRYABLE = (Status.CLAIMED.value, Status.FAILED.value)


@dataclass(frozen=True, slots=True)
class Slot:
    """What a delivery is: its unique key and where it belongs."""

    key: str
    team_id: int
    member_id: int | None
    kind: str
    day: date


def key_for(kind: str, member_id: int, day: date) -> str:
    return f"{kind}:member:{member_id}:{day.isoformat()}"


async def claim_many(session: AsyncSession, clock: Clock, slots: Sequence[Slot]) -> set[str]:
    """Take slots for this process, in the caller's transaction (the caller commits); returns
    the keys taken. A slot is not taken when it is sent, being sent, or spent its attempts.
    New slots cost one statement however many there are."""
    taken: set[str] = set()
    now = clock.now()
    if slots:
        table = Delivery.metadata.tables[Delivery.__tablename__]
        rows = [
            {
                "key": slot.key, "team_id": slot.team_id, "member_id": slot.member_id,
                "kind": slot.kind, "day": slot.day, "status": Status.CLAIMED.value,
                "attempts": 0, "claimed_at": now,
            }
            for slot in slots
        ]  # fmt: skip
        # A list of rows runs as one cached statement in pages ("insertmanyvalues"), not a
        # statement compiled afresh for every batch size.
        inserted = await session.execute(
            upsert_insert(session)(table)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.key),
            rows,
        )
        taken.update(inserted.scalars())
    again = [slot.key for slot in slots if slot.key not in taken]
    for start in range(0, len(again), CLAIM_CHUNK):
        retryable = await session.execute(
            select(Delivery.id, Delivery.key, Delivery.status).where(
                Delivery.key.in_(again[start : start + CLAIM_CHUNK]),
                Delivery.status.in_(RETRYABLE),
                Delivery.attempts < MAX_ATTEMPTS,
            )
        )
        for delivery_id, key, status in retryable.all():
            # Compare-and-set: of two schedulers retrying at once, one wins.
            result = await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == status)
                .values(status=Status.CLAIMED.value, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) == 1:
                taken.add(key)
    DELIVERIES.labels(Status.CLAIMED.value).inc(len(taken))
    return taken


async def claim(pool: SessionPool, clock: Clock, slot: Slot) -> bool:
    async with pool() as session:
        taken = await claim_many(session, clock, [slot])
        await session.commit()
    return slot.key in taken


class ClaimLost(Exception):
    """Another send moved this slot to `sending` first: this one must not go."""


class StatusLog:
    """The status changes of every send in flight, written together: one statement and one
    commit per flush rather than a session per change. Each caller still waits until its own
    change is committed, so the claimed -> sending -> sent order holds for every message."""

    def __init__(self, pool: SessionPool, clock: Clock) -> None:
        self._pool = pool
        self._clock = clock
        self._queue: list[tuple[str, str, dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def sending(self, key: str) -> bool:
        """Mark the slot as being sent; False when it is no longer `claimed` (another send of
        it got there first), and then this one must not go."""
        values: dict[str, Any] = {}
        await self._enqueue(Status.SENDING, key, values)
        return bool(values.get("won"))

    async def sent(self, key: str, message_id: int | None) -> None:
        await self._enqueue(
            Status.SENT, key, {"sent_at": self._clock.now(), "message_id": message_id}
        )

    async def failed(self, key: str, error: str, *, spent: bool = False) -> None:
        values: dict[str, Any] = {"error": error[:255]}
        if spent:
            values["attempts"] = MAX_ATTEMPTS
        await self._enqueue(Status.FAILED, key, values)

    async def _enqueue(self, status: Status, key: str, values: dict[str, Any]) -> None:
        done = asyncio.get_running_loop().create_future()
        self._queue.append((status.value, key, values, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._queue:
            # Let the changes of the sends in flight gather: ten milliseconds of latency for
            # each message, a statement for a dozen of them rather than for two.
            await asyncio.sleep(GATHER_FOR)
            batch, self._queue = self._queue, []
            try:
                await self._write(batch)
            except BaseException as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _write(
        self, batch: list[tuple[str, str, dict[str, Any], asyncio.Future[None]]]
    ) -> None:
        table = Delivery.metadata.tables[Delivery.__tablename__]
        sending = [key for status, key, _, _ in batch if status == Status.SENDING.value]
        moved: set[str] = set()
        sent = [
            {"b_key": key, "b_sent_at": values["sent_at"], "b_message_id": values["message_id"]}
            for status, key, values, _ in batch
            if status == Status.SENT.value
        ]
        failed = [
            (key, values) for status, key, values, _ in batch if status == Status.FAILED.value
        ]
        async with self._pool() as session:
            if sending:
                moved = set(
                    await session.scalars(
                        update(table)
                        .where(table.c.key.in_(sending), table.c.status == Status.CLAIMED.value)
                        .values(status=Status.SENDING.value, attempts=table.c.attempts + 1)
                        .returning(table.c.key)
                    )
                )
            if sent:
                await session.execute(
                    update(table)
                    .where(table.c.key == bindparam("b_key"))
                    .values(
                        status=Status.SENT.value,
                        sent_at=bindparam("b_sent_at"),
                        message_id=bindparam("b_message_id"),
                    ),
                    sent,
                )
            for key, values in failed:
                await session.execute(
                    update(table)
                    .where(table.c.key == key)
                    .values(status=Status.FAILED.value, **values)
                )
            await session.commit()
        for status, key, values, _ in batch:
            if status == Status.SENDING.value:
                # The first of this batch's sends of a slot that moved it wins (its caller reads
                # "won" once the batch is committed); any other lost it.
                values["won"] = key in moved
                moved.discard(key)
        won = sum(1 for status, _, values, _ in batch if values.get("won"))
        for status, count in ((Status.SENDING, won), (Status.SENT, len(sent))):
            DELIVERIES.labels(status.value).inc(count)
        DELIVERIES.labels(Status.FAILED.value).inc(len(failed))


async def send_claimed(
    statuses: StatusLog,
    key: str,
    send: Callable[[], Awaitable[int | None]],
    gate: asyncio.Semaphore | None = None,
    *,
    on_departure: bool = False,
) -> Outcome:
    """Send a claimed slot through `send` (which returns the message id). `gate` bounds the
    sends under way. The slot is marked `sending` before `send` is called, or, with
    `on_departure` (the requests pass the one sender: `bot.throttle.marks_departures`), as its
    first request leaves: a send waiting for its turn under the rate limit is still `claimed`,
    so a crash leaves it to the next start rather than losing it."""
    outcome, detail, message_id = Outcome.SENT, "", None
    marked = False

    async def depart() -> None:
        nonlocal marked
        if not await statuses.sending(key):
            raise ClaimLost(key)
        marked = True

    async with gate or contextlib.nullcontext():
        token = DEPARTURE.set(depart if on_departure else None)
        try:
            if not on_departure:
                await depart()
            message_id = await send()
        except ClaimLost:
            return Outcome.ALREADY
        except TelegramForbiddenError as exc:
            outcome, detail = Outcome.BLOCKED, exc.message
        except TelegramNetworkError as exc:
            unknown = outcome_unknown(exc)
            log.warning("delivery %s failed: %s%s", key, exc, " (outcome unknown)" * unknown)
            outcome = Outcome.UNKNOWN if unknown else Outcome.FAILED
            detail = f"outcome unknown: {exc}" if unknown else str(exc)
        except (
            TelegramServerError,
            TelegramRetryAfter,
            TelegramBadRequest,
        ) as exc:
            log.warning("delivery %s failed: %s", key, exc)
            outcome, detail = Outcome.FAILED, str(exc)
        finally:
            DEPARTURE.reset(token)
    if not marked:
        try:
            await depart()  # a send that left no request through the sender: log it the same
        except ClaimLost:
            return Outcome.ALREADY
    if outcome is Outcome.SENT:
        await statuses.sent(key, message_id)
    else:
        spent = outcome in (Outcome.BLOCKED, Outcome.UNKNOWN)
        await statuses.failed(key, detail, spent=spent)
    return outcome


async def deliver_once(
    pool: SessionPool,
    clock: Clock,
    slot: Slot,
    send: Callable[[], Awaitable[int | None]],
) -> Outcome:
    """One send, claimed and logged on its own (digests, alerts): unless the slot was taken."""
    if not await claim(pool, clock, slot):
        return Outcome.ALREADY
    return await send_claimed(StatusLog(pool, clock), slot.key, send)


async def retryable_slots(pool: SessionPool, since: date) -> list[tuple[int, str, date]]:
    """(team, kind, day) of sends that were claimed or failed and may be tried again."""
    async with pool() as session:
        rows = await session.execute(
            select(Delivery.team_id, Delivery.kind, Delivery.day)
            .where(
                Delivery.status.in_(RETRYABLE),
                Delivery.attempts < MAX_ATTEMPTS,
                Delivery.day >= since,
            )
            .distinct()
        )
        return [(team_id, kind, day) for team_id, kind, day in rows]
