## Menu: command descriptions (at most 256 characters, no markup)

cmd-start = Начало работы
cmd-help = Что умеет бот
cmd-invite = Пригласить в команду
cmd-lang = Язык / Language

## Roles and names

role-name = { $role ->
    [owner] Собственник
    [head] Руководитель отдела продаж
   *[manager] Менеджер
}
role-name-acc = { $role ->
    [owner] собственника
    [head] руководителя отдела продаж
   *[manager] менеджера
}
language-name = { $language ->
    [en] English
   *[ru] Русский
}

tz-europe-kaliningrad = Калининград (UTC+2)
tz-europe-moscow = Москва (UTC+3)
tz-europe-samara = Самара (UTC+4)
tz-asia-yekaterinburg = Екатеринбург (UTC+5)
tz-asia-omsk = Омск (UTC+6)
tz-asia-novosibirsk = Новосибирск (UTC+7)
tz-asia-krasnoyarsk = Красноярск (UTC+7)
tz-asia-irkutsk = Иркутск (UTC+8)
tz-asia-vladivostok = Владивосток (UTC+10)
tz-asia-almaty = Алматы (UTC+5)
tz-europe-minsk = Минск (UTC+3)
tz-utc = UTC

## /start and team creation

start-newcomer =
    👋 Это <b>Sales Pulse</b> — бот ежедневного план-факта для отдела продаж.

    Каждое рабочее утро он спрашивает у менеджеров план на день, вечером — факт, а руководителю присылает сводку план/факт и предупреждает об отставании. Собственник раз в неделю получает прогноз выручки на конец месяца.

    Если руководитель прислал вам ссылку-приглашение — просто откройте её.
    Если вы руководитель или собственник — создайте команду.
btn-create-team = ➕ Создать команду
start-member =
    Вы в команде <b>{ $team }</b>. Ваши роли: { $roles }.
    Список команд — /help.
already-in-team = Вы уже состоите в команде «{ $team }».
ask-team-name = Как называется ваша команда или компания? Напишите название одним сообщением (до 64 символов).
bad-team-name = Название должно быть текстом от 1 до 64 символов и не начинаться с «/». Попробуйте ещё раз.
ask-timezone =
    Команда <b>{ $team }</b>. В каком часовом поясе она работает? По нему бот присылает утренние и вечерние вопросы.

    Выберите кнопку или напишите пояс: например, <code>Asia/Almaty</code> или <code>UTC+5</code>.
bad-timezone = Не узнаю такой часовой пояс. Напишите, например, <code>Europe/Moscow</code>, <code>Asia/Novosibirsk</code> или <code>UTC+5</code> — или выберите кнопку выше.
team-created =
    ✅ Команда <b>{ $team }</b> создана, часовой пояс — { $timezone }. Вы — собственник.

    Вы сами руководите отделом продаж каждый день (роль РОП: вечерняя сводка, предупреждения, настройки)?
btn-head-yes = Да, я и руководитель отдела
btn-head-no = Нет, приглашу руководителя
setup-done-head =
    Готово: вы собственник и руководитель отдела продаж команды <b>{ $team }</b>.

    Дальше — пригласите менеджеров: /invite. Каждый получит ссылку, откроет её и сразу попадёт в команду.
setup-done-owner =
    Готово: вы собственник команды <b>{ $team }</b>.

    Пригласите руководителя отдела продаж и менеджеров: /invite.
form-closed = Эта форма уже закрыта. Начните заново с нужной команды — список в /help.

## Invites

invite-ask-role = Кого пригласить в команду?
btn-revoke-invite = Отозвать приглашение
invite-link =
    Приглашение для роли «{ role-name }»:

    { $link }

    Перешлите ссылку человеку. Ссылка одноразовая, срок действия — { DATETIME($until, dateStyle: "long") }
