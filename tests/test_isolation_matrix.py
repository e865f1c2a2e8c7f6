"""Who sees and changes what: every command and every button family, pressed by each person of
two teams (owner, head, manager, a paused and a removed member) and by a stranger.

The world (`tests.live_bot.build_world`) is built once per backend and put back as built before
each case. In every case:

- nobody is shown another team's names, comments or numbers (texts, buttons, alerts, files);
- the other team's rows are exactly as they were;
- a command or a button the person's role may not use is refused politely and changes nothing;
- buttons carry the other team's ids (a forged press): each is refused and changes nothing.

The test ids read as a matrix: `test_command[sqlite-A.manager-digest]`,
`test_forged_buttons[postgresql-B.head-member_action]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.callbacks import (
    DayButton,
    ExportButton,
    ExportPeriod,
    FormAction,
    InviteRevoke,
    Language,
    MemberButton,
    OffAction,
    OffButton,
    PrivacyAction,
    PrivacyButton,
    RoutineButton,
    RoutineKind,
    SettingsAction,
    SettingsButton,
    SetupStep,
    TargetButton,
    TeamButton,
    TeamInviteRevoke,
    TeamSetup,
    TeamView,
)
from bot.i18n import texts
from domain.daily import EntryKind
from domain.membership import Action
from tests.conftest import BACKENDS, MOSCOW
from tests.fake_telegram import FakeUser
from tests.live_bot import (
    DATA_TABLES,
    Reply,
    Team,
    WorldRun,
    invite,
    leaks,
    open_world,
    request_content,
    team_rows,
)

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=MOSCOW)
RU = texts("ru")

PEOPLE = [
    "A.owner", "A.head", "A.manager", "A.paused", "A.removed",
    "B.owner", "B.head", "B.manager", "B.paused", "B.removed",
    "stranger",
]  # fmt: skip

# What each standing may use: the matrix the product brief's role table implies.
OUTSIDER_COMMANDS = {"start", "help", "lang", "forget"}
LEADER_COMMANDS = {
    "team", "digest", "forecast", "reasons", "invite", "target", "export", "settings",
}  # fmt: skip
ALLOWED = {
    "owner": OUTSIDER_COMMANDS | LEADER_COMMANDS,
    "head": OUTSIDER_COMMANDS | LEADER_COMMANDS | {"routine"},
    "manager": OUTSIDER_COMMANDS | {"plan", "report", "off", "me"},
    "paused": OUTSIDER_COMMANDS,
    "removed": OUTSIDER_COMMANDS,
    "stranger": OUTSIDER_COMMANDS,
}
COMMANDS = [
    "start", "help", "plan", "report", "edit", "off", "me", "team", "digest", "forecast",
    "reasons", "invite", "settings", "routine", "export", "lang", "forget", "target",
]  # fmt: skip
REFUSALS = {RU("not-your-role"), RU("not-a-member"), RU("unknown-command")}


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorldRun]:
    run = open_world(request, tmp_path_factory, request.param, NOON)
    yield run
    run.close()


def standing(who: str) -> str:
    return who.split(".")[-1]


def own_team(world: WorldRun, who: str) -> Team | None:
    if who == "stranger":
        return None
    return world.world.a if who.startswith("A.") else world.world.b


def other_team(world: WorldRun, who: str) -> Team:
    """The team whose ids a forged button carries: the other one (a stranger: team A)."""
    return world.world.b if who.startswith("A.") else world.world.a


def is_refusal(text: str) -> bool:
    return text in REFUSALS or text.startswith("⏸ ")


def check_reply(world: WorldRun, reply: Reply, person: FakeUser, what: str) -> None:
    refused = [
        (r.method, r.response)
        for r in reply.failed
        if "message is not modified" not in str((r.response or {}).get("description"))
    ]
    assert not refused, f"{what}: Telegram refused {refused}"
    leaked = leaks(world.world, reply, person)
    assert not leaked, f"{what}: shown another team's data: {leaked}"


# --- every command, as everyone --------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("who", PEOPLE)
def test_command(world: WorldRun, who: str, command: str) -> None:
    world.reset()
    person = world.world.person(who)
    live = world.live

    async def case() -> None:
        before = await live.snapshot()
        reply = await live.send(person, f"/{command}")
        check_reply(world, reply, person, f"{who} /{command}")
        shown = reply.texts(person.id)
        assert shown, f"{who} /{command}: no answer"
        assert await live.snapshot() == before, f"{who} /{command} changed data"
        if command in ALLOWED[standing(who)]:
            assert not any(is_refusal(text) for text in shown), f"{who} /{command}: {shown}"
        else:
            assert len(shown) == 1 and is_refusal(shown[0]), f"{who} /{command}: {shown}"
            if standing(who) == "paused":
                assert shown[0].startswith("⏸ ")  # told their membership is paused
        # Leaders see their own team in the reports (and nobody else's, checked above).
        team = own_team(world, who)
        if command in ("team", "digest", "forecast", "reasons") and standing(who) in (
            "owner",
            "head",
        ):
            assert team is not None and team.name in reply.plain(person.id)
        if command == "me" and standing(who) == "manager":
            assert "Менеджер" in reply.plain(person.id)

    world.run(case())


# --- button families, forged with the other team's ids ---------------------------------------


def forged(world: WorldRun, who: str, family: str) -> list[str]:
    """The presses of one family, carrying the other team's ids."""
    other = other_team(world, who)
    members = other.member_ids
    this_month, next_month = 202611, 202612
    if family == "team_card":
        return [TeamButton(view=TeamView.CARD, member_id=m).pack() for m in members.values()]
    if family == "member_action":
        return [
            MemberButton(action=action, member_id=members[role], confirmed=True).pack()
            for action in Action
            for role in ("owner", "head", "manager", "paused")
        ]
    if family == "invite_revoke":
        return [
            InviteRevoke(invite_id=other.invite_id).pack(),
            TeamInviteRevoke(invite_id=other.invite_id).pack(),
        ]
    if family == "settings_metric":
        presses = []
        for metric_id in other.metric_ids[:2]:
            presses.append(SettingsButton(action=SettingsAction.METRIC, metric_id=metric_id).pack())
            presses += [
                SettingsButton(action=SettingsAction.METRIC_DO, what=op, metric_id=metric_id).pack()
                for op in ("up", "down", "toggle", "kind", "key", "no-norm")
            ]
            presses += [
                SettingsButton(action=SettingsAction.ASK, what=field, metric_id=metric_id).pack()
                for field in ("metric-name", "metric-norm", "metric-max")
            ]
        return presses
    if family == "target":
        return [
            TargetButton(month=month, member_id=members[role]).pack()
            for month in (this_month, next_month)
            for role in ("manager", "paused", "head")
        ]
    if family == "routine":
        return [
            RoutineButton(kind=RoutineKind.ONE_ON_ONE, with_member_id=members[role]).pack()
            for role in ("manager", "paused", "removed")
        ]
    if family == "off_cancel":
        return [OffButton(action=OffAction.CANCEL, absence_id=other.absence_id).pack()]
    raise AssertionError(family)


