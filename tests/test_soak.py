"""A simulated quarter (tests/soak.py): fifty managers, their head and the owner, from
Monday 31 August to 30 November, through the real dispatcher and the real engine on an injected
clock. Every simulated day the evening digest, the weekly forecast and a month-to-date export
are checked against the database, and every prompt, reminder and digest against who should
have had it. Plus the regressions the quarter found, as quick tests of their own."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from aiogram.methods import SendMessage

from bot.clock import ManualClock
from models.db import SessionPool, create_engine, create_session_pool
from scheduler.jobs import Jobs, run_job
from tests.bot_client import Harness
from tests.conftest import MOSCOW
from tests.scenarios import team_with_managers
from tests.soak import LAST_DAY, Quarter

# SOAK_LAST_DAY=2026-09-10 runs the first days only, while working on the simulation.
LAST = date.fromisoformat(os.environ.get("SOAK_LAST_DAY", LAST_DAY.isoformat()))


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the quarter takes minutes, and PostgreSQL is covered by the other tests."""
    path = tmp_path / "soak.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.mark.slow
async def test_a_quarter_of_a_fifty_manager_team(
    sqlite_url: str,
    record_property: Callable[[str, object], None],
    tmp_path_factory: pytest.TempPathFactory,
):
    """The figures are printed (run with -s) and written to `soak_figures.txt` in pytest's base
    temp directory."""
    engine = create_engine(sqlite_url)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        quarter = Quarter(sqlite_url, create_session_pool(engine), last_day=LAST)
        await quarter.setup()
        figures = await quarter.run()
    finally:
        await engine.dispose()
    summary = (
        f"{figures.summary()}; {time.perf_counter() - started:.0f} s "
        f"({time.process_time() - cpu:.0f} s of CPU)"
    )
    record_property("soak", summary)
    (tmp_path_factory.getbasetemp() / "soak_figures.txt").write_text(summary + "\n")
    assert not figures.findings, figures.findings
    print(f"\nsoak: {summary}")


async def test_a_manager_who_unblocks_the_bot_is_prompted_again(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    """Found by the quarter: a 403 marked the member for good, so someone who unblocked the
    bot and wrote to it never got a prompt again; blocking it again is news to the head."""
    head, [ivan] = await team_with_managers(harness, "Иван")
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    harness.bot.session.queue_error(SendMessage, 403, "Forbidden: bot was blocked by the user")
    morning = await run_job(jobs, "morning")
    harness.sync()
    assert morning.skipped == {"blocked": 1}
    assert "Иван заблокировал(а) бота" in head.last.text
    await ivan.send("/me")  # unblocked, and writes
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=MOSCOW))
    evening = await run_job(jobs, "evening")
    harness.sync()
    assert evening.sent == 1
    assert ivan.last.text.startswith("🌙 <b>Итоги дня")

    clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=MOSCOW))
    harness.bot.session.queue_error(SendMessage, 403, "Forbidden: bot was blocked by the user")
    again = await run_job(jobs, "morning")
    harness.sync()
    assert again.skipped == {"blocked": 1}
    told = [text for text in head.texts() if "Иван заблокировал(а) бота" in text]
    assert len(told) == 2, "told again: the second time is news"