invite-revoked = Приглашение отозвано.
invite-revoked-card = Приглашение для роли «{ role-name }» отозвано: ссылка больше не работает.
invite-already-used = Этим приглашением уже воспользовались — отозвать его нельзя.
invite-problem = { $problem ->
    [used] Это приглашение уже использовано.
    [expired] Срок этого приглашения истёк.
    [revoked] Это приглашение отозвано.
   *[unknown] Такого приглашения нет — возможно, ссылка скопировалась не полностью.
} Попросите руководителя прислать новую ссылку.
join-other-team = Вы уже состоите в команде «{ $team }». Чтобы перейти в другую, попросите руководителя этой команды исключить вас.
join-already = Вы уже в команде «{ $team }» с ролью «{ role-name }».
join-welcome =
    🎉 Добро пожаловать в команду <b>{ $team }</b>! Ваша роль — { role-name }.
    { $role ->
        [manager] По рабочим дням в { $morning } я спрошу ваш план на день, а в { $evening } — что получилось. Ответ занимает меньше минуты.
        [head] Каждый рабочий вечер в { $digest } я пришлю сводку план/факт по команде. Пригласить менеджеров — /invite.
       *[other] Список команд — /help.
    }
joined-notice = 👤 { $name } присоединился(-ась) к команде в роли { role-name-acc }.

## Help and language

help-newcomer = Вы пока не в команде. Откройте ссылку-приглашение от руководителя или создайте команду через /start.
help-member = Команда <b>{ $team }</b>. Что можно сделать:
lang-ask = Выберите язык / Choose your language:
lang-set = Готово, говорим по-русски.

## Polite refusals

not-a-member = Вы пока не состоите в команде. Откройте ссылку-приглашение от руководителя или создайте свою команду: /start
not-your-role = Эта команда доступна другой роли в команде. Ваши команды — в /help.
unknown-command = Не знаю такой команды. Список команд — /help.
not-understood = Не понял сообщение. Список команд — /help.
not-understood-manager = Не понял сообщение. План на день — /plan, итоги дня — /report, все команды — /help.
something-went-wrong = ⚠️ Что-то пошло не так, и бот не смог обработать ваше последнее сообщение или нажатие. Если на него не было ответа, повторите, пожалуйста.

## The daily loop: metrics

metric-label = { $key ->
    [calls] Звонки
    [meetings] Встречи
    [proposals] КП
    [leads] Лиды
    [deals] Сделки
    [revenue] Оплаты (₽)
   *[other] { $key }
}
num = { NUMBER($value, maximumFractionDigits: 2) }
weekday-date = { DATETIME($day, dateStyle: "full") }

## The daily loop: forms

cmd-plan = План на сегодня
cmd-report = Итоги дня
cmd-off = Выходной, больничный, отпуск
cmd-me = Мой прогресс

form-plan-title = ☀️ <b>План на { $day }</b>
form-fact-title = 🌙 <b>Итоги дня, { $day }</b>
form-norms = Нормы команды: { $norms }
form-plan-line = { $label } — план { $plan }
form-no-plan = Плана на сегодня нет — просто укажите, что получилось.
form-how =
    Ответьте одним сообщением — числа по порядку ({ $order }), например:
    <code>{ $example }</code>
    или с названиями: <code>{ $labelled }</code>
btn-as-yesterday = 🔁 Как вчера
btn-norms = 📏 По нормам
btn-steps = 👣 По шагам
btn-suggested = { $value } — { $what ->
    [norm] норма
   *[plan] как в плане
}
form-step = { $label } ({ $index } из { $total })?{ $hint }
form-step-norm-hint = { " " }Норма — { $value }.
form-step-plan-hint = { " " }План — { $value }.