FORGED_FAMILIES = [
    "team_card", "member_action", "invite_revoke", "settings_metric", "target", "routine",
    "off_cancel",
]  # fmt: skip
# After these presses a forged question may be open: the person then types an answer.
TYPED_AFTER = {"settings_metric": "Взлом 77", "target": "1 000 000"}


@pytest.mark.parametrize("family", FORGED_FAMILIES)
@pytest.mark.parametrize("who", PEOPLE)
def test_forged_buttons(world: WorldRun, who: str, family: str) -> None:
    world.reset()
    person = world.world.person(who)
    live = world.live
    other = other_team(world, who)

    async def case() -> None:
        before = await live.snapshot()
        # The press lands on the person's own latest screen (or, for someone the bot never
        # wrote to, on a message it cannot read).
        await live.send(person, "/help")
        for data in forged(world, who, family):
            query = live.callback_json(person, data)
            reply = await live.feed({"callback_query": query})
            what = f"{who} presses {data}"
            check_reply(world, reply, person, what)
            assert query["id"] in reply.answered_queries, f"{what}: not answered"
            assert reply.alerts or reply.to(person.id), f"{what}: no answer at all"
            if family in TYPED_AFTER:
                typed = await live.send(person, TYPED_AFTER[family])
                check_reply(world, typed, person, f"{what}, then types")
            after = await live.snapshot()
            assert team_rows(after, other.id) == team_rows(before, other.id), (
                f"{what}: the other team's data changed"
            )
            assert after == before, f"{what}: changed data"

    world.run(case())


# --- button families on the person's own team: what their role may do -----------------------

# (family, standings whose press may change their own team's data)
OWN_FAMILIES = {
    "team_lists": set(),
    "team_card": set(),
    "settings_pick": {"owner", "head"},
    "export": set(),
    "day_form": {"manager"},
    "off_kind": {"manager"},
    "privacy_forget": {"owner", "head", "manager"},
    "privacy_delete_team": {"owner"},
    "setup_head": {"owner"},
    "lang": set(),
    "routine_planning": {"head"},
}


