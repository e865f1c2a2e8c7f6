## Menu: command descriptions (at most 256 characters, no markup)

cmd-start = Get started
cmd-help = What the bot can do
cmd-invite = Invite to the team
cmd-lang = Language / Язык

## Roles and names

role-name = { $role ->
    [owner] Owner
    [head] Head of sales
   *[manager] Sales manager
}
role-name-acc = { $role ->
    [owner] an owner
    [head] a head of sales
   *[manager] a sales manager
}
language-name = { $language ->
    [en] English
   *[ru] Русский
}

tz-europe-kaliningrad = Kaliningrad (UTC+2)
tz-europe-moscow = Moscow (UTC+3)
tz-europe-samara = Samara (UTC+4)
tz-asia-yekaterinburg = Yekaterinburg (UTC+5)
tz-asia-omsk = Omsk (UTC+6)
tz-asia-novosibirsk = Novosibirsk (UTC+7)
tz-asia-krasnoyarsk = Krasnoyarsk (UTC+7)
tz-asia-irkutsk = Irkutsk (UTC+8)
tz-asia-vladivostok = Vladivostok (UTC+10)
tz-asia-almaty = Almaty (UTC+5)
tz-europe-minsk = Minsk (UTC+3)
tz-utc = UTC

## /start and team creation

start-newcomer =
    👋 This is <b>Sales Pulse</b>, the daily plan/fact bot for a sales team.

    Every workday morning it asks each sales manager for today's plan and every evening for the facts; the head of sales gets a plan-vs-fact digest and shortfall alerts, and the owner a weekly month-end forecast.

    If your head of sales sent you an invite link, just open it.
    If you run the team or own the company, create a team.
btn-create-team = ➕ Create a team
start-member =
    You are in team <b>{ $team }</b>. Your roles: { $roles }.
    All commands: /help.
already-in-team = You are already in team “{ $team }”.
ask-team-name = What is your team or company called? Send the name in one message (up to 64 characters).
bad-team-name = The name must be text of 1 to 64 characters and must not start with “/”. Please try again.
ask-timezone =
    Team <b>{ $team }</b>. Which timezone does it work in? Morning and evening prompts follow it.

    Pick a button or type a zone, such as <code>Asia/Almaty</code> or <code>UTC+5</code>.
bad-timezone = I don't know that timezone. Type, for example, <code>Europe/Moscow</code>, <code>Asia/Novosibirsk</code> or <code>UTC+5</code>, or pick a button above.
team-created =
    ✅ Team <b>{ $team }</b> is created, timezone { $timezone }. You are its owner.

    Do you also run the sales team day to day (head of sales: evening digest, alerts, settings)?
btn-head-yes = Yes, I'm the head of sales too
btn-head-no = No, I'll invite a head
setup-done-head =
    Done: you are the owner and the head of sales of <b>{ $team }</b>.

    Next, invite your sales managers: /invite. Each gets a link, opens it and is in the team.
setup-done-owner =
    Done: you are the owner of <b>{ $team }</b>.

    Invite your head of sales and managers: /invite.
form-closed = This form is already closed. Start again with the command you need; see /help.

## Invites

invite-ask-role = Whom do you want to invite?
btn-revoke-invite = Revoke the invite
invite-link =
    Invite for the role “{ role-name }”:

    { $link }

    Forward the link to the person. It works once and is valid until { DATETIME($until, dateStyle: "long") }.
invite-revoked = The invite is revoked.
invite-revoked-card = The invite for the role “{ role-name }” is revoked: the link no longer works.
invite-already-used = This invite has already been used and cannot be revoked.
invite-problem = { $problem ->
    [used] This invite has already been used.
    [expired] This invite has expired.
    [revoked] This invite was revoked.
   *[unknown] There is no such invite; perhaps the link was not copied in full.
} Please ask your head of sales for a new link.
join-other-team = You are already in team “{ $team }”. To move to another team, ask that team's head to remove you first.
join-already = You are already in team “{ $team }” as { role-name }.
join-welcome =
    🎉 Welcome to team <b>{ $team }</b>! Your role: { role-name }.
    { $role ->
        [manager] On workdays at { $morning } I'll ask for your plan for the day, and at { $evening } for how it went. Answering takes under a minute.
        [head] Every workday evening at { $digest } I'll send you the team's plan-vs-fact digest. Invite managers with /invite.
       *[other] All commands: /help.
    }
joined-notice = 👤 { $name } joined the team as { role-name-acc }.

