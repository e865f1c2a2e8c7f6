"""`python -m scheduler` for real: the process ticks, sends a due prompt through the real
aiogram client to the fake Bot API, and a restart sends nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e


def _noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now, so the test never straddles midnight."""
    offset = 12 - now.hour
    offset = max(-12, min(14, offset))
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def _team(database: Path) -> None:
    """A team whose morning prompt came due a minute ago, with two managers."""
    from datetime import time
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    zone = _noon_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    morning = (local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    evening = (local + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    created = (now - timedelta(days=1)).isoformat(sep=" ")
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO teams (id, name, timezone, locale, workdays, holiday_country, morning_at,"
            " evening_at, reminder_delay_minutes, digest_at, forecast_weekday, forecast_at,"
            " alert_streak_days, alert_forecast_percent, far_below_plan_percent,"
            " activity_drop_percent, created_at)"
            " VALUES (1, 'Ромашка', ?, 'ru', '1234567', NULL, ?, ?, 0, ?, 8, ?, 3, 80, 70, 30, ?)",
            (zone, morning.isoformat(), evening.isoformat(), time(23, 59).isoformat(),
             time(9).isoformat(), created),
        )  # fmt: skip
        for member_id, telegram_id, name in ((1, 801, "Иван"), (2, 802, "Мария")):
            db.execute(
                "INSERT INTO members (id, team_id, telegram_id, full_name, is_owner, is_head,"
                " is_manager, active, joined_at) VALUES (?, 1, ?, ?, 0, 0, 1, 1, ?)",
                (member_id, telegram_id, name, created),
            )
        for position, key in enumerate(("calls", "meetings", "revenue")):
            db.execute(
                "INSERT INTO metrics (team_id, key, kind, daily_norm, max_value, position, is_key,"
                " active) VALUES (1, ?, ?, 3000, 100000000, ?, ?, 1)",
                (key, "money" if key == "revenue" else "count", position, int(key == "calls")),
            )


async def _migrate(database: Path) -> None:
    from models.db import create_engine, migrate

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await migrate(engine)
    await engine.dispose()


async def _scheduler(tg: FakeTelegram, database: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:E2E-SCHEDULER",
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "INFO",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scheduler", cwd=database.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), timeout=30)
    assert process.stderr is not None
    return (await process.stderr.read()).decode(errors="replace")


async def test_scheduler_process_sends_due_prompt_once_across_restart(tmp_path: Path):
    database = tmp_path / "bot.sqlite3"
    await _migrate(database)
    _team(database)
    async with FakeTelegram() as tg:
        process = await _scheduler(tg, database)
        try:
            for chat in (801, 802):
                prompt = await tg.wait_for("sendMessage", chat_id=chat, timeout=60)
                assert "План на" in (prompt.text or "")
        finally:
            log = await _stop(process)
        assert "Traceback" not in log, log

        process = await _scheduler(tg, database)
        await asyncio.sleep(8)  # its catch-up tick runs at once
        log = await _stop(process)
        assert "Traceback" not in log, log
        sent = [r for r in tg.calls("sendMessage") if r.ok]
        assert sorted(int(r.chat_id or 0) for r in sent) == [801, 802], (
            "a restart sends nothing twice"
        )
