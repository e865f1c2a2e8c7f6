## /settings: the team's schedule, timezone, calendar, metrics, thresholds and language

cmd-settings = Настройки команды

## Values as people read them

settings-minutes = { $minutes ->
    [0] выключено
   *[other] через { $minutes } мин
}
settings-weekday = { $day ->
    [1] Пн
    [2] Вт
    [3] Ср
    [4] Чт
    [5] Пт
    [6] Сб
   *[7] Вс
}
settings-weekday-range = { $first }–{ $last }
settings-no-holidays = без праздников
settings-country = { $code ->
    [RU] Россия
    [KZ] Казахстан
    [BY] Беларусь
    [UZ] Узбекистан
    [UA] Украина
    [US] США
    [GB] Великобритания
    [DE] Германия
   *[other] { $code }
}
settings-none = нет
settings-kind = { $kind ->
    [money] деньги
   *[count] количество
}
settings-field = { $field ->
    [morning_at] Утренний вопрос (план)
    [evening_at] Вечерний вопрос (итоги)
    [reminder_delay_minutes] Напоминание
    [digest_at] Сводка руководителю
    [forecast_weekday] День прогноза
    [forecast_at] Время прогноза
    [timezone] Часовой пояс
    [workdays] Рабочие дни
    [holiday_country] Праздники
    [locale] Язык команды
    [alert_streak_days] Дней подряд ниже нормы
    [alert_forecast_percent] Прогноз месяца ниже
    [far_below_plan_percent] «Сильно ниже плана» — факт ниже
    [activity_drop_percent] «Падение активности» — на
   *[other] { $field }
}
settings-threshold-value = { $field ->
    [alert_streak_days] { $value }
    [alert_forecast_percent] { $value } % цели
    [far_below_plan_percent] { $value } % плана
   *[other] { $value } %
}

## The menu

settings-title = ⚙️ <b>Настройки команды «{ $team }»</b>
settings-home-schedule = 🕘 Утро { $morning } · вечер { $evening } · сводка { $digest }
settings-home-reminder = ⏰ Напоминание: { $minutes ->
    [0] выключено
   *[other] через { $minutes } мин, если нет ответа
}
settings-home-forecast = 🔮 Прогноз собственнику: { $weekday }, { $time }
settings-home-timezone = 🌍 Часовой пояс: { $zone }
settings-home-days = 📅 Рабочие дни: { $days }; праздники: { $country }
settings-home-metrics = 📊 Показатели: { $metrics }{ $off ->
    [0] {""}
   *[other] { " " }(и отключённых: { $off })
}
settings-home-alerts = 🚨 Предупреждать: { $streak } дн. подряд ниже нормы; прогноз ниже { $forecast } % цели
settings-home-language = 🗣 Язык команды: { $language }
settings-home-ask = Что изменить?
btn-settings-section = { $section ->
    [schedule] 🕘 Расписание
    [timezone] 🌍 Часовой пояс
    [workdays] 📅 Рабочие дни
    [holidays] 🎉 Праздники
    [metrics] 📊 Показатели и нормы
    [alerts] 🚨 Предупреждения
    [language] 🗣 Язык
   *[history] 📜 История изменений
}
btn-settings-done = ✓ Готово
btn-settings-back = ← Назад
settings-closed = ✓ Настройки сохранены. Открыть снова — /settings.
settings-cancelled = Отменено, ничего не изменилось.
settings-stale = Эта кнопка устарела. Откройте настройки заново: /settings.
settings-try-again = Не получилось сохранить — кто-то менял показатели в ту же секунду. Попробуйте ещё раз.
settings-saved-short = ✅ Сохранено
settings-saved = ✅ { settings-field }: { $before } → <b>{ $after }</b>

## Schedule

settings-schedule-title = 🕘 <b>Расписание</b> (время команды: { $zone })
settings-value-line = { settings-field }: <b>{ $value }</b>
btn-settings-field = { settings-field }: { $value }
settings-reminder-lost = { $which ->
    [morning] ⚠️ Утреннее напоминание не успевает до вечернего вопроса — оно не придёт.
   *[evening] ⚠️ Вечернее напоминание не успевает до сводки — оно не придёт.
}
settings-schedule-hint = Бот присылает вопросы только в рабочие дни. Изменения действуют с ближайшей минуты. Нажмите, что изменить.
settings-ask-time = { settings-field }: сейчас <b>{ $current }</b>. Во сколько присылать? Напишите время как <code>ЧЧ:ММ</code>, например <code>18:30</code>.
settings-ask-delay = Через сколько минут после вопроса напоминать тем, кто не ответил? Сейчас — { $current }. Нажмите кнопку или напишите число минут от 0 до { $max } (0 — не напоминать).
settings-ask-forecast-day = В какой день присылать собственнику прогноз на конец месяца? Сейчас — { $current }.

