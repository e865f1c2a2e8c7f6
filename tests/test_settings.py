"""/settings as a head of sales uses it: menus, typed values, refusals, the change history, and
the schedule following the new settings from the scheduler's next tick."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.callbacks import SettingsAction, SettingsButton
from bot.clock import ManualClock
from models import AuditRecord, Metric, Team
from models.db import SessionPool
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from tests.bot_client import BotClient, Harness
from tests.scenarios import code_of, create_team, invite_link, join, team_with_managers

MONDAY = date(2026, 11, 23)


def utc(hour: int, minute: int = 0) -> datetime:
    return datetime(MONDAY.year, MONDAY.month, MONDAY.day, hour, minute, tzinfo=UTC)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def team_row(session_pool: SessionPool, team_id: int = 1) -> Team:
    async with session_pool() as session:
        team = await session.get(Team, team_id)
        assert team is not None
        return team


async def metric_row(session_pool: SessionPool, key: str, team_id: int = 1) -> Metric:
    async with session_pool() as session:
        metric = await session.scalar(
            select(Metric).where(Metric.team_id == team_id, Metric.key == key)
        )
        assert metric is not None
        return metric


async def open_metric(head: BotClient, name: str) -> None:
    await head.send("/settings")
    await head.press("Показатели и нормы")
    await head.press(name)


async def test_new_evening_time_timezone_and_norm_drive_the_next_ticks(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await head.send("/settings")
    assert "Настройки команды «Ромашка»" in head.last.text
    assert "вечер 18:00" in head.last.text and "Москва (UTC+3)" in head.last.text

    await head.press("Расписание")
    await head.press("Вечерний вопрос")
    assert "сейчас <b>18:00</b>" in head.last.text
    await head.send("18:30")
    assert "✅ Вечерний вопрос (итоги): 18:00 → <b>18:30</b>" in head.last.text
    await head.press("Назад")
    await head.press("Часовой пояс")
    await head.press("Калининград")
    assert head.alerts[-1] == "✅ Сохранено"
    assert "Часовой пояс: Калининград (UTC+2)" in head.last.text

    await head.press("Показатели и нормы")
    await head.press("Звонки")
    await head.press("Норма")
    await head.send("25")
    assert "✅ Норма «Звонки»: <b>25</b> в день." in head.last.text

    team = await team_row(session_pool)
    assert (team.evening_at, team.timezone) == (time(18, 30), "Europe/Kaliningrad")

    # The manager's plan form shows the new norm at once, and measures the plan against it.
    await ivan.send("/plan")
    assert "Нормы команды: Звонки 25 ·" in ivan.last.text
    await ivan.send("24 2 3 5 1 100000")
    assert "Звонки: <b>24</b> ⚠️ ниже нормы (25)" in ivan.last.text
    await ivan.press("Подтвердить")

    # The scheduler reads the team on its next tick: 18:30 in Kaliningrad is 16:30 UTC.
    # Not at the old time (18:00 Moscow, 15:00 UTC), nor at the new time in the old zone
    # (15:30 UTC), nor at the old time in the new zone (16:00 UTC).
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    engine = Engine(jobs, last_tick=clock.now())
    for moment in (utc(15, 1), utc(15, 31), utc(16, 1), utc(16, 29)):
        clock.set(moment)
        await engine.tick()
        harness.sync()
        assert not any("Итоги дня" in text for text in ivan.texts()), moment
    clock.set(utc(16, 31))
    await engine.tick()
    harness.sync()
    assert "Итоги дня, понедельник, 23 ноября" in ivan.last.text
    assert "Звонки — план 24" in ivan.last.text

    # The digest follows too: at 20:00 Kaliningrad (18:00 UTC), with calls measured against
    # the new norm (20 of 25 = 80 %).
    await ivan.send("20 2 3 5 1 100000")
    await ivan.press("Клиенты не отвечали")
    await ivan.press("Без комментария")
    await ivan.press("Подтвердить")
    clock.set(utc(17, 59))
    await engine.tick()
    harness.sync()
    assert not any("Сводка за" in text for text in head.texts())
    clock.set(utc(18, 1))
    await engine.tick()
    harness.sync()
    digest = next(text for text in head.texts() if "Сводка за" in text)
    assert "Звонки: 20 из 24 (83 %) · норма 80 %" in plain(digest)


async def test_bad_values_are_explained_and_change_nothing(
    harness: Harness, session_pool: SessionPool
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await head.send("/settings")
    await head.press("Расписание")
    await head.press("Вечерний вопрос")
    await head.send("25:00")
    assert "Не понял время «25:00»" in head.last.text and "<code>ЧЧ:ММ</code>" in head.last.text
    await head.send("20:30")
    assert "Вечерний вопрос должен приходить раньше сводки" in head.last.text
    assert "сводка 20:00" in head.last.text
    await head.send("/cancel")
    assert head.last.text.startswith("Отменено, ничего не изменилось.")
    await head.send("19:00")
    assert "Не понял сообщение" in head.last.text, "after /cancel nothing waits for a time"

    await head.press("Часовой пояс")
    await head.send("Mars/Olympus")
    assert "Не знаю часового пояса «Mars/Olympus»" in head.last.text
    await head.send("UTC+5:30")
    assert "✅ Часовой пояс: Москва (UTC+3) → <b>" in head.last.text

    await open_metric(head, "Звонки")
    await head.press("Норма")
    await head.send("-5")
    assert "Не может быть меньше нуля: напишите 0 или больше." in head.last.text
    await head.send("тридцать")
    assert "«тридцать» — не похоже на число" in head.last.text
    await head.send("2,5")
    assert "нужно целое число" in head.last.text
    await head.send("5000")
    assert "не больше 1" in plain(head.last.text) and "1 000" in plain(head.last.text)

    await head.press("Назад")
    await head.press("Назад")
    await head.press("Добавить показатель")
    await head.send(" \u200b ")
    assert "Название не может быть пустым" in head.last.text
    await head.send("Очень длинное название показателя для отдела")
    assert "не больше 40 символов" in head.last.text
    await head.send("встречи")
    assert "Показатель с таким названием уже есть" in head.last.text
    await head.send("<b>Звонки</b>")
    assert "«&lt;b&gt;Звонки&lt;/b&gt;» — это количество" in head.last.text
    await head.send("штуки")
    assert "«&lt;b&gt;Звонки&lt;/b&gt;» — это количество" in head.last.text, "asked again"
    await head.press("Количество")
    assert "📊 <b>&lt;b&gt;Звонки&lt;/b&gt;</b>" in head.last.text

    team = await team_row(session_pool)
    assert (team.evening_at, team.timezone) == (time(18, 0), "Asia/Kolkata")
    calls = await metric_row(session_pool, "calls")
    assert calls.daily_norm == Decimal(30)
    added = await metric_row(session_pool, "m1")
    assert (added.label, added.kind, added.daily_norm) == ("<b>Звонки</b>", "count", None)

    await head.send("/settings")
    await head.press("Показатели и нормы")
    assert "7. &lt;b&gt;Звонки&lt;/b&gt; — количество, норма нет" in head.last.text
    assert "<b>Звонки</b>" in [text for text, _ in head.last.buttons()], "buttons are not markup"
    await ivan.send("/plan")
    assert "&lt;b&gt;Звонки&lt;/b&gt;" in ivan.last.text
    assert "<b>Звонки</b>" not in ivan.last.text


async def test_metric_rules_keep_the_daily_form_sound(harness: Harness, session_pool: SessionPool):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await open_metric(head, "Звонки")
    assert "⭐ Ключевой показатель" in head.last.text
    await head.press("Отключить")
    assert head.alerts[-1].startswith("Это ключевой показатель")
    assert (await metric_row(session_pool, "calls")).active

    await head.press("Назад")
    await head.press("Встречи")
    await head.press("Сделать ключевым")
    await head.press("Назад")
    assert "1. Звонки — количество, норма 30" in head.last.text
    assert "2. ⭐ Встречи" in head.last.text
    await head.press("Звонки")
    await head.press("Отключить")
    assert "🚫 Отключён" in head.last.text
    await head.press("Назад")
    await head.press("Сделки")
    await head.press("Выше")
    await head.press("Переименовать")
    await head.send("Закрытые сделки")
    assert "✅ Показатель «Сделки» теперь называется «Закрытые сделки»." in head.last.text
    await head.press("Тип: деньги")
    card = plain(head.last.text)
    assert "Тип: деньги" in card and "Максимум за день: 1 000 000 000" in card
    assert "💰 По нему считаются цели месяца" in card, "it now comes before Оплаты"
    await head.press("Максимум")
    await head.send("0")
    assert "Максимум должен быть больше нуля" in head.last.text
    await head.send("5 млн")
    assert "Максимум «Закрытые сделки»: <b>5 000 000</b>" in plain(head.last.text)

    await ivan.send("/plan")
    order = next(line for line in ivan.last.text.splitlines() if "по порядку" in line)
    assert "Встречи, КП, Закрытые сделки, Лиды, Оплаты" in order
    assert "Звонки" not in ivan.last.text
    await ivan.send("2 3 150000 5 100000")
    assert "Закрытые сделки: <b>150 000</b>" in plain(ivan.last.text)


async def test_schedule_calendar_thresholds_and_language_in_taps(
    harness: Harness, session_pool: SessionPool
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await head.send("/settings")
    await head.press("Расписание")
    await head.press("Напоминание")
    await head.press("через 120 мин")
    assert "Напоминание: <b>через 120 мин</b>" in head.last.text
    assert "Вечернее напоминание не успевает до сводки" in head.last.text
    await head.press("День прогноза")
    await head.press("Пт")
    assert "День прогноза: <b>Пт</b>" in head.last.text
    await head.press("Назад")

    await head.press("Рабочие дни")
    await head.press("Сб")
    assert "Рабочие дни</b>: Пн–Сб" in head.last.text
    for day in ("Пн", "Вт", "Ср", "Чт", "Пт"):
        await head.press(day)
    await head.press("Сб")
    assert head.alerts[-1] == "Хотя бы один день недели должен остаться рабочим."
    assert (await team_row(session_pool)).workdays == "6"
    await head.press("Назад")

    await head.press("Праздники")
    await head.send("ZZ")
    assert "Не знаю страны с кодом «ZZ»" in head.last.text
    await head.send("am")
    assert "Праздники: Россия → <b>AM</b>" in head.last.text
    await head.press("Праздники")
    await head.press("без праздников")
    assert "праздники: без праздников" in head.last.text

    await head.press("Предупреждения")
    await head.press("Дней подряд ниже нормы")
    await head.send("0")
    assert "Нужно число от 1 до 30" in head.last.text
    await head.send("5")
    assert "Дней подряд ниже нормы: 3 → <b>5</b>" in head.last.text

    await ivan.send("/lang")
    await ivan.press("Русский")  # his own choice: the team's language no longer moves him
    await head.press("Назад")
    await head.press("Язык")
    await head.press("English")
    assert "Team language: English" in head.last.text, "the head follows the team's language"
    assert ("settings", "Team settings") in (head.menu_items() or []), "so does the menu"
    assert ("plan", "План на сегодня") in (ivan.menu_items() or [])
    team = await team_row(session_pool)
    assert (team.reminder_delay_minutes, team.forecast_weekday, team.holiday_country) == (
        120, 5, None,
    )  # fmt: skip
    assert (team.alert_streak_days, team.locale) == (5, "en")


async def test_owner_reads_who_changed_what(harness: Harness, session_pool: SessionPool):
    owner = harness.user(1, "Ольга")
    await create_team(owner, head=False)
    head = harness.user(2, "Мария")
    await head.send(f"/start {code_of(await invite_link(owner, 'Руководитель'))}")
    await join(harness, owner, 100, "Иван")

    await head.send("/settings")
    await head.press("Расписание")
    await head.press("Вечерний вопрос")
    await head.send("18:30")
    await head.press("Назад")
    await head.press("Рабочие дни")
    await head.press("Сб")
    await open_metric(head, "Звонки")
    await head.press("Норма")
    await head.send("25")

    await owner.send("/settings")
    await owner.press("История изменений")
    history = owner.last.text
    assert "История изменений</b> (время команды: Москва (UTC+3))" in history
    assert "23.11 09:00 · Мария: норма «Звонки» 30 → 25" in history
    assert "Мария: рабочие дни Пн–Пт → Пн–Сб" in history
    assert "Мария: вечерний вопрос 18:00 → 18:30" in history
    assert history.index("норма") < history.index("вечерний"), "newest first"

    async with session_pool() as session:
        subjects = list(
            (await session.execute(select(AuditRecord.subject).order_by(AuditRecord.id))).scalars()
        )
        assert subjects == ["evening_at", "workdays", "metric-norm:calls"]
        # A change some other feature records, without a text of its own here.
        session.add(
            AuditRecord(team_id=1, actor_id=None, at=utc(7), subject="something-new",
                        before="<a>", after="b")
        )  # fmt: skip
        await session.commit()
    await owner.send("/settings")
    await owner.press("История изменений")
    assert "23.11 10:00 · Бывший участник: something-new &lt;a&gt; → b" in owner.last.text


async def test_managers_and_forged_buttons_change_nothing(
    harness: Harness, session_pool: SessionPool
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    other = harness.user(2, "Чужой")
    await create_team(other, "Лютик")
    foreign = await metric_row(session_pool, "calls", team_id=2)

    await ivan.send("/settings")
    assert "доступна другой роли" in ivan.last.text
    await ivan.click(SettingsButton(action=SettingsAction.SECTION, what="schedule").pack(), 1)
    assert ivan.alerts[-1].startswith("Эта форма уже закрыта")

    await head.send("/settings")
    menu = head.last.message_id
    for forged in (
        SettingsButton(action=SettingsAction.METRIC_DO, what="toggle", metric_id=foreign.id),
        SettingsButton(action=SettingsAction.METRIC_DO, what="key", metric_id=foreign.id),
        SettingsButton(action=SettingsAction.ASK, what="metric-norm", metric_id=foreign.id),
        SettingsButton(action=SettingsAction.METRIC, metric_id=foreign.id),
        SettingsButton(action=SettingsAction.PICK, what="timezone", value="99"),
        SettingsButton(action=SettingsAction.PICK, what="name", value="x"),
    ):
        await head.click(forged.pack(), menu)
        assert head.alerts[-1].startswith("Эта кнопка устарела"), forged
    await head.click("cfg:bogus:x:y:z", menu)
    assert head.alerts[-1].startswith("Эта форма уже закрыта")
    await head.send("25")
    assert "Не понял сообщение" in head.last.text, "no question was opened by a forged button"

    after = await metric_row(session_pool, "calls", team_id=2)
    assert (after.active, after.is_key, after.daily_norm) == (True, True, Decimal(30))
    assert (await team_row(session_pool)).timezone == "Europe/Moscow"
    async with session_pool() as session:
        assert list((await session.execute(select(AuditRecord))).scalars()) == []
    sent = [r for r in harness.bot.requests if isinstance(r, SendMessage)]
    assert not any("Настройки" in (r.text or "") for r in sent if r.chat_id == other.user_id)
