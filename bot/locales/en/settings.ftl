## /settings: the team's schedule, timezone, calendar, metrics, thresholds and language

cmd-settings = Team settings

## Values as people read them

settings-minutes = { $minutes ->
    [0] off
   *[other] after { $minutes } min
}
settings-weekday = { $day ->
    [1] Mon
    [2] Tue
    [3] Wed
    [4] Thu
    [5] Fri
    [6] Sat
   *[7] Sun
}
settings-weekday-range = { $first }–{ $last }
settings-no-holidays = no holidays
settings-country = { $code ->
    [RU] Russia
    [KZ] Kazakhstan
    [BY] Belarus
    [UZ] Uzbekistan
    [UA] Ukraine
    [US] USA
    [GB] United Kingdom
    [DE] Germany
   *[other] { $code }
}
settings-none = none
settings-kind = { $kind ->
    [money] money
   *[count] count
}
settings-field = { $field ->
    [morning_at] Morning question (plan)
    [evening_at] Evening question (results)
    [reminder_delay_minutes] Reminder
    [digest_at] Digest to the head
    [forecast_weekday] Forecast day
    [forecast_at] Forecast time
    [timezone] Timezone
    [workdays] Workdays
    [holiday_country] Holidays
    [locale] Team language
    [alert_streak_days] Workdays in a row under the norm
    [alert_forecast_percent] Month forecast under
    [far_below_plan_percent] "Far below plan": fact under
    [activity_drop_percent] "Activity drop": by
   *[other] { $field }
}
settings-threshold-value = { $field ->
    [alert_streak_days] { $value }
    [alert_forecast_percent] { $value } % of target
    [far_below_plan_percent] { $value } % of plan
   *[other] { $value } %
}

## The menu

settings-title = ⚙️ <b>Settings of the team "{ $team }"</b>
settings-home-schedule = 🕘 Morning { $morning } · evening { $evening } · digest { $digest }
settings-home-reminder = ⏰ Reminder: { $minutes ->
    [0] off
   *[other] after { $minutes } min without an answer
}
settings-home-forecast = 🔮 Forecast to the owner: { $weekday }, { $time }
settings-home-timezone = 🌍 Timezone: { $zone }
settings-home-days = 📅 Workdays: { $days }; holidays: { $country }
settings-home-metrics = 📊 Metrics: { $metrics }{ $off ->
    [0] {""}
   *[other] { " " }(and switched off: { $off })
}
settings-home-alerts = 🚨 Alerts: { $streak } workdays in a row under the norm; forecast under { $forecast } % of target
settings-home-language = 🗣 Team language: { $language }
settings-home-ask = What would you like to change?
btn-settings-section = { $section ->
    [schedule] 🕘 Schedule
    [timezone] 🌍 Timezone
    [workdays] 📅 Workdays
    [holidays] 🎉 Holidays
    [metrics] 📊 Metrics and norms
    [alerts] 🚨 Alerts
    [language] 🗣 Language
   *[history] 📜 Change history
}
btn-settings-done = ✓ Done
btn-settings-back = ← Back
settings-closed = ✓ Settings saved. Open them again with /settings.
settings-cancelled = Cancelled, nothing changed.
settings-stale = This button is out of date. Open the settings again: /settings.
settings-try-again = Could not save: someone changed the metrics at the same moment. Please try again.
settings-saved-short = ✅ Saved
settings-saved = ✅ { settings-field }: { $before } → <b>{ $after }</b>

## Schedule

settings-schedule-title = 🕘 <b>Schedule</b> (team time: { $zone })
settings-value-line = { settings-field }: <b>{ $value }</b>
btn-settings-field = { settings-field }: { $value }
settings-reminder-lost = { $which ->
    [morning] ⚠️ The morning reminder would come after the evening question, so it is not sent.
   *[evening] ⚠️ The evening reminder would come after the digest, so it is not sent.
}
settings-schedule-hint = Questions go out on workdays only. Changes take effect within a minute. Tap what to change.
settings-ask-time = { settings-field }: now <b>{ $current }</b>. At what time? Type it as <code>HH:MM</code>, for example <code>18:30</code>.
settings-ask-delay = How many minutes after a question should those who have not answered be reminded? Now: { $current }. Tap a button or type a number of minutes from 0 to { $max } (0: no reminders).
settings-ask-forecast-day = On which day should the owner get the month-end forecast? Now: { $current }.