## Help and language

help-newcomer = You are not in a team yet. Open the invite link from your head of sales, or create a team with /start.
help-member = Team <b>{ $team }</b>. What you can do:
lang-ask = Choose your language / Выберите язык:
lang-set = Done, speaking English now.

## Polite refusals

not-a-member = You are not in a team yet. Open the invite link from your head of sales, or create your own team: /start
not-your-role = This command belongs to another role in the team. Your commands: /help.
unknown-command = I don't know that command. All commands: /help.
not-understood = I didn't understand that message. All commands: /help.
not-understood-manager = I didn't understand that message. Today's plan: /plan, today's results: /report, all commands: /help.
something-went-wrong = ⚠️ Something went wrong and the bot could not handle your last message or tap. If it got no answer, please repeat it.

## The daily loop: metrics

metric-label = { $key ->
    [calls] Calls
    [meetings] Meetings
    [proposals] Proposals
    [leads] New leads
    [deals] Deals closed
    [revenue] Payments (₽)
   *[other] { $key }
}
num = { NUMBER($value, maximumFractionDigits: 2) }
weekday-date = { DATETIME($day, dateStyle: "full") }

## The daily loop: forms

cmd-plan = Today's plan
cmd-report = Today's results
cmd-off = Day off, sick leave, vacation
cmd-me = My progress

form-plan-title = ☀️ <b>Plan for { $day }</b>
form-fact-title = 🌙 <b>Results for { $day }</b>
form-norms = Team norms: { $norms }
form-plan-line = { $label }: plan { $plan }
form-no-plan = There is no plan for today; just tell how it went.
form-how =
    Answer in one message, numbers in this order ({ $order }), for example:
    <code>{ $example }</code>
    or with names: <code>{ $labelled }</code>
btn-as-yesterday = 🔁 As yesterday
btn-norms = 📏 Norms
btn-steps = 👣 Step by step
btn-suggested = { $value } — { $what ->
    [norm] norm
   *[plan] as planned
}
form-step = { $label } ({ $index } of { $total })?{ $hint }
form-step-norm-hint = { " " }Norm: { $value }.
form-step-plan-hint = { " " }Plan: { $value }.

form-reason-key = { $label }: { $fact } of { $plan } planned. What got in the way?
reason = { $reason ->
    [no_answer] Clients did not answer
    [postponed] Client postponed
    [sick] I was sick
    [internal] Internal tasks
   *[other] Something else
}
form-reason-text = Tell briefly what got in the way.
form-comment = A comment on the day: what helped, what got in the way? One message, or press “No comment”.
btn-no-comment = No comment
card-plan-title = 📋 <b>Plan for { $day }</b>
card-fact-title = 📊 <b>Results: { $day }</b>
card-plan-line = { $label }: <b>{ $value }</b>
card-under-norm = { " " }⚠️ under the norm ({ $norm })
card-pace = 🎯 This plan is below the pace for the month's target: it takes { $amount } a day for { $days } more { $days ->
    [one] workday
   *[other] workdays
}{ $items ->
    [none] .
   *[other] {""}; through your funnel that is { $items }.
}
card-fact-line = { $label }: <b>{ $fact }</b>{ $plan ->
    [none] {""}
   *[other] { " " }of { $plan }
}
card-percent = { " " }({ $percent }%)
card-reason = What got in the way: { $reason }
card-comment = Comment: { $comment }
btn-confirm = ✅ Confirm
btn-edit = ✏️ Change
saved-plan = ✅ Plan saved. You can change it until { $digest } with /plan.
saved-fact = ✅ Results saved. Thank you! You can change them until { $digest } with /report.
saved-late = ✅ Change saved. The digest for that day has already gone out, so the change is marked in history.
saved-same = Nothing changed; kept as it was.
form-errors = I could not read:
    { $errors }
    Please send again, for example: <code>{ $example }</code>
form-send-text = Please send your answer as text.
form-too-long = The message is too long. Send just the numbers, for example: <code>{ $example }</code>
form-closed-offer = That form is closed. Here is today's:
no-previous-plan = There is no earlier plan; type the numbers or press “Norms”.
numbers-error = { $reason ->
    [empty] empty, a number is needed
    [negative] a number cannot be negative
    [too_large] too large (at most { $max })
    [fraction_for_count] a whole number is needed
    [too_many_decimals] at most two decimal places
    [ambiguous] unclear where the decimals start: write, say, 1500 or 1.5
    [too_long] too long
    [wrong_count] { $expected } numbers in order are needed, got { $got }
    [unknown_label] no such metric
    [entry_too_long] the message is too long
    [ambiguous_label] unclear which metric this is
    [no_value] no number after the name
    [no_label] unclear which metric the number is for
    [duplicate] the metric is given twice
   *[other] not a number
}
form-error-line = • { $what }: “{ $fragment }” — { $problem }
form-error-line-fragment = • “{ $fragment }” — { $problem }
form-error-line-general = • { $problem }

