"""Working days: the team's weekdays, minus public holidays, plus moved working days.

Holidays come from the `holidays` package (pure data, no I/O), Russia by default.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays


@cache
def _calendar(country: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, weekend days moved to be working days) for a country and year."""
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return frozenset(), frozenset()
    moved = frozenset(getattr(calendar, "weekend_workdays", ()) or ())
    return frozenset(calendar.keys()), moved


def is_workday(day: date, workdays: str, country: str | None) -> bool:
    """`workdays` holds ISO weekday digits ("12345" is Monday to Friday)."""
    if country:
        off, moved = _calendar(country.upper(), day.year)
        if day in moved:
            return True
        if day in off:
            return False
    return str(day.isoweekday()) in workdays


def holiday_name(day: date, country: str | None) -> str | None:
    if not country:
        return None
    try:
        calendar = holidays.country_holidays(country.upper(), years=day.year)
    except NotImplementedError:
        return None
    name = calendar.get(day)
    return str(name) if name else None