form-reason-key = { $label }: { $fact } из { $plan } по плану. Что помешало?
reason = { $reason ->
    [no_answer] Клиенты не отвечали
    [postponed] Клиент перенёс
    [sick] Болел(а)
    [internal] Внутренние задачи
   *[other] Другое
}
form-reason-text = Напишите коротко, что помешало.
form-comment = Комментарий к дню: что помогло, что помешало? Одним сообщением, или нажмите «Без комментария».
btn-no-comment = Без комментария
card-plan-title = 📋 <b>План на { $day }</b>
card-fact-title = 📊 <b>Итоги: { $day }</b>
card-plan-line = { $label }: <b>{ $value }</b>
card-under-norm = { " " }⚠️ ниже нормы ({ $norm })
card-pace = 🎯 План ниже темпа к цели месяца: нужно { $amount } в день ещё { $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
}{ $items ->
    [none] .
   *[other] {""}; по вашей воронке это { $items }.
}
card-fact-line = { $label }: <b>{ $fact }</b>{ $plan ->
    [none] {""}
   *[other] { " " }из { $plan }
}
card-percent = { " " }({ $percent } %)
card-reason = Что помешало: { $reason }
card-comment = Комментарий: { $comment }
btn-confirm = ✅ Подтвердить
btn-edit = ✏️ Изменить
saved-plan = ✅ План сохранён. Изменить можно до { $digest } командой /plan.
saved-fact = ✅ Итоги дня сохранены. Спасибо! Изменить можно до { $digest } командой /report.
saved-late = ✅ Изменение сохранено. Сводка за этот день уже ушла, поэтому правка отмечена в истории.
saved-same = Ничего не изменилось — сохранено как было.
form-errors = Не получилось разобрать:
    { $errors }
    Пришлите ещё раз, например: <code>{ $example }</code>
form-send-text = Пришлите, пожалуйста, ответ текстом.
form-too-long = Сообщение слишком длинное. Пришлите только числа, например: <code>{ $example }</code>
form-closed-offer = Эта форма уже закрыта. Вот форма на сегодня:
no-previous-plan = Прошлого плана нет — введите числа или нажмите «По нормам».
numbers-error = { $reason ->
    [empty] пусто — нужно число
    [negative] число не может быть отрицательным
    [too_large] слишком большое число (не больше { $max })
    [fraction_for_count] нужно целое число
    [too_many_decimals] не больше двух знаков после запятой
    [ambiguous] непонятно, где дробная часть: напишите, например, 1500 или 1,5
    [too_long] слишком длинно
    [wrong_count] нужно { $expected } чисел по порядку, а пришло { $got }
    [unknown_label] не знаю такого показателя
    [entry_too_long] сообщение слишком длинное
    [ambiguous_label] непонятно, какой это показатель
    [no_value] после названия нет числа
    [no_label] не понял, к какому показателю число
    [duplicate] показатель указан дважды
   *[other] это не число
}
form-error-line = • { $what }: «{ $fragment }» — { $problem }
form-error-line-fragment = • «{ $fragment }» — { $problem }
form-error-line-general = • { $problem }

## Days off

off-title = 🌴 <b>Выходные, больничные и отпуска</b>
off-none = Ничего не отмечено.
off-item = • { $kind }: { $period }
off-ask = Когда вас не будет? В эти дни бот не спрашивает план и итоги, и они не считаются недовыполнением.
btn-off-today = Сегодня
btn-off-tomorrow = Завтра
btn-off-dates = Другие даты…
btn-off-cancel = ✕ Отменить: { $period }
off-kind = { $kind ->
    [sick] Больничный
    [vacation] Отпуск
   *[day_off] Выходной
}
off-ask-kind = { $period }: что это?
off-ask-dates = Напишите дату или период: <code>25.11</code> или <code>25.11-29.11</code> (до двух месяцев).
off-bad-dates = Не понял даты. Пример: <code>25.11</code> или <code>25.11-29.11</code>. Период не может быть в прошлом и длиннее двух месяцев.
off-saved = ✅ Отмечено: { $kind }, { $period }. Бот не будет беспокоить вас в эти дни.
off-cancelled = Отменено: { $period }.
period-one = { DATETIME($first, dateStyle: "long") }
period-range = { DATETIME($first, dateStyle: "long") } — { DATETIME($last, dateStyle: "long") }

## /me

me-title = 📈 <b>{ $name }: прогресс</b>
me-today = <b>Сегодня</b>
me-today-line = { $label }: { $fact } из { $plan }
me-today-none = Итоги за сегодня ещё не внесены.
me-period = <b>{ $period ->
    [week] Эта неделя
   *[month] Месяц
}</b> ({ $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
})
me-line = { $label }: { $fact }
me-line-norm = { $label }: { $fact } — норма { $norm } ({ $percent } %)

## Reminders, digest, alerts

