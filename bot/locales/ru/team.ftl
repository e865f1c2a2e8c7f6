## /team: today's status, the members, and managing them (handlers/team.py)

team-title = 👥 <b>{ $team }</b>
team-today = <b>Сегодня</b>
team-status-line = { $status ->
    [reported] ✅
    [planned] 📝
    [away] 🌴
    [blocked] 🚫
   *[silent] ⏳
} { $name }: { $status ->
    [reported] итоги внесены
    [planned] план есть, итогов пока нет
    [away] отсутствует
    [blocked] заблокировал(а) бота
   *[silent] пока не ответил(а)
}
team-counts = Итоги: { $reported }, только план: { $planned }, без ответа: { $silent }, отсутствуют: { $away }, бот заблокирован: { $blocked }
team-members = <b>Состав</b>
team-member-line = • { $name }{ $handle } — { $roles }{ $paused ->
    [yes] {" "}⏸ приостановлен(а)
   *[no] {""}
}
team-invites-open = ✉️ Открытых приглашений: { $count }
btn-team-members = 👥 Управлять участниками
btn-team-invites = ✉️ Открытые приглашения ({ $count })

## The member list and a member's card

team-list-title = 👥 <b>Участники команды «{ $team }»</b>
team-list-hint = Выберите человека: роли, пауза, удаление из команды{ $owner ->
    [yes] , передача прав собственника
   *[no] {""}
}.
team-list-empty = В команде пока нет никого, кроме вас. Пригласить — /invite
team-list-page = Страница { $page } из { $pages }
btn-team-prev = « Назад
btn-team-next = Дальше »
btn-team-back-list = « К списку участников
btn-team-cancel = « Отмена

team-card-title = 👤 <b>{ $name }</b>{ $handle }
team-card-roles = Роли: { $roles }
team-card-joined = В команде с { DATETIME($joined, dateStyle: "long") }
team-card-standing = { $standing ->
    [deactivated] Статус: ⏸ приостановлен(а) — вопросов, напоминаний и строки в сводке нет
   *[active] Статус: ✅ в работе
}
team-card-bot-blocked = Бот: 🚫 заблокировал(а) бота { DATETIME($since, dateStyle: "long") } — сообщения не доходят
team-card-bot-ok = Бот: ✅ на связи
team-card-readonly = { $reason ->
    [owner] Собственника команды может изменить только он сам — передав права другому.
    [head] Другого руководителя может изменить только собственник.
    [self] Это вы. Ваши данные и выход из команды — /forget
   *[other] Здесь пока нечего изменить.
}
btn-member-action = { $action ->
    [gh] ⬆️ Назначить РОП
    [rh] Снять роль РОП
    [gm] ➕ Добавить роль менеджера
    [rm] ➖ Снять роль менеджера
    [pause] ⏸ Приостановить
    [resume] ▶️ Вернуть в работу
    [remove] 🚪 Удалить из команды
   *[owner] 👑 Передать права собственника
}

## Asking first, and what the leader sees when done

team-confirm-remove =
    Удалить из команды «{ $team }»: { $name }?

    Бот перестанет присылать вопросы, меню команд сбросится. Прошлые планы и итоги останутся в отчётах команды. Вернуться можно будет только по новому приглашению.
btn-confirm-remove = Да, удалить
team-confirm-transfer =
    Передать права собственника команды «{ $team }»: { $name }?

    Новый собственник будет получать прогноз на конец месяца и сможет всё, что можете вы. Вы останетесь в команде как { $roles }. Вернуть права сможет только новый собственник.