## Timezone, workdays, holidays, language

settings-timezone-title =
    🌍 <b>Часовой пояс</b>: сейчас { $zone }. По нему бот присылает вопросы, сводку и прогноз.

    Выберите город или напишите пояс: <code>Asia/Almaty</code>, <code>UTC+5</code>, <code>UTC+5:30</code>, <code>мск+2</code>.
settings-workdays-title =
    📅 <b>Рабочие дни</b>: { $days }. В остальные дни бот не задаёт вопросов и не считает недовыполнение.

    Нажмите день, чтобы включить или выключить его.
settings-holidays-title =
    🎉 <b>Праздники</b>: { $country }. В государственные праздники страны бот молчит, а перенесённые рабочие дни считает рабочими.

    Выберите страну или напишите её код из двух латинских букв, например <code>AM</code> или <code>TR</code>.
settings-language-title = 🗣 <b>Язык команды</b>: { $language }. На нём бот пишет тем, кто не выбрал язык сам через /lang.

## Metrics

settings-metrics-title = 📊 <b>Показатели</b> — в этом порядке менеджеры вводят числа
settings-metric-line = { $index }. { $key ->
    [yes] ⭐{ " " }
   *[no] {""}
}{ $name } — { settings-kind }, норма { $norm }{ $active ->
    [no] { " " }— 🚫 отключён
   *[yes] {""}
}
settings-metrics-hint = ⭐ — ключевой показатель: по нему строится сводка, спрашиваются причины недовыполнения и считается точность планов. Цели и прогноз считаются по первому денежному показателю. Нажмите показатель, чтобы изменить его.
btn-settings-add-metric = ➕ Добавить показатель
settings-metric-title = 📊 <b>{ $name }</b>
settings-metric-kind = Тип: { settings-kind }
settings-metric-norm = Дневная норма: { $norm }
settings-metric-max = Максимум за день: { $max } (больше ввести нельзя — защита от опечаток)
settings-metric-is-key = ⭐ Ключевой показатель
settings-metric-is-payments = 💰 По нему считаются цели месяца, оплаты с начала месяца и прогноз: это первый включённый денежный показатель в списке.
settings-metric-is-off = 🚫 Отключён: менеджеры его не заполняют, в сводке его нет. Прежние цифры сохранены.
settings-metric-added = ✅ Показатель добавлен. Задайте норму, если она нужна.
btn-settings-metric = { $op ->
    [rename] ✏️ Переименовать
    [up] ⬆️ Выше
    [down] ⬇️ Ниже
    [norm] 📏 Норма
    [max] 🔝 Максимум
    [kind] 🔁 Тип: { $kind ->
        [money] деньги
       *[count] количество
    }
    [key] ⭐ Сделать ключевым
    [off] 🚫 Отключить
    [on] ✅ Включить
   *[other] { $op }
}
btn-settings-no-norm = Без нормы
btn-settings-kind = { $kind ->
    [money] 💰 Деньги
   *[count] 🔢 Количество
}
settings-ask-new-metric = Как называется новый показатель? Например, «Повторные звонки». До { $max } символов.
settings-ask-new-kind = «{ $name }» — это количество (звонки, встречи) или деньги (оплаты)?
settings-ask-metric-name = Новое название для «{ $name }» — до { $max } символов:
settings-ask-norm = Дневная норма «{ $name }»: сейчас { $current }. Напишите число от 0 до { $max }{ $kind ->
    [count] { " " }(целое)
   *[money] {""}
}, или нажмите «Без нормы».
settings-ask-max = Максимум за день для «{ $name }»: сейчас { $current }. Больше этого менеджер ввести не сможет. Напишите число больше нуля и не меньше нормы ({ $norm }).
settings-metric-renamed = ✅ Показатель «{ $before }» теперь называется «{ $after }».
settings-metric-norm-saved = ✅ Норма «{ $name }»: <b>{ $norm }</b> в день.
settings-metric-max-saved = ✅ Максимум «{ $name }»: <b>{ $max }</b> в день.

## Alerts

settings-alerts-title = 🚨 <b>Пороги предупреждений</b>
settings-alerts-hint = Руководитель получает предупреждение, когда менеджер столько рабочих дней подряд ниже нормы и когда прогноз оплат на конец месяца ниже порога (тогда и собственник). «Сильно ниже плана» и «падение активности» — отметки в вечерней сводке.
settings-ask-threshold = { settings-field }: сейчас <b>{ $current }</b>. Напишите целое число от { $low } до { $high }.

## What went wrong

