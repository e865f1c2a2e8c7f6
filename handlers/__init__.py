"""Routers by feature; this list fixes the order they are tried in.

Each module builds a fresh router, so any number of dispatchers (tests, several bots) can exist.
"""

from aiogram import Router

from handlers import (
    common,
    daily,
    export,
    fallback,
    invite,
    me,
    off,
    privacy,
    reports,
    routine,
    settings,
    start,
    targets,
    team,
)


def routers() -> list[Router]:
    return [
        start.create_router(),
        invite.create_router(),
        daily.create_router(),
        off.create_router(),
        me.create_router(),
        targets.create_router(),
        routine.create_router(),
        reports.create_router(),
        export.create_router(),
        settings.create_router(),
        team.create_router(),
        privacy.create_router(),
        common.create_router(),
        fallback.create_router(),
    ]