reminder-plan = ⏰ Напоминание: план на сегодня ещё не заполнен. Это займёт полминуты.
reminder-fact = ⏰ Напоминание: итоги дня ещё не внесены.
btn-fill-plan = Заполнить план
btn-fill-fact = Внести итоги
digest-title = 📊 <b>Сводка за { $day }</b> — { $team }
digest-late = ⏰ Сводка опоздала: бот был недоступен в { $time }.
digest-totals = <b>Команда</b>
digest-managers = <b>Менеджеры</b>
digest-nobody = Сегодня никто не прислал итоги.
digest-missing = Не прислали отчёт: { $names }
alert-blocked = 🚫 { $name } заблокировал(а) бота: вопросы и напоминания ему не доходят. Попросите разблокировать бота в Telegram.
## Monthly targets

cmd-target = Цели на месяц
cmd-routine = Планёрки, 1:1, обучение
month-name = { $m ->
    [1] январь
    [2] февраль
    [3] март
    [4] апрель
    [5] май
    [6] июнь
    [7] июль
    [8] август
    [9] сентябрь
    [10] октябрь
    [11] ноябрь
   *[12] декабрь
} { $year }
target-title = 🎯 <b>Цели по оплатам на { $month }</b>
target-team = Команда: <b>{ $amount }</b>
target-team-sum = Сумма целей менеджеров: { $amount }
target-line = { $name }: { $amount }
target-none = не задана
target-choose = Кому задать цель? Нажмите и пришлите сумму.
btn-target-team = Команда
btn-target-next = Следующий месяц →
btn-target-this = ← Текущий месяц
target-ask = Цель по оплатам на { $month } для «{ $who }»: пришлите сумму, например <code>1 500 000</code> или <code>1,5 млн</code>.
target-saved = ✅ Цель на { $month } для «{ $who }»: { $amount }.
target-team-who = команды
target-bad = Не понял сумму: { $problem }. Например: <code>1 500 000</code> или <code>1,5 млн</code>.
me-pace = Чтобы выйти на цель: { $amount } в день ещё { $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
}{ $items ->
    [none] .
   *[other] {""}. По вашей воронке это примерно: { $items }.
}
me-target = Цель на месяц: { $target }, оплачено { $fact } ({ $percent } %)

## Routine

routine-title = 📋 <b>Управленческая рутина</b>, неделя с { $week }
routine-none = На этой неделе ещё ничего не отмечено.
routine-line = • { $day }: { $what }
routine-kind = { $kind ->
    [planning] планёрка
    [one_on_one] встреча 1:1
   *[training] обучение
}
routine-with = { $what } с { $name }
routine-ask = Что отметить сегодня?
btn-routine = { $kind ->
    [planning] Планёрка
    [one_on_one] Встреча 1:1
   *[training] Обучение
}
routine-ask-who = Встреча 1:1 — с кем?
routine-saved = ✅ Отмечено: { $what }.
routine-no-managers = В команде пока нет менеджеров.

## Digest and forecast