## Timezone, workdays, holidays, language

settings-timezone-title =
    🌍 <b>Timezone</b>: now { $zone }. Questions, the digest and the forecast follow it.

    Pick a city or type a zone: <code>Asia/Almaty</code>, <code>UTC+5</code>, <code>UTC+5:30</code>, <code>MSK+2</code>.
settings-workdays-title =
    📅 <b>Workdays</b>: { $days }. On other days the bot asks nothing and counts no shortfall.

    Tap a day to switch it on or off.
settings-holidays-title =
    🎉 <b>Holidays</b>: { $country }. On the country's public holidays the bot is silent; weekend days moved to be working days count as workdays.

    Pick a country or type its two-letter code, for example <code>AM</code> or <code>TR</code>.
settings-language-title = 🗣 <b>Team language</b>: { $language }. The bot writes in it to everyone who has not chosen a language with /lang.

## Metrics

settings-metrics-title = 📊 <b>Metrics</b>, in the order managers type their numbers
settings-metric-line = { $index }. { $key ->
    [yes] ⭐{ " " }
   *[no] {""}
}{ $name }: { settings-kind }, norm { $norm }{ $active ->
    [no] { " "}— 🚫 switched off
   *[yes] {""}
}
settings-metrics-hint = ⭐ is the key metric: the digest follows it, shortfalls on it ask for a reason, and plan accuracy is measured on it. Targets and the forecast follow the first money metric. Tap a metric to change it.
btn-settings-add-metric = ➕ Add a metric
settings-metric-title = 📊 <b>{ $name }</b>
settings-metric-kind = Kind: { settings-kind }
settings-metric-norm = Daily norm: { $norm }
settings-metric-max = Daily maximum: { $max } (nothing larger can be entered: a guard against typos)
settings-metric-is-key = ⭐ The key metric
settings-metric-is-payments = 💰 Monthly targets, month to date and the forecast follow it: it is the first money metric switched on.
settings-metric-is-off = 🚫 Switched off: managers do not fill it in and the digest leaves it out. Earlier numbers are kept.
settings-metric-added = ✅ Metric added. Set a norm if it needs one.
btn-settings-metric = { $op ->
    [rename] ✏️ Rename
    [up] ⬆️ Up
    [down] ⬇️ Down
    [norm] 📏 Norm
    [max] 🔝 Maximum
    [kind] 🔁 Kind: { $kind ->
        [money] money
       *[count] count
    }
    [key] ⭐ Make it the key metric
    [off] 🚫 Switch off
    [on] ✅ Switch on
   *[other] { $op }
}
btn-settings-no-norm = No norm
btn-settings-kind = { $kind ->
    [money] 💰 Money
   *[count] 🔢 Count
}
settings-ask-new-metric = What is the new metric called? For example, "Follow-up calls". Up to { $max } characters.
settings-ask-new-kind = Is "{ $name }" a count (calls, meetings) or money (payments)?
settings-ask-metric-name = A new name for "{ $name }", up to { $max } characters:
settings-ask-norm = Daily norm of "{ $name }": now { $current }. Type a number from 0 to { $max }{ $kind ->
    [count] { " " }(whole)
   *[money] {""}
}, or tap "No norm".
settings-ask-max = Daily maximum of "{ $name }": now { $current }. Managers cannot enter more than this. Type a number above zero and not under the norm ({ $norm }).
settings-metric-renamed = ✅ The metric "{ $before }" is now called "{ $after }".
settings-metric-norm-saved = ✅ Norm of "{ $name }": <b>{ $norm }</b> a day.
settings-metric-max-saved = ✅ Maximum of "{ $name }": <b>{ $max }</b> a day.

## Alerts

settings-alerts-title = 🚨 <b>Alert thresholds</b>
settings-alerts-hint = The head is alerted when a manager is under the norm this many workdays in a row, and when the month-end payments forecast falls under the threshold (the owner too). "Far below plan" and "activity drop" are flags in the evening digest.
settings-ask-threshold = { settings-field }: now <b>{ $current }</b>. Type a whole number from { $low } to { $high }.

## What went wrong

