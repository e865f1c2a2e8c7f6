"""Steps many tests share: a team set up the way a real owner would do it."""

from __future__ import annotations

from tests.bot_client import BotClient, Harness


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