settings-problem = { $problem ->
    [time_format] Не понял время «{ $typed }». Напишите его как <code>ЧЧ:ММ</code>: часы от 00 до 23, минуты от 00 до 59 — например, <code>18:30</code>.
    [not_whole] Нужно целое число от { $low } до { $high }.
    [out_of_range] Нужно число от { $low } до { $high }.
    [morning_after_evening] Утренний вопрос должен приходить раньше вечернего. Сейчас: утро { $morning }, вечер { $evening }, сводка { $digest }. Напишите другое время или сначала перенесите вечерний вопрос.
    [evening_after_digest] Вечерний вопрос должен приходить раньше сводки. Сейчас: утро { $morning }, вечер { $evening }, сводка { $digest }. Напишите другое время или сначала перенесите сводку.
    [last_workday] Хотя бы один день недели должен остаться рабочим.
    [unknown_timezone] Не знаю часового пояса «{ $typed }». Напишите, например, <code>Europe/Moscow</code>, <code>Asia/Almaty</code>, <code>UTC+5</code> или <code>UTC+5:30</code> — или выберите город кнопкой выше.
    [unknown_country] Не знаю страны с кодом «{ $typed }». Нужен код из двух латинских букв, например <code>AM</code> или <code>TR</code>; «нет» — без праздников.
    [name_empty] Название не может быть пустым. Напишите название показателя.
    [name_too_long] Слишком длинное название: не больше { $high } символов. Попробуйте короче.
    [name_no_letter] В названии нужна хотя бы одна буква, иначе его не отличить от числа.
    [name_taken] Показатель с таким названием уже есть. Выберите другое.
    [last_active_metric] Это последний включённый показатель — отключить его нельзя.
    [key_metric] Это ключевой показатель. Сначала сделайте ключевым другой, потом отключайте этот.
    [inactive_key] Отключённый показатель не может быть ключевым — сначала включите его.
    [negative] Не может быть меньше нуля: напишите 0 или больше.
    [not_positive] Максимум должен быть больше нуля.
    [too_large] Слишком большое число: не больше { $limit }.
    [below_norm] Максимум не может быть меньше дневной нормы ({ $limit }).
    [fraction_for_count] Это количество — нужно целое число.
    [too_many_decimals] Не больше двух знаков после запятой.
    [ambiguous] Непонятно, где дробная часть: напишите, например, 1500 или 1,5.
    [fractional_norm] У нормы есть копейки, а количество должно быть целым. Сначала задайте целую норму.
   *[not_a_number] «{ $typed }» — не похоже на число. Напишите число цифрами, например <code>25</code>.
}

## Change history

settings-history-title = 📜 <b>История изменений</b> (время команды: { $zone })
settings-history-empty = Изменений пока не было.
settings-history-line = { $at } · { $text }
settings-audit-someone = Бывший участник
settings-audit-generic = { $actor }: { $subject } { $before } → { $after }
audit-morning_at = { $actor }: утренний вопрос { $before } → { $after }
audit-evening_at = { $actor }: вечерний вопрос { $before } → { $after }
audit-digest_at = { $actor }: сводка { $before } → { $after }
audit-forecast_at = { $actor }: время прогноза { $before } → { $after }
audit-forecast_weekday = { $actor }: день прогноза { $before } → { $after }
audit-reminder_delay_minutes = { $actor }: напоминание { $before } → { $after }
audit-timezone = { $actor }: часовой пояс { $before } → { $after }
audit-workdays = { $actor }: рабочие дни { $before } → { $after }
audit-holiday_country = { $actor }: праздники { $before } → { $after }
audit-locale = { $actor }: язык команды { $before } → { $after }
audit-alert_streak_days = { $actor }: предупреждать после { $before } → { $after } дн. подряд ниже нормы
audit-alert_forecast_percent = { $actor }: порог прогноза { $before } → { $after } % цели
audit-far_below_plan_percent = { $actor }: «сильно ниже плана» { $before } → { $after } % плана
audit-activity_drop_percent = { $actor }: «падение активности» { $before } → { $after } %
audit-metric-added = { $actor }: новый показатель «{ $after }»
audit-metric-name = { $actor }: показатель «{ $before }» переименован в «{ $after }»
audit-metric-moved = { $actor }: «{ $metric }» перемещён с { $before }-го места на { $after }-е
audit-metric-on = { $actor }: включён показатель «{ $metric }»
audit-metric-off = { $actor }: отключён показатель «{ $metric }»
audit-metric-kind = { $actor }: тип «{ $metric }» { $before } → { $after }
audit-metric-norm = { $actor }: норма «{ $metric }» { $before } → { $after }
audit-metric-max = { $actor }: максимум «{ $metric }» { $before } → { $after }
audit-metric-key = { $actor }: ключевой показатель «{ $before }» → «{ $metric }»
