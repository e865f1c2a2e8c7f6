"""Who may change whom in a team: pure rules for the /team member menus (no aiogram, no SQL).

The rules, in the order they are checked:

- Only an active leader (owner or head) manages members; anyone else's press changes nothing.
- The person acted on must be in the leader's own team and still in it: a removed or forgotten
  member, or a member of another team, is answered like a stale button.
- Nobody acts on themselves here: leaving a team is /forget.
- The owner may do everything to anyone else: grant or revoke head and manager, pause, resume,
  remove, hand over ownership.
- A head manages managers only: pause, resume or remove a person who is neither owner nor head
  (and grant them the manager role). A head never touches the owner or another head, and never
  grants or revokes head nor hands over ownership.
- Nobody ends up with no role: a revoke that would leave none is refused (remove the person
  instead).
- The owner role changes only by a handover: the owner picks an active member who has not
  blocked the bot and confirms. The old owner becomes head (keeping the manager role if they
  sell), so they are never left with nothing. The last owner is never paused, removed or demoted.
- A paused member is only resumed or removed; their roles change once they are back. A person
  who has joined another team meanwhile cannot be resumed (one team at a time).

Standing, from the member row (no new columns):

- active: `active` is true;
- paused (deactivated): `active` false, roles kept, Telegram ID kept; no prompts, reminders,
  reports or digests, and the bot treats them as outsiders until they are resumed;
- removed: `active` false and no role left (a removal clears the roles), or no Telegram ID (a
  forgotten member). The row stays, so their past numbers stay in the team's history; a new
  invite to the same team brings the same row back.

Audit lines (models.audit.record_change), `before`/`after` as stored:

- "member-role": the roles as a code, "head-manager" (see `role_code`);
- "member-deactivated": "active" -> "deactivated"; "member-reactivated": the reverse;
- "member-removed": the roles code -> "removed";
- "owner-transferred": about the new owner, their roles code before -> after; the old owner's
  own change is a "member-role" line of its own;
- "invite-revoked": `before` is the invite's role.
Names never go into `before`/`after`, so a forgotten member's name is nowhere in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.roles import LEADERS, Role, ordered


class Action(StrEnum):
    """What a leader can do to a member; the values are short for callback data."""

    GRANT_HEAD = "gh"
    REVOKE_HEAD = "rh"
    GRANT_MANAGER = "gm"
    REVOKE_MANAGER = "rm"
    DEACTIVATE = "pause"
    REACTIVATE = "resume"
    REMOVE = "remove"
    TRANSFER = "owner"


ROLE_ACTIONS = {
    Action.GRANT_HEAD: (Role.HEAD, True),
    Action.REVOKE_HEAD: (Role.HEAD, False),
    Action.GRANT_MANAGER: (Role.MANAGER, True),
    Action.REVOKE_MANAGER: (Role.MANAGER, False),
}
# What the owner alone may do, whoever the member is.
OWNER_ONLY = frozenset({Action.GRANT_HEAD, Action.REVOKE_HEAD, Action.TRANSFER})
# Actions that ask "are you sure?" first.
CONFIRMED = frozenset({Action.REMOVE, Action.TRANSFER})


class Standing(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    REMOVED = "removed"


class Refusal(StrEnum):
    """Why a press changes nothing; each has a polite text (`team-refused`)."""

    NOT_LEADER = "not-leader"
    GONE = "gone"
    SELF = "self"
    OWNER = "owner"
    HEAD = "head"
    OWNER_ONLY = "owner-only"
    LAST_ROLE = "last-role"
    LAST_OWNER = "last-owner"
    PAUSED = "paused"
    ALREADY = "already"
    BLOCKED = "blocked"
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Person:
    """A member as the rules see them."""

    id: int
    team_id: int
    roles: frozenset[Role]
    standing: Standing
    blocked: bool = False


def standing_of(*, active: bool, roles: Iterable[Role], has_telegram: bool) -> Standing:
    if not has_telegram or not set(roles):
        return Standing.REMOVED
    return Standing.ACTIVE if active else Standing.DEACTIVATED


def role_code(roles: Iterable[Role]) -> str:
    """Roles as one word for the audit log and the catalogs: "owner-head", "manager", "none"."""
    return "-".join(role.value for role in ordered(roles)) or "none"


def roles_after(action: Action, roles: frozenset[Role]) -> frozenset[Role]:
    """The member's roles after a role action (others leave the roles as they are)."""
    if action not in ROLE_ACTIONS:
        return roles
    role, grant = ROLE_ACTIONS[action]
    return roles | {role} if grant else roles - {role}


def handover(
    old_owner: frozenset[Role], new_owner: frozenset[Role]
) -> tuple[frozenset[Role], frozenset[Role]]:
    """Roles of the old and the new owner after a handover: the old one becomes head."""
    return (old_owner - {Role.OWNER}) | {Role.HEAD}, new_owner | {Role.OWNER}


def can_manage(actor: Person | None) -> bool:
    return actor is not None and actor.standing is Standing.ACTIVE and bool(actor.roles & LEADERS)


def may_view(actor: Person | None, target: Person | None) -> Refusal | None:
    """Whether a leader may open this member's card (viewing needs no more than that)."""
    if actor is None or not can_manage(actor):
        return Refusal.NOT_LEADER
    if target is None or target.team_id != actor.team_id or target.standing is Standing.REMOVED:
        return Refusal.GONE
    return None


def refusal(
    actor: Person | None,
    target: Person | None,
    action: Action,
    *,
    owners: int,
    elsewhere: bool = False,
) -> Refusal | None:
    """Why `actor` may not do `action` to `target`, or None when they may.

    `owners` is how many active owners the team has; `elsewhere` whether the target is now
    active in another team (matters only for resuming them)."""
    seen = may_view(actor, target)
    if seen is not None:
        return seen
    assert actor is not None and target is not None
    if target.id == actor.id:
        return Refusal.SELF
    if Role.OWNER not in actor.roles:
        if Role.OWNER in target.roles:
            return Refusal.OWNER
        if Role.HEAD in target.roles:
            return Refusal.HEAD
        if action in OWNER_ONLY:
            return Refusal.OWNER_ONLY
    last_owner = Role.OWNER in target.roles and owners <= 1
    if action is Action.REACTIVATE:
        if target.standing is not Standing.DEACTIVATED:
            return Refusal.ALREADY
        return Refusal.ELSEWHERE if elsewhere else None
    if action is Action.REMOVE:
        return Refusal.LAST_OWNER if last_owner else None
    if target.standing is not Standing.ACTIVE:
        return Refusal.ALREADY if action is Action.DEACTIVATE else Refusal.PAUSED
    if action is Action.DEACTIVATE:
        return Refusal.LAST_OWNER if last_owner else None
    if action is Action.TRANSFER:
        if Role.OWNER in target.roles:
            return Refusal.ALREADY
        return Refusal.BLOCKED if target.blocked else None
    after = roles_after(action, target.roles)
    if after == target.roles:
        return Refusal.ALREADY
    return Refusal.LAST_ROLE if not after else None


def allowed_actions(actor: Person | None, target: Person | None, *, owners: int) -> list[Action]:
    """The buttons a member's card shows to `actor`."""
    return [a for a in Action if refusal(actor, target, a, owners=owners) is None]
