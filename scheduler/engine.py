"""The tick: what is due since the last tick, done now. Nothing lives only here: a restart
re-reads the day from local midnight, and the delivery log stops anything done twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from domain.calendar import is_workday
from domain.schedule import EventKind, TeamSchedule, due_events, start_of_day
from models import Team
from scheduler.delivery import retryable_slots
from scheduler.jobs import Due, JobReport, Jobs, run_event, run_events, teams

log = logging.getLogger(__name__)


def schedule_of(team: Team) -> TeamSchedule:
    workdays, country = team.workdays, team.holiday_country
    return TeamSchedule(
        team_id=team.id,
        timezone=team.timezone,
        morning_at=team.morning_at,
        evening_at=team.evening_at,
        reminder_delay=timedelta(minutes=team.reminder_delay_minutes),
        digest_at=team.digest_at,
        forecast_weekday=team.forecast_weekday,
        forecast_at=team.forecast_at,
        is_workday=lambda day: is_workday(day, workdays, country),
    )


# How often sends that Telegram did not take are looked for again.
RETRY_EVERY = timedelta(minutes=15)


class Engine:
    def __init__(self, jobs: Jobs, last_tick: datetime | None = None) -> None:
        """`last_tick` None (a fresh start) catches up from each team's local midnight."""
        self.jobs = jobs
        self._last_tick = last_tick
        self._last_retry: datetime | None = None

    async def tick(self) -> JobReport:
        """Run everything that came due since the previous tick (since local midnight on the
        first tick after a start), then retry sends that Telegram did not take."""
        now = self.jobs.clock.now()
        report = JobReport()
        by_id: dict[int, Team] = {}
        events: list[tuple[datetime, Due]] = []
        for team in await teams(self.jobs):
            by_id[team.id] = team
            since = self._last_tick or start_of_day(now, team.timezone)
            for event in due_events(schedule_of(team), since, now):
                log.info("team %s: %s for %s", team.id, event.kind, event.day)
                events.append((event.at, Due(event.kind, team, event.day, event.late)))
        events.sort(key=lambda pair: pair[0])
        report.add(await run_events(self.jobs, [due for _, due in events]))
        if self._last_retry is None or now - self._last_retry >= RETRY_EVERY:
            self._last_retry = now
            report.add(await self._retry(now, by_id))
        self._last_tick = now
        return report

    async def _retry(self, now: datetime, by_id: dict[int, Team]) -> JobReport:
        report = JobReport()
        kinds = {kind.value for kind in EventKind}
        for team_id, kind, day in await retryable_slots(
            self.jobs.pool, (now - timedelta(days=1)).date()
        ):
            retried = by_id.get(team_id)
            if retried is None or kind not in kinds:
                continue
            # Retried only while still useful: today, and not past the event's window.
            window = start_of_day(now, retried.timezone)
            still_due = due_events(schedule_of(retried), window, now)
            if any(event.kind == kind and event.day == day for event in still_due):
                report.add(await run_event(self.jobs, EventKind(kind), retried, day))
        return report