chart-plan = План
chart-fact = Факт
chart-target = Цель
chart-range = Диапазон прогноза
chart-bars_title = { $label }: план и факт за день
chart-cumulative_title = Оплаты с начала месяца, ₽
chart-forecast-title = Оплаты с начала месяца и прогноз, ₽
flag-below-norm = ниже нормы ({ $metrics })
flag-slump = 📉 спад активности: { $change } % к обычному уровню{ $metrics ->
    [none] {""}
   *[other] {" "}({ $metrics })
}, { $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
}
digest-line-chronic = 🟠 { $name }: давно ниже нормы ({ $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
}), без перемен
digest-pace = к цели: { $amount } в день{ $items ->
    [none] {""}
   *[other] {" "}≈ { $items }
}
digest-month-pace = Это примерно: { $items }.
pace-item = { $label } { $needed } в день (обычно { $usual })
flag-far-below-plan = сильно ниже своего плана
flag-activity-drop = активность { $change } % к обычной
flag-streak = { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} подряд ниже нормы
digest-no-managers = В команде пока нет менеджеров. Пригласите их: /invite
digest-total = { $label }: { $fact } из { $plan }{ $percent ->
    [none] {""}
   *[other] { " " }({ $percent } %)
}{ $norm ->
    [none] {""}
   *[other] { " " }· норма { $norm } %
}
digest-month = 💰 Оплаты с начала месяца: <b>{ $fact }</b> из { $target } ({ $percent } %)
digest-month-reached = 🎉 Цель месяца выполнена.
digest-month-needed = Чтобы выполнить цель, нужно { $amount } в день ещё { $days } раб. { $days ->
    [one] день
    [few] дня
   *[many] дней
}.
digest-month-no-target = 💰 Оплаты с начала месяца: <b>{ $fact }</b>. Цель не задана: /target
digest-line = { $mark } { $name }: { $metrics }
digest-metric-plan = { $label } { $fact }/{ $plan }
digest-metric = { $label } { $fact }
digest-line-leave = 🌴 { $name }: отсутствует
digest-line-missing = ⚪ { $name }: ❗ нет отчёта{ $days ->
    [1] {""}
   *[other] { " " }({ $days } { $days ->
        [one] раб. день
        [few] раб. дня
       *[many] раб. дней
    } подряд)
}
digest-blockers = <b>Что мешает</b>
digest-quote = { $name }: { $reason ->
    [none] {""}
   *[other] { $reason }.{ " " }
}«{ $comment }»
forecast-title = 🔮 <b>Прогноз на конец месяца: { $month }</b> — { $team }
forecast-no-money = В команде нет денежного показателя — прогнозировать нечего.
forecast-mtd = Оплаты с начала месяца: <b>{ $mtd }</b>{ $target ->
    [none] { " " }(цель не задана: /target)
   *[other] { " " }из { $target }
}
forecast-point = Прогноз на конец месяца: <b>{ $point }</b> (от { $low } до { $high }){ $percent ->
    [none] {""}
   *[other] { " " }— { $percent } % цели
}
forecast-likelihood = Вероятность выполнить цель: { $percent } %
method-run-rate = Метод: факт с начала месяца + средний дневной факт за последние { $window } раб. дней × { $days_left } оставшихся; диапазон { $interval } %.
method-combined = Метод: { $run_share } % — темп (средний дневной факт за { $window } раб. дней × { $days_left } оставшихся), { $funnel_share } % — воронка (оплаты на { $activities } за { $funnel_window } раб. дней × план активности); диапазон { $interval } %.
method-not-enough-data = Метод: мало данных ({ $days } из { $needed } раб. дней) — только факт с начала месяца.
method-month-closed = Рабочих дней в месяце не осталось: факт и есть итог.
method-pooled = Метод: модель — факт с начала месяца и свой темп за { $months } мес. ({ $own } % — свой, { $team } % — темп команды) с поправкой на недавние { $activities }, × { $days_left } оставшихся раб. дней с обычным рывком в конце месяца; диапазон { $interval } %.
method-pooled-team = Метод: модели { $managers } менеджеров вместе — свой темп прошлых месяцев с поправкой на команду, недавняя активность, факт месяца и рывок в конце месяца (новых: { $new }, без отчётов: { $without_data }); диапазон { $interval } % с учётом общих для команды колебаний.
forecast-reasons = <b>Причины недовыполнения, которых стало больше</b> (последние { $weeks } нед. против 4 предыдущих):
forecast-reason = • { $reason }: { $recent } (было { $earlier }){ $people ->
    [none] {""}
   *[other] {""} — { $people }
}
forecast-cross-check = Для сверки — простой темп (факт + средний дневной факт × оставшиеся дни): { $amount }
method-team-sum = Метод: сумма прогнозов { $managers } менеджеров ({ $without_data } без достаточных данных); диапазон { $interval } %.
forecast-managers = <b>По менеджерам</b> (факт → прогноз)
forecast-manager = { $name }: { $mtd } → { $point }{ $target ->
    [none] {""}
   *[other] { " " }(цель { $target }, { $percent } %)
}
forecast-week = <b>Прошлая неделя</b> ({ $first } — { $last })
forecast-activity-item = { $label } { $percent } %
forecast-activity = Активность к нормам: { $items }
forecast-discipline = Отчёты вовремя: { $percent ->
    [none] нет рабочих дней
   *[other] { $percent } %
}
forecast-accuracy = Точность планов: { $percent ->
    [none] нет данных
   *[other] { $percent } %
}
forecast-routine = Рутина руководителя:
forecast-routine-none = Рутина руководителя: за неделю не отмечено ни планёрок, ни встреч 1:1, ни обучения (/routine).
cmd-digest = Сводка за сегодня
cmd-forecast = Прогноз на конец месяца
cmd-reasons = Причины недовыполнения
reasons-title = 🧭 <b>Причины недовыполнения</b> — { $team }
    { $period }
