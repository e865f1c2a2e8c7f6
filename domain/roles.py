"""Roles and what each may do. Pure data: the menu and the router filters both read it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    HEAD = "head"
    MANAGER = "manager"


ALL_ROLES = frozenset(Role)
LEADERS = frozenset({Role.OWNER, Role.HEAD})

# Order matters: it is the order of the command menu.
# A command with no roles is open to anyone who writes to the bot, team member or not.
COMMANDS: tuple[tuple[str, frozenset[Role]], ...] = (
    ("start", frozenset()),
    ("help", frozenset()),
    ("plan", frozenset({Role.MANAGER})),
    ("report", frozenset({Role.MANAGER})),
    ("off", frozenset({Role.MANAGER})),
    ("me", frozenset({Role.MANAGER})),
    ("team", LEADERS),
    ("digest", LEADERS),
    ("forecast", LEADERS),
    ("reasons", LEADERS),
    ("invite", LEADERS),
    ("target", LEADERS),
    ("routine", frozenset({Role.HEAD})),
    ("export", LEADERS),
    ("settings", LEADERS),
    ("lang", frozenset()),
    ("forget", frozenset()),
)

COMMAND_ROLES = dict(COMMANDS)


def commands_for(roles: Iterable[Role]) -> list[str]:
    """The commands a person holding `roles` may use, in menu order."""
    held = set(roles)
    return [name for name, allowed in COMMANDS if not allowed or held & allowed]


def may_use(command: str, roles: Iterable[Role]) -> bool:
    allowed = COMMAND_ROLES.get(command)
    if allowed is None:
        return False
    return not allowed or bool(set(roles) & allowed)


def invitable_roles(roles: Iterable[Role]) -> list[Role]:
    """Roles a member may invite others into: leaders invite heads and managers."""
    return [Role.HEAD, Role.MANAGER] if set(roles) & LEADERS else []


def ordered(roles: Iterable[Role]) -> list[Role]:
    """Roles from the most senior: owner, head, manager."""
    held = set(roles)
    return [role for role in Role if role in held]