settings-problem = { $problem ->
    [time_format] I could not read the time "{ $typed }". Type it as <code>HH:MM</code>: hours 00 to 23, minutes 00 to 59, for example <code>18:30</code>.
    [not_whole] A whole number from { $low } to { $high }, please.
    [out_of_range] A number from { $low } to { $high }, please.
    [morning_after_evening] The morning question must come before the evening one. Now: morning { $morning }, evening { $evening }, digest { $digest }. Type another time, or move the evening question first.
    [evening_after_digest] The evening question must come before the digest. Now: morning { $morning }, evening { $evening }, digest { $digest }. Type another time, or move the digest first.
    [last_workday] At least one day of the week must stay a workday.
    [unknown_timezone] I do not know the timezone "{ $typed }". Type, for example, <code>Europe/London</code>, <code>Asia/Almaty</code>, <code>UTC+5</code> or <code>UTC+5:30</code>, or pick a city above.
    [unknown_country] I do not know a country with the code "{ $typed }". Type its two-letter code, for example <code>AM</code> or <code>TR</code>; "none" for no holidays.
    [name_empty] The name cannot be empty. Type the metric's name.
    [name_too_long] The name is too long: { $high } characters at most. Try a shorter one.
    [name_no_letter] The name needs at least one letter, or it could be taken for a number.
    [name_taken] There is already a metric with this name. Pick another.
    [last_active_metric] This is the last metric switched on: it cannot be switched off.
    [key_metric] This is the key metric. Make another metric the key one first, then switch this one off.
    [inactive_key] A metric that is switched off cannot be the key one: switch it on first.
    [negative] It cannot be below zero: type 0 or more.
    [not_positive] The maximum must be above zero.
    [too_large] Too large: { $limit } at most.
    [below_norm] The maximum cannot be under the daily norm ({ $limit }).
    [fraction_for_count] This is a count: a whole number, please.
    [too_many_decimals] Two decimal places at most.
    [ambiguous] Unclear where the decimals start: type, for example, 1500 or 1.5.
    [fractional_norm] The norm has cents, and a count must be whole. Set a whole norm first.
   *[not_a_number] "{ $typed }" does not look like a number. Type it in digits, for example <code>25</code>.
}

## Change history

settings-history-title = 📜 <b>Change history</b> (team time: { $zone })
settings-history-empty = No changes yet.
settings-history-line = { $at } · { $text }
settings-audit-someone = A former member
settings-audit-generic = { $actor }: { $subject } { $before } → { $after }
audit-morning_at = { $actor }: morning question { $before } → { $after }
audit-evening_at = { $actor }: evening question { $before } → { $after }
audit-digest_at = { $actor }: digest { $before } → { $after }
audit-forecast_at = { $actor }: forecast time { $before } → { $after }
audit-forecast_weekday = { $actor }: forecast day { $before } → { $after }
audit-reminder_delay_minutes = { $actor }: reminder { $before } → { $after }
audit-timezone = { $actor }: timezone { $before } → { $after }
audit-workdays = { $actor }: workdays { $before } → { $after }
audit-holiday_country = { $actor }: holidays { $before } → { $after }
audit-locale = { $actor }: team language { $before } → { $after }
audit-alert_streak_days = { $actor }: alert after { $before } → { $after } workdays in a row under the norm
audit-alert_forecast_percent = { $actor }: forecast threshold { $before } → { $after } % of target
audit-far_below_plan_percent = { $actor }: "far below plan" { $before } → { $after } % of plan
audit-activity_drop_percent = { $actor }: "activity drop" { $before } → { $after } %
audit-metric-added = { $actor }: new metric "{ $after }"
audit-metric-name = { $actor }: metric "{ $before }" renamed to "{ $after }"
audit-metric-moved = { $actor }: "{ $metric }" moved from place { $before } to { $after }
audit-metric-on = { $actor }: metric "{ $metric }" switched on
audit-metric-off = { $actor }: metric "{ $metric }" switched off
audit-metric-kind = { $actor }: kind of "{ $metric }" { $before } → { $after }
audit-metric-norm = { $actor }: norm of "{ $metric }" { $before } → { $after }
audit-metric-max = { $actor }: maximum of "{ $metric }" { $before } → { $after }
audit-metric-key = { $actor }: key metric "{ $before }" → "{ $metric }"