def own_presses(world: WorldRun, who: str, family: str) -> list[str]:
    team = own_team(world, who) or world.world.a
    if family == "team_lists":
        return [
            TeamButton(view=TeamView.MEMBERS, new=True).pack(),
            TeamButton(view=TeamView.INVITES, new=True).pack(),
        ]
    if family == "team_card":
        return [
            TeamButton(view=TeamView.CARD, member_id=m).pack() for m in team.member_ids.values()
        ]
    if family == "settings_pick":
        return [
            SettingsButton(action=SettingsAction.PICK, what="locale", value="en").pack(),
            SettingsButton(action=SettingsAction.PICK, what="workdays", value="6").pack(),
            SettingsButton(action=SettingsAction.SECTION, what="history").pack(),
        ]
    if family == "export":
        return [
            ExportButton(period=p).pack()
            for p in (ExportPeriod.THIS_MONTH, ExportPeriod.LAST_MONTH)
        ]
    if family == "day_form":
        return [
            DayButton(kind=EntryKind.PLAN, day=20261123, action=FormAction.OPEN).pack(),
            DayButton(kind=EntryKind.FACT, day=20261123, action=FormAction.CONFIRM).pack(),
        ]
    if family == "off_kind":
        return [OffButton(action=OffAction.KIND, first=20261125, last=20261126, kind="sick").pack()]
    if family == "privacy_forget":
        return [PrivacyButton(action=PrivacyAction.FORGET_CONFIRM).pack()]
    if family == "privacy_delete_team":
        return [PrivacyButton(action=PrivacyAction.DELETE_TEAM_CONFIRM).pack()]
    if family == "setup_head":
        return [TeamSetup(step=SetupStep.HEAD_YES).pack()]
    if family == "lang":
        return [Language(language="en").pack(), Language(language="ru").pack()]
    if family == "routine_planning":
        return [RoutineButton(kind=RoutineKind.PLANNING).pack()]
    raise AssertionError(family)


@pytest.mark.parametrize("family", list(OWN_FAMILIES))
@pytest.mark.parametrize("who", PEOPLE)
def test_own_team_buttons(world: WorldRun, who: str, family: str) -> None:
    world.reset()
    person = world.world.person(who)
    live = world.live
    other = other_team(world, who)
    team = own_team(world, who)

    async def case() -> None:
        before = await live.snapshot()
        await live.send(person, "/help")
        files: list[str] = []
        for data in own_presses(world, who, family):
            query = live.callback_json(person, data)
            reply = await live.feed({"callback_query": query})
            what = f"{who} presses {data}"
            check_reply(world, reply, person, what)
            assert query["id"] in reply.answered_queries, f"{what}: not answered"
            files += [request_content(r) for r in reply.requests if r.files]
        after = await live.snapshot()
        if team is not None and team is not other:
            assert team_rows(after, other.id) == team_rows(before, other.id), (
                f"{who} {family}: the other team's data changed"
            )
        if standing(who) not in OWN_FAMILIES[family]:
            changed = [t for t in DATA_TABLES if after[t] != before[t]]
            assert not changed, f"{who} {family}: changed {changed}"
        if family == "export":
            leader = standing(who) in ("owner", "head")
            assert bool(files) == leader, f"{who} export: files {len(files)}"
            if leader:  # this month's XLSX and CSV hold the person's own team's payments
                assert team is not None and any(team.secrets[3] in c for c in files), who

    world.run(case())


def test_export_files_hold_only_the_own_team(world: WorldRun) -> None:
    """Both leaders' files, side by side: each has its own team's manager and revenue only."""
    world.reset()
    live = world.live

    async def case() -> None:
        for team, other in ((world.world.a, world.world.b), (world.world.b, world.world.a)):
            for leader in (team.owner, team.head):
                await live.send(leader, "/export")
                reply = await live.press(leader, "Этот месяц")
                contents = [request_content(r) for r in reply.requests if r.files]
                assert len(contents) == 2, "an XLSX and a CSV"
                for content in contents:
                    assert f"Менеджер {team.secrets[1]}" in content
                    assert team.secrets[3] in content
                    assert other.secrets[1] not in content and other.secrets[3] not in content

    world.run(case())


# --- opening the other team's invite link ------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_opening_the_other_teams_invite(world: WorldRun, who: str) -> None:
    """Someone active in a team cannot join another with a link; a paused or removed member or
    a stranger joins the team the link is for, and nothing of their former team comes along."""
    world.reset()
    person = world.world.person(who)
    live = world.live
    other = other_team(world, who)
    own = own_team(world, who)

    async def case() -> None:
        code = await invite(live, other.owner, "Менеджер")
        before = await live.snapshot()
        reply = await live.send(person, f"/start {code}")
        refused = [
            (r.method, r.response)
            for r in reply.failed
            if "message is not modified" not in str((r.response or {}).get("description"))
        ]
        assert not refused, refused
        after = await live.snapshot()
        shown = reply.plain(person.id)
        if own is not None:
            assert team_rows(after, own.id) == team_rows(before, own.id), "former team changed"
        if standing(who) in ("owner", "head", "manager"):
            assert own is not None and f"«{own.name}»" in shown and other.name not in shown
            assert after == before, f"{who}: joined another team"
            return
        assert "Добро пожаловать" in shown and other.name in shown, shown
        if own is not None:
            assert not [s for s in own.secrets if s != own.secrets[1] and s in shown], shown
        joined = [row for row in after["members"] if row not in before["members"]]
        assert [row[1] for row in joined] == [other.id], joined  # one new member, there

    world.run(case())
