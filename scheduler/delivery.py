"""Exactly-once sends, kept by the database.

Every scheduled send has one `deliveries` row with a unique key. Its life:

    claimed   the row is inserted and committed: this process, and no other, will send it;
    sending   committed just before the request goes to Telegram;
    sent      Telegram answered OK;
    failed    Telegram answered that it did not take it (5xx after retries, network error
              before an answer, 403); retried on a later tick, at most MAX_ATTEMPTS times,
              except 403, which marks the member instead.

A crash leaves a row `claimed` (Telegram never saw the message: it is sent on the next tick)
or `sending` (Telegram may have shown it: it is never sent again). So a crash never duplicates
a message, and loses one only in the instant between the request leaving and its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from models import Delivery
from models.db import SessionPool

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY = "already"
    FAILED = "failed"
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


async def claim(pool: SessionPool, clock: Clock, slot: Slot) -> bool:
    """Take the slot for this process; False when it is sent, being sent, or spent."""
    async with pool() as session:
        session.add(
            Delivery(
                key=slot.key, team_id=slot.team_id, member_id=slot.member_id, kind=slot.kind,
                day=slot.day, status=Status.CLAIMED.value, attempts=0, claimed_at=clock.now(),
            )
        )  # fmt: skip
        try:
            await session.commit()
            return True
        except IntegrityError:
            await session.rollback()
        existing = await session.scalar(select(Delivery).where(Delivery.key == slot.key))
        if existing is None or existing.status not in RETRYABLE:
            return False
        if existing.attempts >= MAX_ATTEMPTS:
            return False
        # Compare-and-set: of two schedulers retrying at once, one wins.
        taken = await session.execute(
            update(Delivery)
            .where(Delivery.id == existing.id, Delivery.status == existing.status)
            .values(status=Status.CLAIMED.value, claimed_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return bool(getattr(taken, "rowcount", 0) == 1)


async def _set(pool: SessionPool, key: str, **values: object) -> None:
    async with pool() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def deliver_once(
    pool: SessionPool,
    clock: Clock,
    slot: Slot,
    send: Callable[[], Awaitable[int | None]],
) -> Outcome:
    """Send through `send` (which returns the message id) unless the slot was taken."""
    if not await claim(pool, clock, slot):
        return Outcome.ALREADY
    await _set(pool, slot.key, status=Status.SENDING.value, attempts=Delivery.attempts + 1)
    try:
        message_id = await send()
    except TelegramForbiddenError as exc:
        await _set(pool, slot.key, status=Status.FAILED.value, attempts=MAX_ATTEMPTS,
                   error=exc.message[:255])  # fmt: skip
        return Outcome.BLOCKED
    except (
        TelegramServerError,
        TelegramNetworkError,
        TelegramRetryAfter,
        TelegramBadRequest,
    ) as exc:
        log.warning("delivery %s failed: %s", slot.key, exc)
        await _set(pool, slot.key, status=Status.FAILED.value, error=str(exc)[:255])
        return Outcome.FAILED
    await _set(pool, slot.key, status=Status.SENT.value, sent_at=clock.now(), message_id=message_id)
    return Outcome.SENT


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
