"""A team's local time, from the injected clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from models import Team


def team_now(clock: Clock, team: Team) -> datetime:
    return clock.now().astimezone(ZoneInfo(team.timezone))


def team_today(clock: Clock, team: Team) -> date:
    return team_now(clock, team).date()