btn-confirm-transfer = Да, передать права
team-done = { $action ->
    [gh] ✅ Роль РОП назначена.
    [rh] ✅ Роль РОП снята.
    [gm] ✅ Роль менеджера добавлена.
    [rm] ✅ Роль менеджера снята.
    [pause] ⏸ Участник приостановлен.
    [resume] ▶️ Участник снова в работе.
    [remove] ✅ Участник удалён из команды.
   *[owner] 👑 Права собственника переданы.
}
team-removed-note = ✅ { $name } больше не в команде. Прошлые цифры остались в отчётах.
team-transfer-done = 👑 Права собственника команды «{ $team }» переданы: { $name }. Вы остаётесь в команде как { $roles }. Меню команд обновлено.
team-refused = { $reason ->
    [not-leader] Управлять составом команды могут только собственник и руководитель отдела продаж.
    [gone] Этого участника уже нет в команде, или кнопка устарела. Откройте /team заново.
    [self] Себя здесь изменить нельзя. Ваши данные и выход из команды — /forget
    [owner] Собственника команды может изменить только он сам.
    [head] Другого руководителя может изменить только собственник.
    [owner-only] Назначать и снимать РОП и передавать права может только собственник.
    [last-role] Это последняя роль участника. Если он больше не работает в команде, удалите его.
    [last-owner] В команде должен остаться собственник. Сначала передайте права.
    [paused] Участник приостановлен. Сначала верните его в работу.
    [already] Это уже сделано — карточка обновлена.
    [blocked] Этот человек заблокировал бота и не узнает о передаче прав. Выберите другого.
   *[elsewhere] Этот человек уже состоит в другой команде, вернуть его нельзя. Когда он освободится, пришлите новое приглашение.
}

## What the member is told

team-told-roles = ✏️ { $actor } изменил(а) ваши роли в команде «{ $team }»: теперь вы — { $roles }. Меню команд обновлено, список — в /help.
team-told-deactivated = ⏸ { $actor } приостановил(а) ваше участие в команде «{ $team }». Пока пауза не снята, бот не будет присылать вопросы о плане и итогах. Если это ошибка, напишите руководителю.
team-told-reactivated = ▶️ Вы снова в работе в команде «{ $team }» ({ $roles }). Вопросы о плане и итогах придут в обычное время, команды — в /help.
team-told-removed = 👋 Вы больше не состоите в команде «{ $team }». Спасибо за работу! Ваши прошлые цифры остаются в отчётах команды. Чтобы вернуться, понадобится новое приглашение.
team-told-owner = 👑 { $actor } передал(а) вам права собственника команды «{ $team }». По понедельникам вам будет приходить прогноз на конец месяца, и вам доступно всё, что может руководитель. Меню команд обновлено.

## Open invites

team-invites-title = ✉️ <b>Открытые приглашения</b>
team-invites-none = Открытых приглашений нет. Новое — /invite
team-invite-line = { $number }. { role-name } — до { DATETIME($until, dateStyle: "long") }, создал(а) { $author }
btn-team-revoke = ✖️ Отозвать { $number }: { role-name }

## Change history lines (rendered as audit-<subject> with $actor, $about, $before, $after)

audit-roles-before = { $before ->
    [owner] собственник
    [owner-head] собственник, РОП
    [owner-manager] собственник, менеджер
    [owner-head-manager] собственник, РОП, менеджер
    [head] РОП
    [head-manager] РОП, менеджер
    [manager] менеджер
   *[none] без ролей
}
audit-roles-after = { $after ->
    [owner] собственник
    [owner-head] собственник, РОП
    [owner-manager] собственник, менеджер
    [owner-head-manager] собственник, РОП, менеджер
    [head] РОП
    [head-manager] РОП, менеджер
    [manager] менеджер
   *[none] без ролей
}
audit-member-role = { $actor } изменил(а) роли: { $about } — { audit-roles-before } → { audit-roles-after }
audit-member-deactivated = { $actor } приостановил(а) участие: { $about }
audit-member-reactivated = { $actor } вернул(а) в работу: { $about }
audit-member-removed = { $actor } удалил(а) из команды: { $about } ({ audit-roles-before })
audit-owner-transferred = { $actor } передал(а) права собственника: { $about }
audit-invite-revoked = { $actor } отозвал(а) приглашение для роли «{ $before ->
    [head] руководитель отдела продаж
   *[manager] менеджер
}»
member-paused = ⏸ Ваше участие в команде «{ $team }» приостановлено руководителем: вопросы не приходят, команды недоступны. Чтобы вернуться, попросите руководителя возобновить участие.
