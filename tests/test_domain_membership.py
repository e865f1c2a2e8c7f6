"""Who may change whom in a team: the rules as a table, and their promises under hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.membership import (
    OWNER_ONLY,
    Action,
    Person,
    Refusal,
    Standing,
    allowed_actions,
    handover,
    refusal,
    role_code,
    roles_after,
    standing_of,
)
from domain.roles import Role

OWNER, HEAD, MANAGER = Role.OWNER, Role.HEAD, Role.MANAGER


def who(
    id: int,
    *roles: Role,
    team: int = 1,
    standing: Standing = Standing.ACTIVE,
    blocked: bool = False,
) -> Person:
    return Person(id, team, frozenset(roles), standing, blocked)


OWNER_HEAD = who(1, OWNER, HEAD)
HEAD_ONLY = who(2, HEAD)
IVAN = who(3, MANAGER)
SELLING_HEAD = who(4, HEAD, MANAGER)


@pytest.mark.parametrize(
    ("actor", "target", "action", "expected"),
    [
        (OWNER_HEAD, IVAN, Action.GRANT_HEAD, None),
        (OWNER_HEAD, IVAN, Action.REVOKE_MANAGER, Refusal.LAST_ROLE),
        (OWNER_HEAD, IVAN, Action.GRANT_MANAGER, Refusal.ALREADY),
        (OWNER_HEAD, SELLING_HEAD, Action.REVOKE_HEAD, None),
        (OWNER_HEAD, IVAN, Action.TRANSFER, None),
        (OWNER_HEAD, who(3, MANAGER, blocked=True), Action.TRANSFER, Refusal.BLOCKED),
        (OWNER_HEAD, OWNER_HEAD, Action.REMOVE, Refusal.SELF),
        (HEAD_ONLY, IVAN, Action.DEACTIVATE, None),
        (HEAD_ONLY, IVAN, Action.REMOVE, None),
        (HEAD_ONLY, IVAN, Action.GRANT_HEAD, Refusal.OWNER_ONLY),
        (HEAD_ONLY, IVAN, Action.TRANSFER, Refusal.OWNER_ONLY),
        (HEAD_ONLY, OWNER_HEAD, Action.REMOVE, Refusal.OWNER),
        (HEAD_ONLY, SELLING_HEAD, Action.REVOKE_MANAGER, Refusal.HEAD),
        (HEAD_ONLY, SELLING_HEAD, Action.DEACTIVATE, Refusal.HEAD),
        (IVAN, HEAD_ONLY, Action.REMOVE, Refusal.NOT_LEADER),
        (who(2, HEAD, standing=Standing.DEACTIVATED), IVAN, Action.REMOVE, Refusal.NOT_LEADER),
        (HEAD_ONLY, who(3, MANAGER, team=2), Action.DEACTIVATE, Refusal.GONE),
        (HEAD_ONLY, who(3, standing=Standing.REMOVED), Action.REMOVE, Refusal.GONE),
        (HEAD_ONLY, None, Action.REMOVE, Refusal.GONE),
        (HEAD_ONLY, who(3, MANAGER, standing=Standing.DEACTIVATED), Action.DEACTIVATE,
         Refusal.ALREADY),
        (HEAD_ONLY, who(3, MANAGER, standing=Standing.DEACTIVATED), Action.REACTIVATE, None),
        (HEAD_ONLY, who(3, MANAGER, standing=Standing.DEACTIVATED), Action.REMOVE, None),
        (OWNER_HEAD, who(3, MANAGER, standing=Standing.DEACTIVATED), Action.GRANT_HEAD,
         Refusal.PAUSED),
        (HEAD_ONLY, IVAN, Action.REACTIVATE, Refusal.ALREADY),
    ],
)  # fmt: skip
def test_rules(actor: Person, target: Person | None, action: Action, expected: Refusal | None):
    assert refusal(actor, target, action, owners=1) == expected


def test_a_person_who_joined_another_team_meanwhile_cannot_be_resumed():
    paused = who(3, MANAGER, standing=Standing.DEACTIVATED)
    assert refusal(HEAD_ONLY, paused, Action.REACTIVATE, owners=1, elsewhere=True) == (
        Refusal.ELSEWHERE
    )


def test_the_buttons_each_leader_sees():
    assert allowed_actions(OWNER_HEAD, IVAN, owners=1) == [
        Action.GRANT_HEAD, Action.DEACTIVATE, Action.REMOVE, Action.TRANSFER,
    ]  # fmt: skip
    assert allowed_actions(OWNER_HEAD, SELLING_HEAD, owners=1) == [
        Action.REVOKE_HEAD, Action.REVOKE_MANAGER, Action.DEACTIVATE, Action.REMOVE,
        Action.TRANSFER,
    ]  # fmt: skip
    assert allowed_actions(HEAD_ONLY, IVAN, owners=1) == [Action.DEACTIVATE, Action.REMOVE]
    assert allowed_actions(HEAD_ONLY, OWNER_HEAD, owners=1) == []
    assert allowed_actions(HEAD_ONLY, SELLING_HEAD, owners=1) == []
    assert allowed_actions(IVAN, HEAD_ONLY, owners=1) == []


def test_the_old_owner_becomes_head_and_keeps_selling():
    assert handover(frozenset({OWNER}), frozenset({MANAGER})) == (
        frozenset({HEAD}), frozenset({OWNER, MANAGER}),
    )  # fmt: skip
    assert handover(frozenset({OWNER, MANAGER}), frozenset({HEAD})) == (
        frozenset({HEAD, MANAGER}), frozenset({OWNER, HEAD}),
    )  # fmt: skip


def test_codes_and_standing():
    assert role_code({MANAGER, OWNER, HEAD}) == "owner-head-manager"
    assert role_code(()) == "none"
    assert standing_of(active=True, roles={MANAGER}, has_telegram=True) is Standing.ACTIVE
    assert standing_of(active=False, roles={MANAGER}, has_telegram=True) is Standing.DEACTIVATED
    assert standing_of(active=False, roles=(), has_telegram=True) is Standing.REMOVED
    # A forgotten member (/forget) keeps their roles but not their Telegram ID.
    assert standing_of(active=False, roles={MANAGER}, has_telegram=False) is Standing.REMOVED


roles = st.frozensets(st.sampled_from(list(Role)), min_size=1)
people = st.builds(
    Person,
    id=st.integers(1, 4),
    team_id=st.integers(1, 2),
    roles=roles,
    standing=st.sampled_from(list(Standing)),
    blocked=st.booleans(),
)


@given(people, st.one_of(st.none(), people), st.sampled_from(list(Action)), st.integers(0, 3),
       st.booleans())  # fmt: skip
def test_whatever_is_allowed_keeps_the_team_sound(
    actor: Person, target: Person | None, action: Action, owners: int, elsewhere: bool
):
    owners = max(owners, sum(OWNER in p.roles for p in (actor, target) if p is not None))
    if refusal(actor, target, action, owners=owners, elsewhere=elsewhere) is not None:
        return
    assert target is not None
    assert actor.standing is Standing.ACTIVE and actor.roles & {OWNER, HEAD}
    assert actor.team_id == target.team_id and actor.id != target.id
    assert target.standing is not Standing.REMOVED
    if OWNER not in actor.roles:
        assert not target.roles & {OWNER, HEAD}, "a head manages managers only"
        assert action not in OWNER_ONLY
    if action is not Action.REMOVE:
        assert roles_after(action, target.roles), "nobody is left without a role"
    if action in (Action.REMOVE, Action.DEACTIVATE) and OWNER in target.roles:
        assert owners >= 2, "the last owner stays"
    if action is Action.TRANSFER:
        old, new = handover(actor.roles, target.roles)
        assert OWNER in new and OWNER not in old and HEAD in old
    if action is Action.REACTIVATE:
        assert not elsewhere