## Days off

off-title = 🌴 <b>Days off, sick leave and vacations</b>
off-none = Nothing marked.
off-item = • { $kind }: { $period }
off-ask = When will you be away? On those days the bot asks for no plan or results, and they don't count as a shortfall.
btn-off-today = Today
btn-off-tomorrow = Tomorrow
btn-off-dates = Other dates…
btn-off-cancel = ✕ Cancel: { $period }
off-kind = { $kind ->
    [sick] Sick leave
    [vacation] Vacation
   *[day_off] Day off
}
off-ask-kind = { $period }: what is it?
off-ask-dates = Type a date or a period: <code>25.11</code> or <code>25.11-29.11</code> (up to two months).
off-bad-dates = I could not read the dates. For example: <code>25.11</code> or <code>25.11-29.11</code>. A period cannot be in the past or longer than two months.
off-saved = ✅ Marked: { $kind }, { $period }. The bot will not disturb you on those days.
off-cancelled = Cancelled: { $period }.
period-one = { DATETIME($first, dateStyle: "long") }
period-range = { DATETIME($first, dateStyle: "long") } – { DATETIME($last, dateStyle: "long") }

## /me

me-title = 📈 <b>{ $name }: progress</b>
me-today = <b>Today</b>
me-today-line = { $label }: { $fact } of { $plan }
me-today-none = No results for today yet.
me-period = <b>{ $period ->
    [week] This week
   *[month] This month
}</b> ({ $days } working { $days ->
    [one] day
   *[other] days
})
me-line = { $label }: { $fact }
me-line-norm = { $label }: { $fact } of the norm { $norm } ({ $percent }%)

## Reminders, digest, alerts

reminder-plan = ⏰ Reminder: today's plan is not in yet. It takes half a minute.
reminder-fact = ⏰ Reminder: today's results are not in yet.
btn-fill-plan = Fill in the plan
btn-fill-fact = Enter the results
digest-title = 📊 <b>Digest for { $day }</b> — { $team }
digest-late = ⏰ This digest is late: the bot was unavailable at { $time }.
digest-totals = <b>Team</b>
digest-managers = <b>Managers</b>
digest-nobody = Nobody has sent results today.
digest-missing = No report from: { $names }
alert-blocked = 🚫 { $name } has blocked the bot: prompts and reminders do not reach them. Ask them to unblock it in Telegram.
## Monthly targets

