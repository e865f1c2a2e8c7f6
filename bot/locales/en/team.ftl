## /team: today's status, the members, and managing them (handlers/team.py)

team-title = 👥 <b>{ $team }</b>
team-today = <b>Today</b>
team-status-line = { $status ->
    [reported] ✅
    [planned] 📝
    [away] 🌴
    [blocked] 🚫
   *[silent] ⏳
} { $name }: { $status ->
    [reported] results are in
    [planned] has a plan, no results yet
    [away] away
    [blocked] has blocked the bot
   *[silent] has not answered yet
}
team-counts = Results: { $reported }, plan only: { $planned }, no answer: { $silent }, away: { $away }, bot blocked: { $blocked }
team-members = <b>Members</b>
team-member-line = • { $name }{ $handle } — { $roles }{ $paused ->
    [yes] {" "}⏸ paused
   *[no] {""}
}
team-invites-open = ✉️ Open invites: { $count }
btn-team-members = 👥 Manage members
btn-team-invites = ✉️ Open invites ({ $count })

## The member list and a member's card

team-list-title = 👥 <b>Members of “{ $team }”</b>
team-list-hint = Pick a person: roles, pause, removal from the team{ $owner ->
    [yes] , handing over ownership
   *[no] {""}
}.
team-list-empty = There is nobody in the team but you yet. To invite someone: /invite
team-list-page = Page { $page } of { $pages }
btn-team-prev = « Back
btn-team-next = Next »
btn-team-back-list = « Back to the members
btn-team-cancel = « Cancel

team-card-title = 👤 <b>{ $name }</b>{ $handle }
team-card-roles = Roles: { $roles }
team-card-joined = In the team since { DATETIME($joined, dateStyle: "long") }
team-card-standing = { $standing ->
    [deactivated] Status: ⏸ paused — no prompts, no reminders, no line in the digest
   *[active] Status: ✅ at work
}
team-card-bot-blocked = Bot: 🚫 blocked the bot on { DATETIME($since, dateStyle: "long") } — messages do not reach them
team-card-bot-ok = Bot: ✅ reachable
team-card-readonly = { $reason ->
    [owner] Only the owner can change the owner, by handing over ownership.
    [head] Only the owner can change another head of sales.
    [self] This is you. Your data and leaving the team: /forget
   *[other] Nothing to change here yet.
}
btn-member-action = { $action ->
    [gh] ⬆️ Make head of sales
    [rh] Revoke head of sales
    [gm] ➕ Add the manager role
    [rm] ➖ Revoke the manager role
    [pause] ⏸ Pause
    [resume] ▶️ Back to work
    [remove] 🚪 Remove from the team
   *[owner] 👑 Hand over ownership
}

## Asking first, and what the leader sees when done

team-confirm-remove =
    Remove from the team “{ $team }”: { $name }?

    The bot stops sending them prompts and resets their command menu. Their past plans and results stay in the team's reports. They can come back only with a new invite.
btn-confirm-remove = Yes, remove
team-confirm-transfer =
    Hand over ownership of “{ $team }” to { $name }?

    The new owner will get the month-end forecast and be able to do everything you can. You stay in the team as { $roles }. Only the new owner can give ownership back.
btn-confirm-transfer = Yes, hand over
team-done = { $action ->
    [gh] ✅ Made head of sales.
    [rh] ✅ Head of sales role revoked.
    [gm] ✅ Manager role added.
    [rm] ✅ Manager role revoked.
    [pause] ⏸ Paused.
    [resume] ▶️ Back to work.
    [remove] ✅ Removed from the team.
   *[owner] 👑 Ownership handed over.
}
team-removed-note = ✅ { $name } is no longer in the team. Their past numbers stay in the reports.
team-transfer-done = 👑 Ownership of “{ $team }” is handed over to { $name }. You stay in the team as { $roles }. Your command menu is updated.
team-refused = { $reason ->
    [not-leader] Only the owner and the head of sales manage the team's members.
    [gone] This person is no longer in the team, or the button is out of date. Open /team again.
    [self] You cannot change yourself here. Your data and leaving the team: /forget
    [owner] Only the owner can change the team's owner.
    [head] Only the owner can change another head of sales.
    [owner-only] Only the owner can make or revoke a head of sales and hand over ownership.
    [last-role] This is their last role. If they no longer work in the team, remove them instead.
    [last-owner] The team must keep an owner. Hand over ownership first.
    [paused] This person is paused. Bring them back to work first.
    [already] That is already done — the card is updated.
    [blocked] This person has blocked the bot and would not learn about it. Pick someone else.
   *[elsewhere] This person has joined another team meanwhile and cannot be brought back. Send a new invite once they are free.
}

## What the member is told

team-told-roles = ✏️ { $actor } changed your roles in “{ $team }”: you are now { $roles }. Your command menu is updated; see /help.
team-told-deactivated = ⏸ { $actor } paused your participation in “{ $team }”. Until the pause is lifted the bot will not ask for your plan and results. If this is a mistake, write to your head of sales.
team-told-reactivated = ▶️ You are back at work in “{ $team }” ({ $roles }). Prompts for your plan and results come at the usual times; your commands are in /help.
team-told-removed = 👋 You are no longer a member of “{ $team }”. Thank you for your work! Your past numbers stay in the team's reports. To come back you will need a new invite.
team-told-owner = 👑 { $actor } handed you ownership of “{ $team }”. Every Monday you will get the month-end forecast, and you can do everything a head of sales can. Your command menu is updated.

## Open invites

team-invites-title = ✉️ <b>Open invites</b>
team-invites-none = No open invites. A new one: /invite
team-invite-line = { $number }. { role-name } — until { DATETIME($until, dateStyle: "long") }, created by { $author }
btn-team-revoke = ✖️ Revoke { $number }: { role-name }

## Change history lines (rendered as audit-<subject> with $actor, $about, $before, $after)

audit-roles-before = { $before ->
    [owner] owner
    [owner-head] owner, head of sales
    [owner-manager] owner, manager
    [owner-head-manager] owner, head of sales, manager
    [head] head of sales
    [head-manager] head of sales, manager
    [manager] manager
   *[none] no role
}
audit-roles-after = { $after ->
    [owner] owner
    [owner-head] owner, head of sales
    [owner-manager] owner, manager
    [owner-head-manager] owner, head of sales, manager
    [head] head of sales
    [head-manager] head of sales, manager
    [manager] manager
   *[none] no role
}
audit-member-role = { $actor } changed the roles of { $about }: { audit-roles-before } → { audit-roles-after }
audit-member-deactivated = { $actor } paused { $about }
audit-member-reactivated = { $actor } brought { $about } back to work
audit-member-removed = { $actor } removed { $about } from the team ({ audit-roles-before })
audit-owner-transferred = { $actor } handed ownership over to { $about }
audit-invite-revoked = { $actor } revoked an invite for the role “{ $before ->
    [head] head of sales
   *[manager] sales manager
}”
member-paused = ⏸ Your membership of { $team } is paused by your head of sales: no prompts, no commands. To come back, ask them to resume it.
