"""Steps many tests share: a team set up the way a real owner would do it, or many teams
at once straight into the database (`build`, for the morning-job tests and its benchmark)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from domain.metrics import DEFAULT_METRICS
from models import Member, Metric, Team
from models.db import SessionPool
from tests.bot_client import BotClient, Harness

# Telegram ids of the teams `build` makes in bulk.
OWNER_IDS = 1_000_000
MANAGER_IDS = 10_000_000


async def create_team(owner: BotClient, name: str = "Ромашка", *, head: bool = True) -> None:
    await owner.send("/start")
    await owner.press("Создать команду")
    await owner.send(name)
    await owner.press("Москва")
    await owner.press("Да, я и руководитель" if head else "Нет, приглашу")


async def invite_link(leader: BotClient, role_label: str) -> str:
    await leader.send("/invite")
    await leader.press(role_label)
    link = next(line for line in leader.last.text.splitlines() if "start=" in line)
    return link.strip()


def code_of(link: str) -> str:
    return link.split("start=", 1)[1]


async def join(harness: Harness, leader: BotClient, user_id: int, name: str) -> BotClient:
    """A new manager opens an invite link from `leader`."""
    person = harness.user(user_id, name)
    await person.send(f"/start {code_of(await invite_link(leader, 'Менеджер'))}")
    return person


async def team_with_managers(harness: Harness, *names: str) -> tuple[BotClient, list[BotClient]]:
    head = harness.user(1, "Ольга")
    await create_team(head)
    managers = [await join(harness, head, 100 + i, name) for i, name in enumerate(names)]
    return head, managers


def spread(total: int, buckets: int) -> list[int]:
    """`total` split over `buckets` as evenly as possible."""
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


async def build(pool: SessionPool, teams: int, managers: int, now: datetime) -> list[int]:
    """`teams` teams (default metrics, an owner who is also the head) sharing `managers`
    managers; returns the managers' chat ids."""
    chats: list[int] = []
    async with pool() as session:
        team_ids = list(
            await session.scalars(
                insert(Team).returning(Team.id, sort_by_parameter_order=True),
                [
                    {"name": f"Team {i + 1}", "timezone": "Europe/Moscow", "locale": "ru",
                     "created_at": now}
                    for i in range(teams)
                ],
            )
        )  # fmt: skip
        metrics: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        for index, (team_id, size) in enumerate(
            zip(team_ids, spread(managers, teams), strict=True)
        ):
            metrics += [
                {"team_id": team_id, "key": d.key, "label": None, "kind": d.kind.value,
                 "daily_norm": d.daily_norm, "max_value": d.max_value, "position": position,
                 "is_key": d.is_key, "active": True}
                for position, d in enumerate(DEFAULT_METRICS)
            ]  # fmt: skip
            members.append(
                {"team_id": team_id, "telegram_id": OWNER_IDS + index, "full_name": f"Head {index}",
                 "username": None, "is_owner": True, "is_head": True, "is_manager": False,
                 "active": True, "joined_at": now}
            )  # fmt: skip
            for _ in range(size):
                chat = MANAGER_IDS + len(chats)
                chats.append(chat)
                members.append(
                    {"team_id": team_id, "telegram_id": chat, "full_name": f"Manager {chat}",
                     "username": None, "is_owner": False, "is_head": False, "is_manager": True,
                     "active": True, "joined_at": now}
                )  # fmt: skip
        for table, rows in ((Metric, metrics), (Member, members)):
            for start in range(0, len(rows), 5000):
                await session.execute(insert(table), rows[start : start + 5000])
        await session.commit()
    return chats