reasons-none = За последние { $weeks } нед. менеджеры не называли причин недовыполнения плана.
reasons-legend = Сколько раз названа причина: последние { $recent } нед. (было — за { $earlier } нед. до них). ↑ — называют чаще, ↓ — реже.
reasons-team = <b>Команда</b>
reasons-team-row = • { $reason }: { $recent } (было { $earlier })
reasons-people = <b>По менеджерам</b>
reasons-person = { $name }: { $items }
reasons-person-item = { $reason } { $recent } (было { $earlier })
reasons-own-words = <b>Своими словами</b> (последние)
reasons-own-word = • { $name }, { DATETIME($day, dateStyle: "medium") }: «{ $text }»
alert-no-report = ⚠️ { $name }: нет отчёта { $days } { $days ->
    [one] рабочий день
    [few] рабочих дня
   *[many] рабочих дней
} подряд.
alert-streak = ⚠️ { $name }: { $days } { $days ->
    [one] рабочий день
    [few] рабочих дня
   *[many] рабочих дней
} подряд ниже нормы ({ $metrics }).
alert-plan-under-norm = ⚠️ { $name } запланировал(а) на сегодня ниже нормы: { $metrics }.
alert-forecast = 📉 Прогноз оплат на конец месяца — { $point }, это { $percent } % цели ({ $target }). Подробнее: /forecast

## Export

cmd-export = Выгрузка в Excel и CSV
export-ask = За какой период выгрузить планы и факты?
btn-export = { $period ->
    [this] Этот месяц
    [last] Прошлый месяц
   *[custom] Свои даты…
}
export-ask-dates = Напишите период: <code>01.10-31.10</code> или <code>01.10.2026 - 15.11.2026</code> (до года).
export-bad-dates = Не понял период. Пример: <code>01.10-31.10</code>. Период не может быть в будущем и длиннее года.
export-caption = Планы и факты за { $period }, менеджеров: { $managers }. Ниже — то же в CSV.
export-sheet-days = По дням
export-sheet-summary = Итоги периода
export-col-day = Дата
export-col-manager = Менеджер
export-col-metric = Показатель
export-col-plan = План
export-col-fact = Факт
export-col-target = Цель месяца
export-col-completion = Выполнение, %
export-inactive = не активен
export-team-total = Команда, итого

## Personal data

cmd-forget = Мои данные и удаление
privacy-outsider = Вы не состоите в команде. Бот хранит о вас только ваш Telegram ID ({ $telegram_id }) и выбранный язык.
privacy-card =
    🔐 <b>Что бот хранит о вас</b>
    Имя: { $name }
    Имя пользователя: { $username }
    Telegram ID: { $telegram_id }
    Команда: { $team }, роли: { $roles }
    Планов и отчётов: { $entries }, отметок об отсутствии: { $absences }

    «Забыть меня» удалит имя и Telegram-идентификаторы. Ваши цифры останутся в статистике команды под анонимной меткой.
btn-forget = Забыть меня
btn-forget-yes = Да, забыть меня
btn-delete-team = Удалить всю команду
btn-delete-team-yes = Да, удалить команду и все данные
privacy-forget-confirm = Точно? Бот забудет ваше имя и Telegram ID, вы выйдете из команды. Это нельзя отменить.
privacy-owner-first = Вы единственный собственник команды. Сначала передайте её другому собственнику или удалите всю команду.
privacy-anonymous = Бывший участник { $number }
privacy-forgotten = Готово: бот забыл ваше имя и Telegram ID. Чтобы вернуться, понадобится новое приглашение.
privacy-delete-team-confirm = Удалить команду «{ $team }» со всеми участниками, планами, отчётами и целями? Это нельзя отменить.
privacy-team-deleted = Команда «{ $team }» удалена со всеми данными.

## /team

cmd-team = Команда сегодня