cmd-target = Monthly targets
cmd-routine = Meetings, 1:1s, training
month-name = { $m ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
target-title = 🎯 <b>Payment targets for { $month }</b>
target-team = Team: <b>{ $amount }</b>
target-team-sum = Managers' targets add up to: { $amount }
target-line = { $name }: { $amount }
target-none = not set
target-choose = Whose target to set? Press and send the amount.
btn-target-team = Team
btn-target-next = Next month →
btn-target-this = ← This month
target-ask = Payment target for { $month } for “{ $who }”: send the amount, e.g. <code>1,500,000</code> or <code>1.5m</code>.
target-saved = ✅ Target for { $month } for “{ $who }”: { $amount }.
target-team-who = the team
target-bad = I could not read the amount: { $problem }. For example: <code>1500000</code> or <code>1.5m</code>.
me-pace = To reach the target: { $amount } a day for { $days } more { $days ->
    [one] workday
   *[other] workdays
}{ $items ->
    [none] .
   *[other] {""}. Through your funnel that is about: { $items }.
}
me-target = Monthly target: { $target }, paid { $fact } ({ $percent }%)

## Routine

routine-title = 📋 <b>Management routine</b>, week of { $week }
routine-none = Nothing logged this week yet.
routine-line = • { $day }: { $what }
routine-kind = { $kind ->
    [planning] planning meeting
    [one_on_one] one-on-one
   *[training] training
}
routine-with = { $what } with { $name }
routine-ask = What to log for today?
btn-routine = { $kind ->
    [planning] Planning meeting
    [one_on_one] One-on-one
   *[training] Training
}
routine-ask-who = One-on-one: with whom?
routine-saved = ✅ Logged: { $what }.
routine-no-managers = There are no managers in the team yet.

## Digest and forecast

chart-plan = Plan
chart-fact = Fact
chart-target = Target
chart-range = Forecast range
chart-bars_title = { $label }: today's plan and fact
chart-cumulative_title = Payments this month, ₽
chart-forecast-title = Payments this month and the forecast, ₽
flag-below-norm = under the norm ({ $metrics })
flag-slump = 📉 activity slump: { $change }% against usual{ $metrics ->
    [none] {""}
   *[other] {" "}({ $metrics })
}, { $days } { $days ->
    [one] workday
   *[other] workdays
}
digest-line-chronic = 🟠 { $name }: under the norm for a long time ({ $days } { $days ->
    [one] workday
   *[other] workdays
}), no change
digest-pace = to target: { $amount } a day{ $items ->
    [none] {""}
   *[other] {" "}≈ { $items }
}
digest-month-pace = That is about: { $items }.
pace-item = { $label } { $needed } a day (usual { $usual })
flag-far-below-plan = far under own plan
flag-activity-drop = activity { $change }% against usual
flag-streak = { $days } { $days ->
    [one] day
   *[other] days
} in a row under the norm
digest-no-managers = There are no managers in the team yet. Invite them: /invite
digest-total = { $label }: { $fact } of { $plan }{ $percent ->
    [none] {""}
   *[other] { " " }({ $percent }%)
}{ $norm ->
    [none] {""}
   *[other] { " " }· norm { $norm }%
}
digest-month = 💰 Payments this month: <b>{ $fact }</b> of { $target } ({ $percent }%)
digest-month-reached = 🎉 The month's target is reached.
digest-month-needed = To reach the target: { $amount } a day for { $days } more working { $days ->
    [one] day
   *[other] days
}.
digest-month-no-target = 💰 Payments this month: <b>{ $fact }</b>. No target set: /target
digest-line = { $mark } { $name }: { $metrics }
digest-metric-plan = { $label } { $fact }/{ $plan }
digest-metric = { $label } { $fact }
digest-line-leave = 🌴 { $name }: away
digest-line-missing = ⚪ { $name }: ❗ no report{ $days ->
    [1] {""}
   *[other] { " " }({ $days } workdays in a row)
}
digest-blockers = <b>What got in the way</b>
digest-quote = { $name }: { $reason ->
    [none] {""}
   *[other] { $reason }.{ " " }
}“{ $comment }”
forecast-title = 🔮 <b>Month-end forecast: { $month }</b> — { $team }
forecast-no-money = The team has no money metric, so there is nothing to forecast.
forecast-mtd = Payments this month: <b>{ $mtd }</b>{ $target ->
    [none] { " " }(no target set: /target)
   *[other] { " " }of { $target }
}
forecast-point = Month-end forecast: <b>{ $point }</b> ({ $low } to { $high }){ $percent ->
    [none] {""}
   *[other] { " " }— { $percent }% of target
}
forecast-likelihood = Likelihood of reaching the target: { $percent }%
method-run-rate = Method: month-to-date + mean daily fact of the last { $window } workdays × { $days_left } left; { $interval }% range.
method-combined = Method: { $run_share }% run-rate (mean daily fact of { $window } workdays × { $days_left } left), { $funnel_share }% funnel (payments per { $activities } over { $funnel_window } workdays × planned activity); { $interval }% range.
method-not-enough-data = Method: not enough data ({ $days } of { $needed } workdays): month-to-date only.
method-month-closed = No workdays left this month: month-to-date is the result.
method-pooled = Method: model — month-to-date plus own pace of the last { $months } months ({ $own }% own, { $team }% the team's), adjusted by recent { $activities }, × { $days_left } workdays left with the usual month-end push; { $interval }% range.
method-pooled-team = Method: { $managers } managers' models together — own pace of past months pooled with the team, recent activity, month-to-date and the month-end push ({ $new } new, { $without_data } without reports); { $interval }% range counting the swings the team shares.
forecast-reasons = <b>Shortfall reasons given more often</b> (the last { $weeks } weeks against the 4 before):
forecast-reason = • { $reason }: { $recent } (was { $earlier }){ $people ->
    [none] {""}
   *[other] {""} — { $people }
}
forecast-cross-check = Cross-check, simple run-rate (month-to-date + mean daily fact × days left): { $amount }
method-team-sum = Method: sum of { $managers } managers' forecasts ({ $without_data } without enough data); { $interval }% range.
forecast-managers = <b>By manager</b> (fact → forecast)
forecast-manager = { $name }: { $mtd } → { $point }{ $target ->
    [none] {""}
   *[other] { " " }(target { $target }, { $percent }%)
}
forecast-week = <b>Last week</b> ({ $first } – { $last })
forecast-activity-item = { $label } { $percent }%
forecast-activity = Activity against norms: { $items }
forecast-discipline = Reports on time: { $percent ->
    [none] no workdays
   *[other] { $percent }%
}
forecast-accuracy = Plan accuracy: { $percent ->
    [none] no data
   *[other] { $percent }%
}
forecast-routine = Head's routine:
forecast-routine-none = Head's routine: no planning meeting, one-on-one or training logged this week (/routine).
cmd-digest = Today's digest
cmd-forecast = Month-end forecast
cmd-reasons = Shortfall reasons
reasons-title = 🧭 <b>Shortfall reasons</b> — { $team }
    { $period }
reasons-none = No manager has given a reason for falling short of plan in the last { $weeks } weeks.
reasons-legend = Times each reason was given: the last { $recent } weeks (was: the { $earlier } weeks before). ↑ given more often, ↓ less often.
reasons-team = <b>Team</b>
reasons-team-row = • { $reason }: { $recent } (was { $earlier })
reasons-people = <b>By manager</b>
reasons-person = { $name }: { $items }
reasons-person-item = { $reason } { $recent } (was { $earlier })
reasons-own-words = <b>In their own words</b> (latest)
reasons-own-word = • { $name }, { DATETIME($day, dateStyle: "medium") }: “{ $text }”
alert-no-report = ⚠️ { $name }: no report for { $days } { $days ->
    [one] workday
   *[other] workdays
} in a row.
alert-streak = ⚠️ { $name }: { $days } { $days ->
    [one] workday
   *[other] workdays
} in a row under the norm ({ $metrics }).
alert-plan-under-norm = ⚠️ { $name } planned today under the norm: { $metrics }.
alert-forecast = 📉 The month-end payments forecast is { $point }, { $percent }% of the target ({ $target }). More: /forecast

## Export

cmd-export = Export to Excel and CSV
export-ask = Which period should I export?
btn-export = { $period ->
    [this] This month
    [last] Last month
   *[custom] Other dates…
}
export-ask-dates = Type a period: <code>01.10-31.10</code> or <code>01.10.2026 - 15.11.2026</code> (up to a year).
export-bad-dates = I could not read the period. For example: <code>01.10-31.10</code>. It cannot be in the future or longer than a year.
export-caption = Plans and facts for { $period }, managers: { $managers }. The same as CSV below.
export-sheet-days = By day
export-sheet-summary = Period totals
export-col-day = Date
export-col-manager = Manager
export-col-metric = Metric
export-col-plan = Plan
export-col-fact = Fact
export-col-target = Monthly target
export-col-completion = Completion, %
export-inactive = inactive
export-team-total = Team total

## Personal data

cmd-forget = My data and deletion
privacy-outsider = You are not in a team. The bot keeps only your Telegram ID ({ $telegram_id }) and your chosen language.
privacy-card =
    🔐 <b>What the bot keeps about you</b>
    Name: { $name }
    Username: { $username }
    Telegram ID: { $telegram_id }
    Team: { $team }, roles: { $roles }
    Plans and reports: { $entries }, days away: { $absences }

    “Forget me” erases your name and Telegram identifiers. Your numbers stay in the team's statistics under an anonymous label.
btn-forget = Forget me
btn-forget-yes = Yes, forget me
btn-delete-team = Delete the whole team
btn-delete-team-yes = Yes, delete the team and all its data
privacy-forget-confirm = Are you sure? The bot forgets your name and Telegram ID and you leave the team. This cannot be undone.
privacy-owner-first = You are the team's only owner. Hand the team to another owner first, or delete the whole team.
privacy-anonymous = Former member { $number }
privacy-forgotten = Done: the bot has forgotten your name and Telegram ID. To come back you will need a new invite.
privacy-delete-team-confirm = Delete the team “{ $team }” with all its members, plans, reports and targets? This cannot be undone.
privacy-team-deleted = The team “{ $team }” and all its data are deleted.

## /team

cmd-team = The team today
